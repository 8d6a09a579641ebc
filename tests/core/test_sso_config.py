"""Single sign-on settings are checked when the portal starts (aims/core/sso_config.py)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from aims.core import roles, sso_config


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
