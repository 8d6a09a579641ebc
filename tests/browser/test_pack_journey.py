"""An audit pack in a real browser: the demo auditor requests a pack of the demo organisation,
watches the progress bar reach "Ready" by itself (HTMX polling, the worker rendering), downloads
the PDF, and its first page is a printed page, not a blank one."""

import pypdfium2
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from aims.core.management.commands.seed_demo import DEMO_PASSWORD
from tests.audits.pack_helpers import load_shipped_data

pytestmark = pytest.mark.browser


def test_the_demo_auditor_requests_a_pack_and_downloads_it_once_ready(page, live_server, worker):
    load_shipped_data()
    call_command("seed_demo", verbosity=0)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("auditor")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")

    menu = page.get_by_role("navigation", name="Main navigation")
    menu.get_by_role("button", name="Audits & Review").click()
    menu.get_by_role("link", name="Audit packs").click()
    expect(page.get_by_label("Evidence index")).to_be_checked()
    page.get_by_role("button", name="Request the pack").click()

    expect(page.get_by_role("heading", name="Audit pack PACK-0001")).to_be_visible()
    expect(page.locator(".pack-progress strong")).to_have_text("Ready", timeout=240_000)
    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download (PDF)").click()
    download = downloading.value
    assert download.suggested_filename == "PACK-0001.pdf"

    first_page = pypdfium2.PdfDocument(download.path())[0].render(scale=1).to_pil()
    grey = first_page.convert("L")
    pixels = grey.width * grey.height
    inked = sum(count for level, count in enumerate(grey.histogram()) if level < 200)
    assert inked / pixels > 0.005  # text on the cover
    assert len(first_page.getcolors(maxcolors=1_000_000)) > 5  # not a blank page
