"""The search box in the navigation, as a user meets it."""

import pytest
from playwright.sync_api import expect

from tests.factories import AISystemFactory, RiskFactory

pytestmark = pytest.mark.browser


def test_the_navigation_search_finds_entries_and_opens_references(
    page, log_in, live_server, compliance_officer
):
    system = AISystemFactory(name="Schadenprüfung Kfz", purpose="Prüft Kfz-Schäden.")
    risk = RiskFactory(title="Verzerrte Kfz-Gutachten")
    log_in(compliance_officer)

    # "/" moves to the search box from anywhere outside a text field.
    page.keyboard.press("/")
    box = page.get_by_role("searchbox", name="Search all registers")
    expect(box).to_be_focused()
    box.fill("kfz")
    box.press("Enter")

    expect(page.get_by_role("heading", name="Search", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="AI systems")).to_be_visible()
    expect(page.get_by_role("heading", name="Risks", exact=False).first).to_be_visible()
    page.get_by_role("link", name=f"{system.reference} Schadenprüfung Kfz").click()
    page.wait_for_url(f"{live_server.url}{system.get_absolute_url()}")

    box = page.get_by_role("searchbox", name="Search all registers")
    box.fill(risk.reference)
    box.press("Enter")
    page.wait_for_url(f"{live_server.url}{risk.get_absolute_url()}")


def test_the_search_box_is_in_the_collapsed_menu_on_small_screens(page, log_in, compliance_officer):
    log_in(compliance_officer)
    page.set_viewport_size({"width": 400, "height": 800})
    box = page.get_by_role("searchbox", name="Search all registers")
    expect(box).to_be_hidden()

    page.get_by_role("button", name="Toggle navigation").click()

    expect(box).to_be_visible()
