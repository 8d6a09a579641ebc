"""A user creates a personal API token from the account menu, copies it from the one page that
shows it, uses it against the live API, and revokes it after a confirmation."""

import re

import pytest
import requests
from django.urls import reverse
from playwright.sync_api import expect

from aims.core.models import ApiToken
from tests.browser.accessibility import violations_on

pytestmark = pytest.mark.browser


def api_status(live_server, text):
    url = live_server.url + reverse("api:risks.risk-list")
    return requests.get(url, headers={"Authorization": f"Bearer {text}"}, timeout=10).status_code


def test_a_token_is_created_shown_once_used_and_revoked(
    page, log_in, live_server, compliance_officer
):
    log_in(compliance_officer)
    page.get_by_role("button", name="Account").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no API tokens yet.")).to_be_visible()

    page.get_by_label("Name").fill("ML pipeline")
    page.get_by_label("30 days").check()
    page.get_by_role("button", name="Create token").click()

    expect(page.get_by_role("heading", name="API token created")).to_be_visible()
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    field = page.get_by_label("Your new token")
    text = field.input_value()
    assert ApiToken.FORMAT.fullmatch(text)
    assert violations_on(page) == []  # this page is reached by a POST: axe runs here
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == text

    assert api_status(live_server, text) == 200

    # Reloading sends the form again: refused (the name is taken), and the token is not shown.
    page.reload()
    assert text not in page.content()
    expect(page.get_by_text("You already have an active token of this name.")).to_be_visible()
    assert ApiToken.objects.count() == 1

    page.get_by_role("button", name="Account").click()
    page.get_by_role("link", name="API tokens").click()
    row = page.get_by_role("row", name=re.compile("ML pipeline"))
    token = ApiToken.objects.get()
    expect(row).to_contain_text(token.key_id)
    expect(row).to_contain_text("Active")
    expect(row).not_to_contain_text("never")  # used once, through the API
    page.reload()
    assert text not in page.content()

    row.get_by_role("link", name=re.compile("Revoke")).click()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    token.refresh_from_db()
    assert token.revoked_at is None  # asking is not revoking
    page.get_by_role("button", name="Yes, revoke").click()
    expect(page.get_by_text("The token “ML pipeline” is revoked.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("ML pipeline"))).to_contain_text("Revoked")
    assert api_status(live_server, text) == 401
