"""A management review in a real browser: the compliance officer prepares it, sees the inputs the
portal compiled (the open nonconformity, a KPI chart), records a decision and an action and
submits the minutes; the chair approves them, which freezes the record with its SHA-256; the
external auditor downloads the minutes."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from aims.core import roles
from audits.models import Clause, ManagementReview, Nonconformity, ReviewAction, ReviewDecision
from audits.models.clauses import load_clauses
from controls.catalogue import load_catalogues
from controls.models import Control, ControlObjective, SoAEntry
from tests.decisions import decide_url
from tests.factories import (
    AISystemFactory,
    KPIFactory,
    MeasurementFactory,
    NonconformityFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser

DECISION = "Fund a second validator for the claims triage model."
ACTION = "Hire a second model validator"


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def pdf_text(path):
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())  # table cells wrap lines where the text has spaces


def open_review(page, reference):
    menu = page.get_by_role("navigation", name="Main navigation")
    menu.get_by_role("button", name="Audits & Review").click()
    menu.get_by_role("link", name="Management reviews", exact=True).click()
    page.locator("#register-table tbody").get_by_role("link", name=reference, exact=True).click()


def test_a_management_review_is_prepared_approved_by_the_chair_and_its_minutes_downloaded(
    page, log_in, live_server, transactional_db
):
    # Live-server tests flush the database: the shipped clauses and controls are loaded again.
    load_clauses(Clause)
    load_catalogues(ControlObjective, Control, SoAEntry)
    today = timezone.localdate()
    AISystemFactory(reference="AIS-001", name="Claims triage model")
    compliance_officer = UserFactory(
        username="clara", first_name="Clara", last_name="Berger", role=roles.COMPLIANCE_OFFICER
    )
    chair = UserFactory(
        username="otto", first_name="Otto", last_name="Keller", role=roles.AI_OFFICER
    )
    auditor = UserFactory(username="ada", first_name="Ada", last_name="Novak", role=roles.AUDITOR)
    nonconformity = NonconformityFactory(
        title="Risks without an owner",
        grade=Nonconformity.Grade.MAJOR,
        source=Nonconformity.Source.INTERNAL_AUDIT,
    )
    kpi = KPIFactory(name="Model accuracy", owner=compliance_officer)
    for months_ago, value in ((3, 96), (2, 93), (1, 89)):
        end = today - datetime.timedelta(days=30 * months_ago)
        MeasurementFactory(
            kpi=kpi, period_start=end - datetime.timedelta(days=27), period_end=end, value=value
        )

    # The compliance officer prepares the review through the add form.
    log_in(compliance_officer)
    menu = page.get_by_role("navigation", name="Main navigation")
    menu.get_by_role("button", name="Audits & Review").click()
    menu.get_by_role("link", name="Management reviews", exact=True).click()
    page.get_by_role("link", name="Add").first.click()
    page.get_by_label("Title").fill("Management review spring")
    page.get_by_label("Date of the review").fill(today.isoformat())
    page.get_by_label("Period from").fill((today - datetime.timedelta(days=120)).isoformat())
    page.get_by_label("Chair").select_option(label="Otto Keller")
    page.get_by_label("Minute-taker").select_option(label="Clara Berger")
    page.get_by_role("button", name="Save").click()
    review = ManagementReview.objects.get()
    reference = f"MR-{today.year}-1"
    assert review.reference == reference
    expect(page).to_have_url(f"{live_server.url}{review.get_absolute_url()}")

    # The compiled inputs: the open nonconformity under d) and the KPI's chart.
    inputs = page.locator("section", has=page.get_by_role("heading", name="Inputs to the review"))
    expect(inputs.get_by_role("link", name=nonconformity.reference, exact=True)).to_be_visible()
    expect(inputs).to_contain_text("Risks without an owner")
    expect(inputs.get_by_role("link", name=f"{kpi.reference} Model accuracy")).to_be_visible()
    expect(inputs.locator(".kpi-chart svg")).to_be_visible()

    # A decision and an action, each through the review page's parts.
    decisions = page.locator("section", has=page.get_by_role("heading", name="Review decisions"))
    decisions.get_by_role("link", name="Add").click()
    page.get_by_label("Category").select_option(label="Resources")
    page.get_by_label("Decision").fill(DECISION)
    page.get_by_role("button", name="Save").click()
    page.goto(f"{live_server.url}{review.get_absolute_url()}")
    actions = page.locator("section", has=page.get_by_role("heading", name="Review actions"))
    actions.get_by_role("link", name="Add").click()
    due = today + datetime.timedelta(days=60)
    page.get_by_label("Title").fill(ACTION)
    page.get_by_label("Owner").select_option(label="Clara Berger")
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Save").click()
    page.goto(f"{live_server.url}{review.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(DECISION)
    expect(page.locator("main")).to_contain_text(ACTION)
    page.get_by_role("button", name="Submit the minutes to the chair").click()
    expect(
        page.get_by_text("The minutes were submitted to the chair for approval.")
    ).to_be_visible()
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.SUBMITTED
    # The minute-taker never approves the minutes.
    expect(page.get_by_role("link", name="Approve the minutes")).to_have_count(0)
    log_out(page)

    # The chair approves the minutes from the review's page.
    log_in(chair)
    open_review(page, reference)
    page.get_by_role("link", name="Approve the minutes").click()
    expect(page).to_have_url(f"{live_server.url}{decide_url('management-review', review)}")
    page.get_by_label("Approve and close the review").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{review.get_absolute_url()}")
    review.refresh_from_db()
    assert (review.status, review.approved_by, review.approved_on) == (
        ManagementReview.Status.CLOSED,
        chair,
        today,
    )
    assert re.fullmatch(r"[0-9a-f]{64}", review.snapshot_sha256)
    assert review.snapshot["results"]["decisions"][0]["text"] == DECISION
    expect(page.locator("main span.badge").first).to_have_text("Closed")
    expect(page.get_by_text(f"SHA-256: {review.snapshot_sha256}")).to_be_visible()
    decision = ReviewDecision.objects.get()
    action = ReviewAction.objects.get()
    assert (decision.review, decision.category, decision.text) == (
        review,
        ReviewDecision.Category.RESOURCES,
        DECISION,
    )
    assert (action.review, action.owner, action.due_date, action.status) == (
        review,
        compliance_officer,
        due,
        ReviewAction.Status.OPEN,
    )
    log_out(page)

    # The external auditor downloads the minutes.
    log_in(auditor)
    open_review(page, reference)
    expect(page.get_by_role("link", name="Approve the minutes")).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the minutes (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"{reference}-minutes.pdf"
    text = pdf_text(Path(download.path()))
    assert reference in text
    assert DECISION in text
    assert nonconformity.reference in text
