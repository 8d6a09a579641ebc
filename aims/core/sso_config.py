"""Single sign-on settings read from the environment and checked when the portal starts, so that
a mistyped role or a missing secret stops the start with a clear message instead of a log-in
that silently grants nothing."""

from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from aims.core.roles import ROLES


def role_map(text):
    """`group=Role,group=Role` as {group: {role, ...}}: each role one of aims/core/roles.py,
    matched regardless of case. A group may be named twice to give two roles."""
    by_name = {role.casefold(): role for role in ROLES}
    mapping = {}
    for item in (text or "").split(","):
        if not item.strip():
            continue
        group, sep, role = (part.strip() for part in item.partition("="))
        if not sep or not group or not role:
            raise ImproperlyConfigured(
                f"AIMS_OIDC_ROLE_MAP: {item.strip()!r} is not of the form group=Role"
            )
        if role.casefold() not in by_name:
            raise ImproperlyConfigured(
                f"AIMS_OIDC_ROLE_MAP: {role!r} (for {group!r}) is not a role of the portal; "
                f"the roles are: {', '.join(ROLES)}"
            )
        mapping.setdefault(group, set()).add(by_name[role.casefold()])
    return mapping


def check(*, issuer, client_id, secret_file, password_login, debug):
    """Refuse settings that cannot work: a provider without its client, a secret file that
    cannot be read, or password log-in switched off with no other way in."""
    if not issuer:
        if not password_login:
            raise ImproperlyConfigured(
                "AIMS_PASSWORD_LOGIN=0 needs single sign-on: set AIMS_OIDC_ISSUER"
            )
        return
    if not issuer.startswith("https://") and not debug:
        raise ImproperlyConfigured("AIMS_OIDC_ISSUER must be an https:// URL")
    if not client_id:
        raise ImproperlyConfigured("AIMS_OIDC_ISSUER is set: AIMS_OIDC_CLIENT_ID must be too")
    if not secret_file:
        raise ImproperlyConfigured(
            "AIMS_OIDC_ISSUER is set: AIMS_OIDC_CLIENT_SECRET_FILE must name the file that "
            "holds the client secret"
        )
    try:
        secret = Path(secret_file).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"AIMS_OIDC_CLIENT_SECRET_FILE: cannot read {secret_file}: {error.strerror}"
        ) from error
    if not secret:
        raise ImproperlyConfigured(f"AIMS_OIDC_CLIENT_SECRET_FILE: {secret_file} is empty")


def origin(url):
    """`scheme://host[:port]` of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
