"""Single sign-on in a real browser: an auditor signs in through the OpenID provider
(tests/sso/conftest.py), reads the risk register, and logs out of the portal and the provider.
The log-out's redirect to the provider passes the portal's Content-Security-Policy."""

import copy

import pytest
from playwright.sync_api import expect

from aims.core import roles
from aims.core.models import User
from aims.core.sso_config import origin
from tests.sso import conftest as sso

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("sso_settings")]

# The provider and the portal's single sign-on settings of the tests in tests/sso.
provider = sso.provider
secret_file = sso.secret_file
sso_settings = sso.sso_settings


@pytest.fixture
def provider_in_policy(settings, provider):
    """The policy settings.py builds when AIMS_OIDC_ISSUER is set at start-up."""
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(origin(provider.issuer))
    settings.CONTENT_SECURITY_POLICY = policy


def test_an_auditor_signs_in_through_the_provider(
    page,
    live_server,
    visits,
    provider,
    provider_in_policy,
):
    provider.user("olga", groups=["aims-auditors"], first_name="Olga", last_name="Ober")
    page.goto(f"{live_server.url}/risks/register/")

    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.get_by_label("User").fill("olga")
    page.get_by_label("Secret").fill(sso.PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()

    page.wait_for_url(f"{live_server.url}/risks/register/")
    visits.user = User.objects.get(username="olga")
    assert set(visits.user.groups.values_list("name", flat=True)) == {roles.AUDITOR}
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    visits.user = None
    # Logged out at the provider too: single sign-on asks for the password again.
    page.get_by_role("link", name="Sign in with single sign-on").click()
    expect(page.get_by_label("Secret")).to_be_visible()
