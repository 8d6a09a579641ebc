"""Controls that take a while show that they are at work, and come back once they are done."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import ContextIssueFactory

pytestmark = pytest.mark.browser


def hold(page, pattern):
    """Requests matching the pattern wait until the test lets them go: the busy state is seen."""
    held = []
    page.route(pattern, lambda route: held.append(route))
    return held


def test_an_export_shows_it_is_preparing_until_the_file_has_arrived(
    page, log_in, live_server, compliance_officer
):
    ContextIssueFactory(title="Supplier lock-in")
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/context/issues/")
    held = hold(page, "**/export/csv/**")
    link = page.get_by_role("link", name="CSV")

    with page.expect_download() as download_info:
        link.click()
        busy = page.locator("a.is-busy")
        expect(busy).to_have_attribute("aria-busy", "true")
        expect(busy).to_have_attribute("aria-disabled", "true")
        expect(busy.get_by_role("status")).to_have_text("Preparing …")
        expect(busy.locator(".spinner-border")).to_be_visible()
        # A second click while it works asks for nothing more.
        busy.click(force=True)
        page.wait_for_function("() => true")
        assert len(held) == 1
        held[0].continue_()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    assert "Supplier lock-in" in Path(download.path()).read_text(encoding="utf-8-sig")
    # Done: the link is itself again.
    expect(page.locator("a.is-busy")).to_have_count(0)
    expect(link).not_to_have_attribute("aria-busy", "true")
    expect(link).to_have_text("CSV")


def test_an_entry_pdf_comes_back_as_a_download_and_the_button_is_restored(
    page, log_in, live_server, compliance_officer
):
    issue = ContextIssueFactory(title="Energy use")
    log_in(compliance_officer)
    page.goto(f"{live_server.url}{issue.get_absolute_url()}")
    held = hold(page, "**/pdf/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Entry as PDF").click()
        expect(page.locator("a.is-busy .spinner-border")).to_be_visible()
        held[0].continue_()
    assert download_info.value.suggested_filename.endswith(".pdf")
    expect(page.get_by_role("link", name="Entry as PDF")).to_be_visible()
    expect(page.locator(".is-busy")).to_have_count(0)
