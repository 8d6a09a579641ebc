"""Bulk edit of the Statement of Applicability in a real browser: three entries selected on the
list, an owner and a next review set for all of them, confirmed, and seen on the list."""

from datetime import date

import pytest
from playwright.sync_api import expect

from controls.catalogue import load_catalogues
from controls.models import Control, ControlObjective, SoAEntry
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

CODES = ("A.2.2", "A.2.3", "A.2.4")


def test_the_compliance_officer_sets_owner_and_next_review_on_three_soa_entries(
    page, log_in, live_server, compliance_officer
):
    load_catalogues(ControlObjective, Control, SoAEntry)  # live-server tests flush the database
    owner = UserFactory(username="berg", first_name="Anna", last_name="Berg")
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/controls/soa/")
    table = page.locator("#register-table")
    # The catalogue under its objectives, paged like every register.
    expect(table.get_by_role("columnheader", name="A.2 Policies related to AI")).to_be_visible()
    expect(page.get_by_role("navigation", name="Table navigation")).to_be_visible()

    for code in CODES:
        page.get_by_role("checkbox", name=f"Select {code} (organization-wide)").check()
    page.get_by_role("button", name="Bulk edit selected").click()

    expect(page.get_by_role("heading", name="Bulk edit")).to_be_visible()
    expect(page.get_by_text("3 entries selected.")).to_be_visible()
    page.get_by_label("Owner", exact=True).select_option(label="Anna Berg")
    page.get_by_label("Next review", exact=True).fill("2027-03-31")
    page.get_by_role("button", name="Check the changes").click()

    confirmation = page.locator("#bulk-confirmation")
    expect(confirmation).to_contain_text("3 of 3 selected entries will change:")
    expect(confirmation).to_contain_text("Anna Berg")
    assert [e.owner for e in SoAEntry.objects.filter(control__code__in=CODES)] == [None] * 3
    page.get_by_role("button", name="Apply to 3 entries").click()

    expect(page.get_by_text("Changed 3 of 3 selected entries.")).to_be_visible()
    for code in CODES:
        row = table.locator("tr", has=page.get_by_role("link", name=code, exact=True))
        expect(row).to_contain_text("Anna Berg")
        expect(row).to_contain_text("31 Mar 2027")
    stored = SoAEntry.objects.filter(control__code__in=CODES, ai_system=None)
    assert {(e.owner, e.next_review) for e in stored} == {(owner, date(2027, 3, 31))}
    untouched = SoAEntry.objects.get(control__code="A.3.2", ai_system=None)
    assert (untouched.owner, untouched.next_review, untouched.version) == (None, None, 1)


def test_select_all_checks_every_row_of_the_page(
    page, log_in, live_server, compliance_officer, settings
):
    load_catalogues(ControlObjective, Control, SoAEntry)
    on_a_page = settings.REGISTER_PAGE_SIZE
    assert SoAEntry.objects.count() > on_a_page
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/controls/soa/")
    page.get_by_role("checkbox", name="Select all entries on this page").check()
    boxes = page.locator('input[name="pk"][form="bulk-edit-form"]')
    expect(boxes).to_have_count(on_a_page)
    assert all(box.is_checked() for box in boxes.all())
    page.get_by_role("button", name="Bulk edit selected").click()
    expect(page.get_by_text(f"{on_a_page} entries selected.")).to_be_visible()
