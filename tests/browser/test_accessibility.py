"""Usable by keyboard, on a phone and in dark mode; contrast checked by axe-core."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aims.core.models import Notification
from tests.browser.accessibility import violations_on
from tests.factories import (
    AIMSActivityFactory,
    AIMSRoleFactory,
    AISystemFactory,
    RACIAssignmentFactory,
    RiskFactory,
)

pytestmark = pytest.mark.browser


def test_the_skip_link_moves_the_keyboard_to_the_content(
    page, log_in, live_server, compliance_officer
):
    log_in(compliance_officer)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    # The next Tab goes on from the content, not from the top of the navigation.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_pages_fit_a_phone_without_sideways_scrolling(
    page, log_in, live_server, compliance_officer
):
    risk = RiskFactory(title="Prompt injection through customer e-mails with a long title")
    role = AIMSRoleFactory(name="Chief AI governance officer")
    activity = AIMSActivityFactory(name="Approve the AI policy and its exceptions")
    RACIAssignmentFactory(role=role, activity=activity)
    AISystemFactory(owner=compliance_officer, reclassification_needed=True)
    log_in(compliance_officer)
    page.set_viewport_size({"width": 390, "height": 844})
    for url in (
        reverse("core:dashboard"),
        reverse("core:my_work"),
        reverse("risks:risk_list"),
        risk.get_absolute_url(),
        reverse("context:raci_matrix"),
        reverse("context:contextissue_list"),
    ):
        page.goto(f"{live_server.url}{url}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{url} is {width} px wide"


def test_dark_mode_follows_the_system_until_the_user_chooses(
    page, log_in, live_server, compliance_officer
):
    html = page.locator("html")
    page.emulate_media(color_scheme="dark")
    log_in(compliance_officer)
    expect(html).to_have_attribute("data-bs-theme", "dark")
    page.emulate_media(color_scheme="light")
    expect(html).to_have_attribute("data-bs-theme", "light")

    page.get_by_role("button", name="Colour mode").click()
    page.get_by_role("button", name="Dark").click()
    expect(html).to_have_attribute("data-bs-theme", "dark")
    # Remembered, and already set before the page is painted (the head script runs first).
    page.reload()
    expect(html).to_have_attribute("data-bs-theme", "dark")
    page.get_by_role("button", name="Colour mode").click()
    expect(page.get_by_role("button", name="Dark")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="As the system").click()
    expect(html).to_have_attribute("data-bs-theme", "light")
    page.emulate_media(color_scheme="dark")
    expect(html).to_have_attribute("data-bs-theme", "dark")


def test_the_dashboard_passes_axe_in_both_colour_modes(
    page, log_in, live_server, compliance_officer
):
    # Attention items (warning-coloured rows with links), notifications and work waiting.
    AISystemFactory(owner=compliance_officer, reclassification_needed=True)
    Notification.objects.create(recipient=compliance_officer, message="A review is due.")
    log_in(compliance_officer)
    expect(page.locator("#attention-heading")).to_be_visible()
    assert violations_on(page) == []
    page.get_by_label("Language").select_option("de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    assert violations_on(page) == []
