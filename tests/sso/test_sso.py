"""Single sign-on through a real OpenID provider (tests/sso/conftest.py): users created and
matched by subject, roles following the provider's groups, password log-in switched off, and
every failure on the way back ending on the log-in page with a message."""

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore

from aims.core import roles
from aims.core.models import RoleChange, SingleSignOnIdentity, User
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("sso_settings")

RISKS = "/risks/register/"
ADD_RISK = "/risks/register/add/"


def portal_user(browser):
    """The user the portal's session cookie belongs to, or None."""
    key = browser.cookies.get("sessionid")
    if key is None:
        return None
    user_id = SessionStore(session_key=key).get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


def test_the_first_log_in_creates_the_user_with_the_mapped_role(provider, browser, settings):
    settings.AIMS_REQUIRE_MFA_ROLES = [roles.AUDITOR]  # the provider's second factor counts
    sub = provider.user("alice", groups=["aims-auditors"], first_name="Alice", last_name="Adler")

    page = browser.sign_in("alice")

    assert page.url == f"{browser.portal}/"
    user = User.objects.get(username="alice")
    assert portal_user(browser) == user
    assert set(user.groups.values_list("name", flat=True)) == {roles.AUDITOR}
    assert (user.first_name, user.last_name, user.email) == ("Alice", "Adler", "alice@example.org")
    assert not user.has_usable_password()
    identity = SingleSignOnIdentity.objects.get(user=user)
    assert (identity.issuer, identity.subject) == (provider.issuer, sub)
    assert browser.get(f"{browser.portal}{RISKS}").status_code == 200
    assert browser.get(f"{browser.portal}{ADD_RISK}").status_code == 403


def test_the_log_in_returns_to_the_page_asked_for(provider, browser):
    provider.user("dora", groups=["aims-auditors"])

    page = browser.sign_in("dora", next_url=RISKS)

    assert page.url == f"{browser.portal}{RISKS}"
    assert page.status_code == 200


def test_a_group_the_map_does_not_name_gives_no_role(provider, browser):
    provider.user("bob", groups=["finance-team"])

    page = browser.sign_in("bob")

    assert "Your account has no role yet" in page.text
    user = User.objects.get(username="bob")
    assert portal_user(browser) == user
    assert not user.groups.exists()
    assert browser.get(f"{browser.portal}{RISKS}").status_code == 403


def test_a_second_log_in_is_the_same_user_and_follows_the_groups(
    provider, browser, another_browser
):
    provider.user("carol", groups=["aims-auditors"])
    browser.sign_in("carol")
    carol = User.objects.get(username="carol")
    # A role the map never gives is the portal's to manage: the provider leaves it alone.
    carol.groups.add(Group.objects.get(name=roles.SYSTEM_OWNER))

    provider.user("carol", rename="carol.new", groups=["aims-compliance"])
    page = another_browser.sign_in("carol.new")

    assert page.url == f"{browser.portal}/"
    assert portal_user(another_browser) == carol
    assert User.objects.filter(username__startswith="carol").count() == 1
    assert set(carol.groups.values_list("name", flat=True)) == {
        roles.COMPLIANCE_OFFICER,
        roles.SYSTEM_OWNER,
    }
    changes = set(RoleChange.objects.filter(user=carol).values_list("role", "action"))
    assert (roles.AUDITOR, RoleChange.Action.REMOVED) in changes
    assert (roles.COMPLIANCE_OFFICER, RoleChange.Action.GRANTED) in changes


def test_a_role_claim_missing_from_the_id_token_is_asked_of_the_userinfo_endpoint(
    provider, browser, settings
):
    settings.AIMS_OIDC_ROLE_CLAIM = "member_of"
    provider.user("maria", groups=["aims-compliance"])

    browser.sign_in("maria")

    user = portal_user(browser)
    assert user.username == "maria"
    assert set(user.groups.values_list("name", flat=True)) == {roles.COMPLIANCE_OFFICER}


def test_a_deactivated_user_is_refused(provider, browser):
    provider.user("erik", groups=["aims-auditors"])
    browser.sign_in("erik")
    User.objects.filter(username="erik").update(is_active=False)
    browser.cookies.clear()

    page = browser.sign_in("erik")

    assert page.url.startswith(f"{browser.portal}/accounts/login/")
    assert "Your account in the portal is deactivated" in page.text
    assert portal_user(browser) is None


def test_an_account_of_the_same_name_is_not_taken_over(provider, browser):
    local = UserFactory(username="frank")
    provider.user("frank", groups=["aims-auditors"])

    browser.sign_in("frank")

    user = portal_user(browser)
    assert user != local
    assert user.username == "frank-2"


def test_password_log_in_switched_off_refuses_passwords(provider, browser, settings, client):
    settings.AIMS_PASSWORD_LOGIN = False
    UserFactory(username="local", password="correct-horse-battery")

    page = client.get("/accounts/login/")
    assert b'type="password"' not in page.content
    assert b"Sign in with single sign-on" in page.content
    refused = client.post(
        "/accounts/login/", {"username": "local", "password": "correct-horse-battery"}
    )
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session
    assert b"This portal takes no passwords" in refused.content
    admin = client.post(
        "/admin/login/?next=/admin/",
        {"username": "local", "password": "correct-horse-battery"},
    )
    assert admin.status_code == 302
    assert admin["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/password/reset/").status_code == 403
    assert client.post("/accounts/password/reset/", {"email": "x@example.org"}).status_code == 403
    # Single sign-on is the way in.
    provider.user("gina", groups=["aims-auditors"])
    assert browser.sign_in("gina").url == f"{browser.portal}/"


def test_with_password_log_in_on_the_page_offers_both(client):
    page = client.get("/accounts/login/")

    assert b'type="password"' in page.content
    assert b"Sign in with single sign-on" in page.content


def test_a_tampered_state_is_refused_with_a_message(provider, browser):
    provider.user("hans", groups=["aims-auditors"])
    callback = urlsplit(browser.callback_url("hans"))
    query = parse_qs(callback.query)
    query["state"] = ["forged-state"]

    page = browser.get(urlunsplit(callback._replace(query=urlencode(query, doseq=True))))

    assert page.url == f"{browser.portal}/accounts/login/"
    assert "does not belong to a log-in started in this browser" in page.text
    assert portal_user(browser) is None


def test_a_tampered_nonce_is_refused_with_a_message(provider, browser):
    provider.user("ida", groups=["aims-auditors"])
    callback = browser.callback_url("ida")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    session = SessionStore(session_key=browser.cookies.get("sessionid"))
    key = f"_state_aims_{state}"
    stored = session[key]
    stored["data"]["nonce"] = "not-the-nonce-the-provider-signed"
    session[key] = stored
    session.save()

    page = browser.get(callback)

    assert page.url == f"{browser.portal}/accounts/login/"
    assert "could not be verified" in page.text
    assert portal_user(browser) is None
    assert not User.objects.filter(username="ida").exists()


def test_a_refusal_at_the_provider_is_shown_on_the_log_in_page(provider, browser):
    provider.user("jan", groups=["aims-auditors"])
    state = parse_qs(urlsplit(browser.callback_url("jan")).query)["state"][0]

    page = browser.get(
        f"{browser.portal}/oidc/callback/?" + urlencode({"error": "access_denied", "state": state})
    )

    assert page.status_code == 200
    assert "cancelled or refused at the identity provider" in page.text
    assert portal_user(browser) is None


def test_the_client_secret_is_read_from_its_file(provider, browser, secret_file):
    provider.user("kim", groups=["aims-auditors"])
    secret_file.write_text("not-the-secret\n", encoding="utf-8")

    page = browser.sign_in("kim")

    assert "The identity provider refused the log-in" in page.text
    assert not User.objects.filter(username="kim").exists()

    secret_file.write_text("client-secret-of-the-portal\n", encoding="utf-8")
    browser.cookies.clear()
    assert browser.sign_in("kim").url == f"{browser.portal}/"


def test_log_out_ends_the_session_here_and_at_the_provider(provider, browser):
    provider.user("lena", groups=["aims-auditors"])
    browser.sign_in("lena")

    page = browser.csrf_post("/accounts/logout/")

    assert page.url.startswith(f"{browser.portal}/accounts/login/")
    assert portal_user(browser) is None
    # The provider asks for the password again.
    browser.provider_login_page()
