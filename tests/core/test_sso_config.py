"""Single sign-on settings are checked when the portal starts (aims/core/sso_config.py)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.core.exceptions import ImproperlyConfigured

from aims.core import roles, sso, sso_config
from tests.factories import UserFactory


def test_the_role_map_names_only_roles_of_the_portal():
    assert sso_config.role_map("a=auditor, b = Compliance Officer,a=System Owner") == {
        "a": {roles.AUDITOR, roles.SYSTEM_OWNER},
        "b": {roles.COMPLIANCE_OFFICER},
    }
    with pytest.raises(ImproperlyConfigured, match="'Auditors' .* is not a role of the portal"):
        sso_config.role_map("aims-auditors=Auditors")
    with pytest.raises(ImproperlyConfigured, match="not of the form group=Role"):
        sso_config.role_map("aims-auditors")


def test_the_settings_need_a_client_and_a_readable_secret(tmp_path):
    def check(**kwargs):
        values = {
            "issuer": "https://login.example.org/tenant/v2.0",
            "client_id": "portal",
            "secret_file": str(tmp_path / "missing"),
            "password_login": True,
            "debug": False,
        }
        sso_config.check(**{**values, **kwargs})

    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        check()
    with pytest.raises(ImproperlyConfigured, match="AIMS_OIDC_CLIENT_ID"):
        check(client_id=None)
    with pytest.raises(ImproperlyConfigured, match="https"):
        check(issuer="http://login.example.org")
    with pytest.raises(ImproperlyConfigured, match="needs single sign-on"):
        check(issuer="", password_login=False)
    (tmp_path / "secret").write_text("s3cret")
    check(secret_file=str(tmp_path / "secret"))
    check(issuer="", client_id=None, secret_file=None)


def test_a_role_map_naming_no_role_stops_the_start(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret")
    env = {
        **os.environ,
        "AIMS_OIDC_ISSUER": "https://login.example.org/realms/aims",
        "AIMS_OIDC_CLIENT_ID": "aims-portal",
        "AIMS_OIDC_CLIENT_SECRET_FILE": str(secret),
        "AIMS_OIDC_ROLE_MAP": "aims-auditors=Auditor,aims-boss=Chief",
    }
    start = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert start.returncode != 0
    assert "AIMS_OIDC_ROLE_MAP: 'Chief' (for 'aims-boss') is not a role of the portal" in (
        start.stderr
    )


def test_a_string_claim_is_one_group(settings):
    settings.AIMS_OIDC_ROLE_CLAIM = "roles"
    settings.AIMS_OIDC_ROLE_MAP = sso_config.role_map("aims-auditors=Auditor,aims-x=AI Officer")

    assert sso.mapped_roles({"roles": "aims-auditors"}) == {roles.AUDITOR}
    assert sso.mapped_roles({"roles": ["aims-x", "other"]}) == {roles.AI_OFFICER}
    assert sso.mapped_roles({"groups": ["aims-x"]}) == set()


@pytest.mark.django_db
def test_with_passwords_off_no_password_authenticates(settings, rf):
    user = UserFactory(username="keller")
    user.set_password("correct horse battery")
    user.save()
    assert (
        authenticate(
            rf.post("/accounts/login/"), username="keller", password="correct horse battery"
        )
        == user
    )
    settings.AIMS_OIDC_ISSUER = "https://login.example.org/tenant/v2.0"
    settings.AIMS_PASSWORD_LOGIN = False
    assert (
        authenticate(
            rf.post("/accounts/login/"), username="keller", password="correct horse battery"
        )
        is None
    )
