"""The Statement of Applicability in a real browser: an exclusion justified, a version issued by
the compliance officer, approved by the AI officer and printed for the auditor."""

from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from controls.catalogue import load_catalogues
from controls.models import Control, ControlObjective, SoAEntry, SoAVersion
from tests.factories import justify_soa_entries

pytestmark = pytest.mark.browser

JUSTIFICATION = "We provide no AI products or services to customers; only staff use our systems."


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def pdf_text(path):
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())  # table cells wrap lines where the text has spaces


def test_an_excluded_control_is_issued_approved_by_someone_else_and_printed_for_the_auditor(
    page, log_in, live_server, compliance_officer, ai_officer, auditor
):
    load_catalogues(ControlObjective, Control, SoAEntry)  # live-server tests flush the database
    justify_soa_entries()  # a version is issued only with every included control justified
    entry = SoAEntry.objects.get(control__code="A.10.4", ai_system=None)
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/controls/soa/")
    page.get_by_label("Search", exact=True).fill("A.10.4")
    # Entry rows; the list also shows its Annex A objective as a heading row.
    rows = page.locator("#register-table tbody tr:not(.register-group)")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Organization-wide")
    # The row's link opens the entry itself (its control's page is linked from there).
    rows.get_by_role("link", name="A.10.4", exact=True).click()
    expect(page.get_by_role("heading", name="A.10.4 (organization-wide)")).to_be_visible()

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Applicable", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_exclusion_justification_error")).to_have_text(
        "Say why the control is excluded: an exclusion needs a justification."
    )
    expect(page.get_by_label("Applicable", exact=True)).not_to_be_checked()
    page.get_by_label("Justification for exclusion").fill(JUSTIFICATION)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="A.10.4 (organization-wide)")).to_be_visible()
    expect(page.get_by_text(JUSTIFICATION)).to_be_visible()
    entry.refresh_from_db()
    assert (entry.applicable, entry.exclusion_justification) == (False, JUSTIFICATION)

    page.get_by_role("link", name="Statement of Applicability", exact=True).click()
    page.get_by_label("Summary of changes").fill("A.10.4 excluded: no customers.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Issue version").click()
    expect(
        page.get_by_text(
            "Version 1 of the Statement of Applicability is issued and awaits approval."
        )
    ).to_be_visible()
    expect(page.get_by_role("heading", name="SoA version 1")).to_be_visible()
    expect(page.get_by_role("link", name="Decide")).to_have_count(0)
    expect(
        page.get_by_text("Only the AI officer approves the Statement of Applicability.")
    ).to_be_visible()
    version = SoAVersion.objects.get()
    assert (version.number, version.status, version.issued_by) == (
        1,
        SoAVersion.Status.AWAITING_APPROVAL,
        compliance_officer,
    )
    log_out(page)

    log_in(ai_officer)
    page.get_by_role("link", name="SoA versions awaiting your decision: 1").click()
    page.locator("#register-table").get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_role("heading", name="SoA version 1")).to_be_visible()
    page.get_by_role("link", name="Decide").click()
    expect(
        page.get_by_role("heading", name="Statement of Applicability: decide on SoA version 1")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("A.10.4 excluded: no customers.")
    expect(page.locator("main")).to_contain_text(version.sha256)
    page.get_by_label("Approve").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{version.get_absolute_url()}")
    expect(page.get_by_role("link", name="Decide")).to_have_count(0)
    version.refresh_from_db()
    assert (version.status, version.decided_by) == (SoAVersion.Status.APPROVED, ai_officer)
    log_out(page)

    log_in(auditor)
    page.get_by_role("button", name="Controls & SoA").click()
    page.get_by_role("link", name="SoA versions", exact=True).click()
    page.locator("#register-table").get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_role("heading", name="SoA version 1")).to_be_visible()
    expect(page.get_by_role("link", name="Decide")).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "statement-of-applicability-v1.pdf"
    text = pdf_text(Path(download.path()))
    assert "A.10.4" in text
    assert JUSTIFICATION in text
    assert "Approved" in text
