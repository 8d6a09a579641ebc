"""Single sign-on with OpenID Connect (Microsoft Entra ID, Keycloak, Okta, Google Workspace …).

Authlib runs the protocol: the authorization code flow with state, nonce and PKCE (S256), the
provider's settings discovered from `<issuer>/.well-known/openid-configuration` once per
process, and the ID token's signature checked against the provider's published keys (fetched
again when the provider signs with a key not seen before), together with its issuer, audience,
expiry and nonce.

A user is the provider's subject: matched by issuer and `sub` at every log-in, created at the
first one. Name and e-mail follow the provider. Roles named in AIMS_OIDC_ROLE_MAP follow the
provider's role claim at every log-in, added and removed; roles the map never gives stay as an
administrator sets them in the portal. The provider authenticates, its second factor included:
the portal asks no code of its own in a single sign-on session (aims/core/mfa.py).
"""

import functools
import logging
import re
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.models import SingleSignOnIdentity
from aims.core.sso_config import origin

log = logging.getLogger(__name__)

# Set in the session of a user who logged in through the provider: the issuer, and the ID token
# that names the session when the log-out goes on to the provider.
SESSION_KEY = "aims_sso"
# Where the user was going when the log-in started.
NEXT_KEY = "aims_sso_next"

USERNAME_CLAIMS = ("preferred_username", "email", "sub")
NOT_IN_USERNAME = re.compile(r"[^\w.@+-]")


class SignInRefused(Exception):
    """The provider vouched for the user, but the portal does not let them in."""


def enabled():
    return bool(settings.AIMS_OIDC_ISSUER)


def password_login():
    """Whether the portal takes passwords: always when there is no single sign-on."""
    return settings.AIMS_PASSWORD_LOGIN or not enabled()


def label():
    return settings.AIMS_OIDC_LABEL or _("Sign in with single sign-on")


def signed_in_by_provider(request):
    return hasattr(request, "session") and SESSION_KEY in request.session


def provider():
    """The Authlib client of the configured provider. The secret is read from its file each
    time, so a rotated secret takes effect without a restart."""
    secret = Path(settings.AIMS_OIDC_CLIENT_SECRET_FILE).read_text(encoding="utf-8").strip()
    return _client(settings.AIMS_OIDC_ISSUER, settings.AIMS_OIDC_CLIENT_ID, secret)


@functools.lru_cache(maxsize=4)
def _client(issuer, client_id, client_secret):
    # One client per configuration: it keeps the discovered metadata and keys.
    from authlib.integrations.django_client import OAuth

    return OAuth().register(
        "aims",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid email profile",
            "code_challenge_method": "S256",
            "default_timeout": 10,
        },
    )


def claims_of(client, token):
    """The verified ID token's claims; the role claim from the userinfo endpoint if the ID
    token leaves it out (some providers put groups only there)."""
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise SignInRefused(_("The identity provider sent no ID token."))
    role_claim = settings.AIMS_OIDC_ROLE_CLAIM
    if role_claim not in claims and client.load_server_metadata().get("userinfo_endpoint"):
        info = client.userinfo(token=token)
        if info.get("sub") == claims["sub"]:
            claims = {**info, **claims}
    return claims


def mapped_roles(claims):
    """The portal roles the provider's role claim maps to."""
    value = claims.get(settings.AIMS_OIDC_ROLE_CLAIM) or []
    groups = [value] if isinstance(value, str) else value
    roles = set()
    for group in groups:
        roles |= settings.AIMS_OIDC_ROLE_MAP.get(str(group), set())
    return roles


def sso_sign_in(*, issuer, claims):
    """The portal user the provider vouches for: found by issuer and subject, created at the
    first log-in. Name, e-mail and the mapped roles follow the claims every time."""
    with transaction.atomic():
        identity = (
            SingleSignOnIdentity.objects.select_for_update()
            .select_related("user")
            .filter(issuer=issuer, subject=claims["sub"])
            .first()
        )
        if identity is None:
            user = get_user_model().objects.create_user(username=_free_username(claims))
            identity = SingleSignOnIdentity.objects.create(
                user=user, issuer=issuer, subject=claims["sub"]
            )
        user = identity.user
        if not user.is_active:
            raise SignInRefused(
                _("Your account in the portal is deactivated. Ask an administrator.")
            )
        _update_details(user, claims)
        _follow_roles(user, mapped_roles(claims))
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["last_login_at"])
    return user


def _free_username(claims):
    """A user name from the claims, never one taken: an account of the same name is not taken
    over (a provider may let users choose their names)."""
    base = next((str(claims[c]) for c in USERNAME_CLAIMS if claims.get(c)), "")
    base = NOT_IN_USERNAME.sub("", base)[:140] or "sso-user"
    users = get_user_model().objects
    name, number = base, 1
    while users.filter(username__iexact=name).exists():
        number += 1
        name = f"{base}-{number}"
    return name


def _update_details(user, claims):
    fields = {
        "email": claims.get("email"),
        "first_name": claims.get("given_name"),
        "last_name": claims.get("family_name"),
    }
    changed = []
    for field, value in fields.items():
        if value is None:
            continue
        value = str(value)[: user._meta.get_field(field).max_length]
        if getattr(user, field) != value:
            setattr(user, field, value)
            changed.append(field)
    if changed:
        user.save(update_fields=changed)


def _follow_roles(user, wanted):
    """Give the mapped roles the claim names and take away the mapped roles it no longer names.
    Each change is recorded as a role change (aims/core/role_grants.py)."""
    managed = set().union(*settings.AIMS_OIDC_ROLE_MAP.values())
    held = set(user.groups.values_list("name", flat=True))
    added = Group.objects.filter(name__in=wanted - held)
    removed = Group.objects.filter(name__in=(managed - wanted) & held)
    if added:
        user.groups.add(*added)
    if removed:
        user.groups.remove(*removed)


def end_session_url(request, id_token):
    """The provider's log-out address for this session, if it advertises one on its own
    origin (the only one the content security policy lets the log-out form go on to)."""
    try:
        endpoint = provider().load_server_metadata().get("end_session_endpoint")
    except Exception:  # the local log-out stands whatever the provider does
        log.warning("single sign-on: no provider log-out", exc_info=True)
        return None
    if not endpoint or origin(endpoint) != origin(settings.AIMS_OIDC_ISSUER):
        return None
    query = {
        "id_token_hint": id_token,
        "client_id": settings.AIMS_OIDC_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


class PasswordLoginSwitch(ModelBackend):
    """Refuses every password when AIMS_PASSWORD_LOGIN=0: placed before ModelBackend, it stops
    `authenticate()` for the log-in page, the admin and anything else that takes a password.
    Otherwise it leaves passwords to ModelBackend. It is a ModelBackend itself so that a
    session naming it (the first backend able to load users, as `force_login` picks) finds
    its user."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if password is not None and not password_login():
            raise PermissionDenied
        return None
