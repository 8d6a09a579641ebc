"""Looks that used to be inline styles, drawn from the portal's stylesheet under the policy."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aims.core.models import Notification
from tests.factories import AISystemFactory

pytestmark = pytest.mark.browser


def width_share(page, bar):
    """The bar's width as a share of its track, in whole percent."""
    inner = page.locator(bar).first.bounding_box()["width"]
    outer = page.locator(bar).first.locator("xpath=..").bounding_box()["width"]
    return round(100 * inner / outer)


def test_progress_bars_take_their_width_from_the_stylesheet(
    page, log_in, live_server, compliance_officer
):
    AISystemFactory(ai_act_roles=["deployer"])
    AISystemFactory(ai_act_roles=["provider"])
    system = AISystemFactory(ai_act_roles=["provider", "deployer"])
    log_in(compliance_officer)

    page.goto(f"{live_server.url}{reverse('inventory:dashboard')}")
    # Two of the three systems are providers.
    assert width_share(page, ".progress-bar.bar-provider") == 67

    page.goto(f"{live_server.url}{reverse('inventory:classify', args=[system.pk])}")
    assert page.locator(".progress-bar").get_attribute("class").startswith("progress-bar pct-")
    steps = page.get_by_text("Step 1 of").inner_text().split()[-1]
    assert width_share(page, ".progress-bar") == round(100 / int(steps))


@pytest.mark.parametrize(
    "persona", ["compliance_officer", "ai_officer", "system_owner", "internal_auditor"]
)
def test_the_navigation_fits_1280_pixels_in_german_for_every_role(
    page, log_in, live_server, make_user, persona
):
    # Long German names and roles, unread notifications and work waiting: the widest bar.
    user = make_user(persona, first_name="Sabine", last_name="Wolff-Lüdenscheid")
    Notification.objects.bulk_create(Notification(recipient=user, message="-") for _ in range(12))
    AISystemFactory(owner=user, reclassification_needed=True)
    log_in(user)
    page.get_by_label("Language").select_option("de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("link", name="Übersicht")).to_be_visible()
    expect(page.locator("#my-work-count")).not_to_be_empty()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    # With a wider font than this machine's (each machine has its own), the bar wraps instead.
    page.evaluate(
        "document.querySelectorAll('#main-nav *').forEach(e => e.style.letterSpacing = '.1em')"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    for control in ("Sprache", "Abmelden"):
        box = page.get_by_label(control, exact=True).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
