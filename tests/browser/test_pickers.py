"""The controls picker of the risk form in a real browser: a few letters typed, a control chosen
with the arrow keys and Enter, saved, and shown on the risk; the catalogue under its groups."""

import re

import pytest
from playwright.sync_api import expect

from controls.catalogue import load_catalogues
from controls.models import Control, ControlObjective, SoAEntry
from tests.factories import RiskFactory, active_criteria

pytestmark = pytest.mark.browser

TARGET = "A.6.2.4 AI system verification and validation"


def test_a_control_is_found_by_typing_and_chosen_with_the_keyboard(
    page, log_in, live_server, compliance_officer
):
    load_catalogues(ControlObjective, Control, SoAEntry)  # live-server tests flush the database
    active_criteria()
    risk = RiskFactory(title="Prompt injection", controls=["A.2.2"])
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/risks/register/{risk.pk}/edit/")
    # Only the chosen control is in the page; the catalogue comes from the search.
    assert page.locator("select#id_controls option").count() == 1

    picker = page.locator("#id_controls-ts-control")
    picker.click()
    dropdown = page.locator("#id_controls-ts-dropdown")
    expect(dropdown.locator(".optgroup-header").first).to_have_text(
        "ISO/IEC 42001 Annex A · A.2 Policies related to AI"
    )
    picker.press_sequentially("A.6.2")
    expect(dropdown.get_by_role("option", name=TARGET)).to_be_visible()
    expect(dropdown.locator(".optgroup-header")).to_have_text(
        ["ISO/IEC 42001 Annex A · A.6 AI system life cycle"]
    )
    for _ in range(10):  # down the list to the wanted control, as a user would
        if dropdown.locator(".option.active").text_content() == TARGET:
            break
        picker.press("ArrowDown")
    expect(dropdown.locator(".option.active")).to_have_text(TARGET)
    picker.press("Enter")
    picker.press("Escape")
    expect(page.locator(".ts-control .item", has_text="A.6.2.4")).to_be_visible()

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("Prompt injection"))).to_be_visible()
    expect(page.locator("main")).to_contain_text("A.6.2.4")
    assert sorted(risk.controls.values_list("code", flat=True)) == ["A.2.2", "A.6.2.4"]


def test_no_match_says_so(page, log_in, live_server, compliance_officer):
    load_catalogues(ControlObjective, Control, SoAEntry)
    active_criteria()
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/risks/register/add/")
    picker = page.locator("#id_controls-ts-control")
    picker.click()
    picker.press_sequentially("zzzz-no-such-control")
    expect(page.locator("#id_controls-ts-dropdown .no-results")).to_have_text("No results")
