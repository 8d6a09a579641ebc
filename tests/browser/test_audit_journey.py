"""An internal audit in a real browser: the internal auditor starts it, records a minor
nonconformity on a checklist item and raises it; the compliance officer corrects it and plans
and completes the corrective action they own, so someone else verifies its effectiveness and
closes it; the external auditor downloads the audit report."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from aims.core import roles
from audits.internal.checklist import system_question
from audits.models import (
    Audit,
    AuditResult,
    ChecklistItem,
    Clause,
    CorrectiveAction,
    EffectivenessCheck,
    Nonconformity,
)
from audits.models.clauses import load_clauses
from controls.catalogue import load_catalogues
from controls.models import Control, ControlObjective, SoAEntry
from tests.factories import AISystemFactory, AuditFactory, UserFactory

pytestmark = pytest.mark.browser

NOTES = "Two of ten sampled risks had no owner."
CORRECTION = "Owners assigned to the two risks by the risk manager."
ROOT_CAUSE = "The risk form lets a risk be saved without an owner."
ACTION = "Make the owner a required field of the risk form"
METHOD = "Re-sample ten risks after three months; all must have an owner."
FINDINGS = "Ten of ten re-sampled risks have an owner."


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def pdf_text(path):
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())  # table cells wrap lines where the text has spaces


def life_cycle_step(page):
    """The nonconformity's current state in its life-cycle line."""
    return page.get_by_role("list", name="Life cycle").locator("[aria-current=step]")


def back_to_nonconformity(page):
    """From a corrective action or an effectiveness check, through its nonconformity field."""
    page.locator("main dl").get_by_role("link", name=re.compile(r"^NC-0001 ")).click()
    expect(page.get_by_role("list", name="Life cycle")).to_be_visible()


def open_from_menu(page, register, reference):
    menu = page.get_by_role("navigation", name="Main navigation")
    menu.get_by_role("button", name="Audits & Review").click()
    menu.get_by_role("link", name=register, exact=True).click()
    page.locator("#register-table tbody").get_by_role("link", name=reference, exact=True).click()


def test_an_audit_finding_becomes_a_nonconformity_closed_by_someone_else_and_reported(
    page, log_in, live_server, transactional_db
):
    # Live-server tests flush the database: the shipped clauses and controls are loaded again.
    load_clauses(Clause)
    load_catalogues(ControlObjective, Control, SoAEntry)
    system = AISystemFactory(reference="AIS-001", name="Claims triage model")
    internal_auditor = UserFactory(
        username="ines", first_name="Ines", last_name="Weber", role=roles.INTERNAL_AUDITOR
    )
    compliance_officer = UserFactory(
        username="clara", first_name="Clara", last_name="Berger", role=roles.COMPLIANCE_OFFICER
    )
    verifier = UserFactory(
        username="vera", first_name="Vera", last_name="Lindqvist", role=roles.COMPLIANCE_OFFICER
    )
    auditor = UserFactory(username="ada", first_name="Ada", last_name="Novak", role=roles.AUDITOR)
    # Saving the audit gives its lead auditor the team's object permissions (audits/internal/
    # team.py, connected when the registers load).
    audit = AuditFactory(
        title="Risk management and AI system records",
        lead_auditor=internal_auditor,
        planned_start=datetime.date(2027, 3, 1),
        planned_end=datetime.date(2027, 3, 5),
    )
    audit.clauses.set(Clause.objects.filter(code__in=["6.1.2", "8.4"]))
    audit.controls.set(Control.objects.filter(framework="iso42001", code="A.6.2.4"))
    audit.ai_systems.set([system])
    assert audit.reference == "AUD-2027-01"
    heading = "AUD-2027-01 Risk management and AI system records"
    clause = Clause.objects.get(code="6.1.2")
    today = timezone.localdate()

    # The internal auditor starts the audit: the checklist is generated from the scope.
    log_in(internal_auditor)
    open_from_menu(page, "Audits", "AUD-2027-01")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    checklist = page.locator("section", has=page.get_by_role("heading", name="Checklist"))
    expect(checklist).to_contain_text("The checklist is generated from the scope")
    page.get_by_role("button", name="Start the audit").click()
    expect(page.get_by_text("Audit started; the checklist has been generated.")).to_be_visible()
    expect(page.locator("main span.badge").first).to_have_text("In progress")
    items = checklist.get_by_role("listitem")
    expect(items).to_have_count(4)
    expect(items.nth(0)).to_contain_text(f"6.1.2 {clause.localized_title}")
    expect(items.nth(1)).to_contain_text("8.4")
    expect(items.nth(2)).to_contain_text("A.6.2.4")
    expect(items.nth(3)).to_contain_text(f"AIS-001 {system_question(system)}")
    for item in items.all():
        expect(item).to_contain_text("Open")
    expect(checklist).to_contain_text("0 of 4 items have a result.")
    progress = checklist.get_by_role("progressbar", name="Checklist progress")
    expect(progress).to_have_attribute("aria-valuenow", "0")
    audit.refresh_from_db()
    assert audit.status == Audit.Status.IN_PROGRESS
    assert audit.actual_start == today
    assert [i.subject_code for i in audit.checklist.order_by("position")] == [
        "6.1.2",
        "8.4",
        "A.6.2.4",
        "AIS-001",
    ]

    # A minor nonconformity on 6.1.2, raised in one step.
    item = ChecklistItem.objects.get(audit=audit, clause=clause)
    checklist.get_by_role("link", name=re.compile(r"^6\.1\.2 ")).click()
    expect(page).to_have_url(f"{live_server.url}{item.get_absolute_url()}")
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Result").select_option(label="Minor nonconformity")
    page.get_by_label("Audit notes").fill(NOTES)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{live_server.url}{item.get_absolute_url()}")
    expect(page.locator("main .badge").first).to_have_text("Minor nonconformity")
    item.refresh_from_db()
    assert (item.result, item.notes) == (AuditResult.MINOR, NOTES)
    page.get_by_role("button", name="Raise a nonconformity").click()
    expect(page.get_by_text("Nonconformity NC-0001 raised.")).to_be_visible()
    nonconformity = Nonconformity.objects.get()
    expect(page).to_have_url(f"{live_server.url}{nonconformity.get_absolute_url()}")
    expect(
        page.get_by_role("heading", name=re.compile(r"^NC-0001 Finding on 6\.1\.2"))
    ).to_be_visible()
    expect(life_cycle_step(page)).to_have_text("Open")
    fields = page.locator("main dl")
    expect(fields).to_contain_text("Minor")
    expect(fields).to_contain_text("Internal audit")
    expect(fields).to_contain_text(f"6.1.2 {clause.localized_title}")
    expect(fields).to_contain_text(NOTES)
    back = page.get_by_text("Raised from the audit finding").get_by_role("link")
    expect(back).to_have_attribute("href", item.get_absolute_url())
    assert (
        nonconformity.reference,
        nonconformity.grade,
        nonconformity.source,
        nonconformity.clause,
        nonconformity.audit,
        nonconformity.checklist_item,
        nonconformity.description,
    ) == (
        "NC-0001",
        Nonconformity.Grade.MINOR,
        Nonconformity.Source.INTERNAL_AUDIT,
        clause,
        audit,
        item,
        NOTES,
    )
    # The finding links to its nonconformity.
    back.click()
    expect(page.get_by_text("Nonconformity raised:")).to_be_visible()
    expect(page.get_by_role("button", name="Raise a nonconformity")).to_have_count(0)
    log_out(page)

    # The compliance officer corrects it and plans a corrective action they own.
    log_in(compliance_officer)
    open_from_menu(page, "Nonconformities", "NC-0001")
    expect(life_cycle_step(page)).to_have_text("Open")
    page.get_by_label("Immediate correction").fill(CORRECTION)
    page.get_by_label("Correction done on").fill(today.isoformat())
    page.get_by_role("button", name="Record the correction").click()
    expect(page.get_by_text("NC-0001: Correction done.")).to_be_visible()
    expect(life_cycle_step(page)).to_have_text("Correction done")

    actions = page.locator("section", has=page.get_by_role("heading", name="Corrective actions"))
    actions.get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", name="Add corrective action")).to_be_visible()
    expect(page.get_by_label("Nonconformity")).to_have_value(str(nonconformity.pk))
    due = today + datetime.timedelta(days=30)
    page.get_by_role("textbox", name="Action", exact=True).fill(ACTION)
    page.get_by_label("Action owner").select_option(label="Clara Berger")
    page.get_by_label("Due date").fill(due.isoformat())
    page.get_by_role("button", name="Save").click()
    action = CorrectiveAction.objects.get()
    expect(page).to_have_url(f"{live_server.url}{action.get_absolute_url()}")
    assert (action.owner, action.due_date, action.status) == (
        compliance_officer,
        due,
        CorrectiveAction.Status.PLANNED,
    )
    back_to_nonconformity(page)
    page.get_by_label("Root-cause analysis").fill(ROOT_CAUSE)
    page.get_by_label("Cause category").select_option(label="Process missing or unclear")
    page.get_by_role("button", name="Actions planned").click()
    expect(page.get_by_text("NC-0001: Actions planned.")).to_be_visible()
    expect(life_cycle_step(page)).to_have_text("Actions planned")

    # The action is done, then all actions are, and an effectiveness check is planned.
    actions = page.locator("section", has=page.get_by_role("heading", name="Corrective actions"))
    expect(actions.get_by_role("listitem")).to_contain_text("Clara Berger")
    actions.get_by_role("link", name=ACTION).click()
    page.get_by_role("button", name="Report the action done").click()
    expect(page.get_by_text("Action reported done.")).to_be_visible()
    back_to_nonconformity(page)
    page.get_by_role("button", name="All actions done").click()
    expect(page.get_by_text("NC-0001: Actions done.")).to_be_visible()
    expect(life_cycle_step(page)).to_have_text("Actions done")
    expect(page.get_by_text("All actions are done. Plan an effectiveness check")).to_be_visible()
    checks = page.locator("section", has=page.get_by_role("heading", name="Effectiveness checks"))
    checks.get_by_role("link", name="Plan a check").click()
    expect(page.get_by_label("Nonconformity")).to_have_value(str(nonconformity.pk))
    page.get_by_label("Method").fill(METHOD)
    page.get_by_label("Check due on").fill((today + datetime.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Save").click()
    check = EffectivenessCheck.objects.get()
    expect(page).to_have_url(f"{live_server.url}{check.get_absolute_url()}")
    back_to_nonconformity(page)

    # Four-eyes: who owns an action neither verifies its effectiveness nor closes.
    expect(page.get_by_text("You own a corrective action of this nonconformity")).to_be_visible()
    for name in ("Record the effectiveness check", "Close the nonconformity"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    nonconformity.refresh_from_db()
    action.refresh_from_db()
    assert nonconformity.status == Nonconformity.Status.ACTIONS_DONE
    assert (nonconformity.correction, nonconformity.correction_date) == (CORRECTION, today)
    assert (nonconformity.root_cause, nonconformity.cause_category) == (ROOT_CAUSE, "process")
    assert (action.status, action.done_on) == (CorrectiveAction.Status.DONE, today)
    log_out(page)

    # Someone who owns no action verifies the effectiveness and closes the nonconformity.
    log_in(verifier)
    open_from_menu(page, "Nonconformities", "NC-0001")
    expect(page.get_by_role("button", name="Close the nonconformity")).to_have_count(0)
    page.get_by_label("Effective", exact=True).check()
    page.get_by_label("What was found").fill(FINDINGS)
    page.get_by_role("button", name="Record the effectiveness check").click()
    expect(page.get_by_text("NC-0001: Effectiveness verified.")).to_be_visible()
    expect(life_cycle_step(page)).to_have_text("Effectiveness verified")
    checks = page.locator("section", has=page.get_by_role("heading", name="Effectiveness checks"))
    expect(checks).to_contain_text("Effective")
    expect(checks).to_contain_text("Checked by Vera Lindqvist on")
    page.get_by_role("button", name="Close the nonconformity").click()
    expect(page.get_by_text("NC-0001: Closed.")).to_be_visible()
    expect(life_cycle_step(page)).to_have_text("Closed")
    expect(page.get_by_text("Closed by Vera Lindqvist on")).to_be_visible()
    for name in ("Edit", "Delete"):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
    nonconformity.refresh_from_db()
    check.refresh_from_db()
    assert (nonconformity.status, nonconformity.closed_by, nonconformity.closed_on) == (
        Nonconformity.Status.CLOSED,
        verifier,
        today,
    )
    assert (check.result, check.checked_by, check.notes) == (
        EffectivenessCheck.Result.EFFECTIVE,
        verifier,
        FINDINGS,
    )
    log_out(page)

    # The external auditor reads the audit, changes nothing and downloads its report.
    log_in(auditor)
    open_from_menu(page, "Audits", "AUD-2027-01")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_text("1 of 4 items have a result.")).to_be_visible()
    progress = page.get_by_role("progressbar", name="Checklist progress")
    expect(progress).to_have_attribute("aria-valuenow", "25")
    for name in ("Start the audit", "Mark as reported", "Close the audit"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    for name in ("Edit", "Delete", "Add an item", "Import a checklist"):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the audit report (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == "AUD-2027-01-audit-report.pdf"
    text = pdf_text(Path(download.path()))
    assert "AUD-2027-01" in text
    assert NOTES in text
    assert "NC-0001" in text
    assert "Closed" in text
