"""An impact assessment in a real browser: written and submitted by the compliance officer, who
may not decide on it, approved with a condition by the AI officer and read and printed by the
auditor."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from aims.core import roles
from aims.impact.models import AssessmentDecision, Impact, ImpactAssessment
from tests.decisions import decide_url
from tests.factories import AISystemFactory, UserFactory

pytestmark = pytest.mark.browser

CONDITION = "Re-run the age bias test on live claims before the next model release."
MITIGATION = "Claims flagged as low priority for policy holders over 70 are reviewed by a person."


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def status_badge(page):
    return page.locator("main span.badge").first


def pdf_text(path):
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())  # lines wrap where the text has spaces


def test_an_impact_assessment_is_submitted_approved_with_a_condition_and_printed_for_the_auditor(
    page, log_in, live_server, transactional_db
):
    system = AISystemFactory(reference="AIS-001", name="Claims triage model")
    # Roles' groups are recreated after the live-server test's flush (post_migrate).
    compliance_officer = UserFactory(
        username="clara", first_name="Clara", last_name="Berger", role=roles.COMPLIANCE_OFFICER
    )
    ai_officer = UserFactory(
        username="omar", first_name="Omar", last_name="Haddad", role=roles.AI_OFFICER
    )
    auditor = UserFactory(username="ada", first_name="Ada", last_name="Novak", role=roles.AUDITOR)

    # The compliance officer writes the assessment from the AI system's page.
    log_in(compliance_officer)
    page.goto(f"{live_server.url}{system.get_absolute_url()}")
    expect(page.get_by_role("heading", name="AIS-001 Claims triage model")).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="Impact assessments"))
    section.get_by_role("link", name="Add").click()
    expect(page.get_by_role("heading", name="Add impact assessment")).to_be_visible()
    expect(page.get_by_label("AI system")).to_have_value(str(system.pk))
    page.get_by_label("Intended use").fill("Sorts incoming motor claims by urgency for review.")
    page.get_by_label("Reasonably foreseeable misuse").fill(
        "Claims handlers treat the priority as a decision on the claim."
    )
    page.get_by_label("Affected individuals and groups").fill("Policy holders who file claims.")
    page.get_by_label("Vulnerable groups").fill("Older policy holders; people with impairments.")
    page.get_by_label("Human oversight").fill("A claims handler reviews every low-priority claim.")
    page.get_by_label("Overall rating").select_option(label="Medium")
    page.get_by_role("button", name="Save").click()
    # Added from the system's page, the officer is back there and opens the new assessment.
    expect(page.get_by_role("heading", name="AIS-001 Claims triage model")).to_be_visible()
    section.get_by_role("link", name="IA-001").click()
    expect(page.get_by_role("heading", name="IA-001 Claims triage model v1")).to_be_visible()
    expect(status_badge(page)).to_have_text("Draft")
    assessment = ImpactAssessment.objects.get()
    assert (assessment.system, assessment.number, assessment.status) == (
        system,
        1,
        ImpactAssessment.Status.DRAFT,
    )

    # An impact, added from the assessment's impacts section.
    section = page.locator("section", has=page.get_by_role("heading", name="Impacts", exact=True))
    section.get_by_role("link", name="Add an impact").click()
    expect(page.get_by_role("heading", name="Add impact")).to_be_visible()
    expect(page.get_by_label("Impact assessment")).to_have_value(str(assessment.pk))
    page.get_by_label("Area").select_option(label="Fairness")
    page.get_by_label("Affected group").fill("Older policy holders")
    page.get_by_role("textbox", name="Impact", exact=True).fill(
        "The model was trained on few claims of people over 70 and ranks them lower."
    )
    page.get_by_label("Likelihood").select_option(label="Medium")
    page.get_by_label("Severity").select_option(label="High")
    page.get_by_label("Mitigation").fill(MITIGATION)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Fairness: Older policy holders")).to_be_visible()
    impact = Impact.objects.get()
    assert (impact.assessment, impact.likelihood, impact.severity, impact.mitigation) == (
        assessment,
        "medium",
        "high",
        MITIGATION,
    )

    # The impact's page links its assessment.
    page.get_by_role("link", name="IA-001 Claims triage model v1").click()
    expect(page.get_by_role("heading", name="IA-001 Claims triage model v1")).to_be_visible()
    impacts = page.locator("section", has=page.get_by_role("heading", name="Impacts", exact=True))
    expect(impacts.get_by_role("listitem")).to_have_count(1)
    expect(impacts.get_by_role("listitem")).to_contain_text("Fairness: Older policy holders")
    expect(impacts.get_by_role("listitem")).to_contain_text("Severity: High")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Submitted; the AI officer has been told.")).to_be_visible()
    expect(status_badge(page)).to_have_text("Submitted for approval")
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.SUBMITTED

    # The author, who is not the AI officer, finds no way to decide on the assessment.
    refusal = "Only the AI officer decides on impact assessments."
    expect(page.get_by_role("link", name="Decide")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for approval")).to_have_count(0)
    page.goto(f"{live_server.url}{decide_url('impact-assessment', assessment)}")
    expect(page).to_have_url(f"{live_server.url}{assessment.get_absolute_url()}")
    expect(page.get_by_role("status").filter(has_text=refusal)).to_be_visible()
    expect(page.get_by_role("link", name="Decide")).to_have_count(0)
    assert not AssessmentDecision.objects.exists()
    log_out(page)

    # The AI officer is told under the bell, and the notice opens the decide page.
    log_in(ai_officer)
    bell = page.get_by_role("link", name=re.compile(r"^Notifications, \d+ unread$"))
    expect(bell).to_be_visible()
    unread = int(re.search(r"\d+", bell.get_attribute("aria-label")).group())
    assert unread >= 1
    expect(bell.locator(".badge")).to_have_text(str(unread))
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    page.get_by_role("link", name="IA-001 Claims triage model v1 awaits your decision.").click()
    decide_page = f"{live_server.url}{decide_url('impact-assessment', assessment)}"
    expect(page).to_have_url(decide_page)
    # The assessment's own page leads there too.
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(f"{live_server.url}{assessment.get_absolute_url()}")
    page.get_by_role("link", name="Decide").click()
    expect(page).to_have_url(decide_page)
    expect(
        page.get_by_role(
            "heading", name="Impact assessment: decide on IA-001 Claims triage model v1"
        )
    ).to_be_visible()
    # The decide page shows the content decided on, the impacts with it, and its hash.
    content = page.locator("section", has=page.get_by_role("heading", name="What you decide on"))
    expect(content).to_contain_text("Sorts incoming motor claims by urgency for review.")
    expect(content).to_contain_text(MITIGATION)
    expect(content).to_contain_text("SHA-256 of this content")
    page.get_by_label("Approved with conditions").check()
    page.get_by_label("comment").fill("Acceptable with human review; the bias test must follow.")
    due = datetime.date.today() + datetime.timedelta(days=60)
    page.get_by_label("Condition 1", exact=True).fill(CONDITION)
    page.get_by_label("Owner of condition 1").select_option(label="Clara Berger")
    page.get_by_label("Due date of condition 1").fill(due.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{assessment.get_absolute_url()}")
    expect(status_badge(page)).to_have_text("Approved with conditions")
    decision = AssessmentDecision.objects.get()
    assert (decision.assessment, decision.outcome, decision.decided_by) == (
        assessment,
        AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS,
        ai_officer,
    )
    condition = decision.conditions.get()
    assert (condition.text, condition.owner, condition.due_date) == (
        CONDITION,
        compliance_officer,
        due,
    )
    decisions = page.locator("section", has=page.get_by_role("heading", name="Decisions"))
    expect(decisions).to_contain_text(CONDITION)
    expect(decisions).to_contain_text("Clara Berger")
    expect(decisions).to_contain_text(decision.snapshot_sha256)
    expect(decisions).to_contain_text("matches the content shown")
    expect(page.get_by_role("link", name="Decide")).to_have_count(0)
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.APPROVED_WITH_CONDITIONS
    log_out(page)

    # The auditor reads the approved version and prints it.
    log_in(auditor)
    page.get_by_role("button", name="Impact", exact=True).click()
    page.get_by_role("link", name="Impact assessments", exact=True).click()
    rows = page.locator("#register-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Approved with conditions")
    rows.get_by_role("link", name="IA-001", exact=True).click()
    expect(page.get_by_role("heading", name="IA-001 Claims triage model v1")).to_be_visible()
    decisions = page.locator("section", has=page.get_by_role("heading", name="Decisions"))
    expect(decisions).to_contain_text("Approved with conditions")
    expect(decisions).to_contain_text("Omar Haddad")
    expect(decisions).to_contain_text(CONDITION)
    expect(decisions).to_contain_text(decision.snapshot_sha256)
    for name in ("Edit", "Delete", "Decide"):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
    for name in ("Submit for approval", "Start a new version", "Create a risk"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "IA-001-v1.pdf"
    text = pdf_text(Path(download.path()))
    assert "Claims triage model" in text
    assert CONDITION in text
    assert "Omar Haddad" in text
    assert decision.snapshot_sha256 in text
