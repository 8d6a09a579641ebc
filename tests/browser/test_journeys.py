"""What the three main users do, in a real browser."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from aims.context.models import AIPolicy, InterestedParty
from risks.library import load_library
from risks.models import LibraryRisk, Risk
from tests.factories import AIPolicyFactory, AISystemFactory, ContextIssueFactory, active_criteria

pytestmark = pytest.mark.browser


def test_compliance_officer_records_an_interested_party_and_reads_its_history(
    page, log_in, compliance_officer
):
    log_in(compliance_officer)
    page.get_by_role("button", name="Context").click()
    page.get_by_role("link", name="Interested parties", exact=True).click()
    expect(page.get_by_text("There are no interested parties yet.")).to_be_visible()
    page.get_by_role("link", name="Add the first interested party").click()

    page.get_by_label("Name").fill("Works council")
    page.get_by_label("Internal or external").select_option("internal")
    page.get_by_label("Category").select_option("employees")
    page.get_by_label("Needs and expectations").fill("Co-determination on AI in HR.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="IP-001 Works council")).to_be_visible()

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Name").fill("Central works council")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="IP-001 Central works council")).to_be_visible()
    assert InterestedParty.objects.get().name == "Central works council"

    page.get_by_role("link", name="History").click()
    change = page.locator("tr.history-change", has_text="Name").first
    expect(change.locator(".history-old")).to_have_text("Works council")
    expect(change.locator(".history-new")).to_have_text("Central works council")
    expect(change).to_contain_text(str(compliance_officer))

    page.get_by_label("Language").select_option("de")
    expect(page.get_by_role("link", name="Verlauf")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Vorher")).to_be_visible()
    page.get_by_role("link", name="Details").click()
    expect(page.get_by_role("link", name="Bearbeiten")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")


def test_a_bad_form_keeps_the_input_and_names_the_field(
    page, log_in, compliance_officer, live_server
):
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/context/interested-parties/add/")
    page.get_by_label("Name").fill("Regulator")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_category_error")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Regulator")
    assert not InterestedParty.objects.exists()


def test_search_updates_the_list_in_place(page, log_in, compliance_officer, live_server):
    ContextIssueFactory(title="Supplier lock-in")
    ContextIssueFactory(title="Energy use")
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/context/issues/")
    page.get_by_label("Search", exact=True).fill("energy")
    expect(page.locator("#register-table tbody tr")).to_have_count(1)
    expect(page.locator("#register-table")).to_contain_text("Energy use")
    expect(page).to_have_url(re.compile(r"q=energy"))
    expect(page.get_by_role("link", name="CSV")).to_have_attribute("href", re.compile(r"q=energy"))


def test_ai_officer_approves_the_policy_someone_else_wrote(
    page, log_in, compliance_officer, ai_officer, live_server
):
    policy = AIPolicy(title="AI policy", content="Text", next_review="2027-06-30")
    policy._history_user = compliance_officer
    policy.save()
    log_in(ai_officer)
    page.get_by_role("link", name="AI policies awaiting your decision: 1").click()
    page.locator("#register-table").get_by_role("link", name=re.compile(policy.reference)).click()
    expect(page.get_by_role("heading", name=str(policy))).to_be_visible()
    page.get_by_role("link", name="Approve this version").click()
    # The decide page shows what is decided, bound to its hash; the one outcome is implied.
    expect(page.get_by_role("heading", name=f"AI policy: decide on {policy}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("SHA-256 of this content")
    expect(page.get_by_role("radio")).to_have_count(0)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}{policy.get_absolute_url()}")
    expect(page.get_by_role("link", name="Approve this version")).to_have_count(0)
    policy.refresh_from_db()
    assert (policy.status, policy.approved_by) == ("approved", ai_officer)


def test_auditor_reads_and_exports_but_finds_no_way_to_change(page, log_in, auditor, live_server):
    ContextIssueFactory(title="EU AI Act obligations")
    AIPolicyFactory()
    log_in(auditor)
    page.goto(f"{live_server.url}/context/issues/")
    expect(page.get_by_role("link", name=re.compile("Add"))).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == "EU AI Act obligations"
    page.get_by_role("link", name=re.compile("CTX-001")).click()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)


def test_compliance_officer_classifies_a_cv_screening_tool_as_deployer(
    page, log_in, compliance_officer, live_server, ai_act_obligations
):
    system = AISystemFactory(name="CV screening tool", ai_act_roles=["deployer"])
    log_in(compliance_officer)
    page.goto(f"{live_server.url}{system.get_absolute_url()}")
    page.get_by_role("link", name="Classify", exact=True).click()
    page.get_by_role("button", name="Next").click()  # no prohibited practice
    page.get_by_role("group", name=re.compile("Annex I legislation")).get_by_label("No").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Employment and workers management").check()
    page.get_by_role("button", name="Next").click()
    page.get_by_role("group", name=re.compile("profile natural persons")).get_by_label(
        "Yes"
    ).check()
    page.get_by_role("group", name=re.compile("public body")).get_by_label("No").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name=re.compile("Transparency"))).to_be_visible()
    for question in page.get_by_role("group").all():
        question.get_by_label("No").check()
    page.get_by_role("button", name="Next").click()

    expect(page.locator("#classification-result")).to_have_text("High-risk (Annex III, employment)")
    obligations = page.locator("#obligations")
    expect(obligations).to_contain_text("Use the system according to the provider's instructions")
    expect(obligations).not_to_contain_text("Art. 9")
    page.get_by_role("button", name="Save classification").click()
    expect(page.get_by_text("Classification #1 saved.")).to_be_visible()
    expect(page.get_by_text("High-risk (Annex III, employment)").first).to_be_visible()
    assert system.classifications.get().tier == "high_risk"


def residual_cell(page, likelihood, impact):
    return page.locator(
        f"#heat-map-residual a[data-likelihood='{likelihood}'][data-impact='{impact}']"
    )


def test_a_prompt_injection_risk_is_recorded_and_its_residual_risk_accepted(
    page, log_in, compliance_officer, ai_officer, live_server
):
    load_library(LibraryRisk)  # live-server tests start from an emptied database
    active_criteria()
    chatbot = AISystemFactory(reference="AIS-002", name="Customer-service chatbot")
    log_in(compliance_officer)
    page.goto(f"{live_server.url}/risks/register/")
    expect(residual_cell(page, 2, 3)).to_have_attribute("data-count", "0")

    page.get_by_role("button", name="Risks").click()
    page.get_by_role("link", name="Risk library", exact=True).click()
    page.get_by_label("Search", exact=True).fill("prompt injection")
    expect(page.locator("#register-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Prompt injection", exact=True).click()
    page.get_by_label("AIS-002 Customer-service chatbot").check()
    page.get_by_role("button", name="Create risk").click()
    expect(page.get_by_text("created from the library")).to_be_visible()
    risk = Risk.objects.get()
    assert list(risk.ai_systems.all()) == [chatbot]

    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Residual likelihood").select_option("2")
    page.get_by_label("Residual impact").select_option("3")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("R-0001 Prompt injection"))).to_be_visible()
    expect(page.get_by_role("link", name="Accept residual risk")).to_have_count(0)
    page.goto(f"{live_server.url}/risks/register/")
    expect(residual_cell(page, 2, 3)).to_have_attribute("data-count", "1")
    residual_cell(page, 2, 3).click()
    expect(page.locator("#register-table tbody tr")).to_have_count(1)

    log_in(ai_officer)
    page.goto(f"{live_server.url}{risk.get_absolute_url()}")
    page.get_by_role("link", name="Accept residual risk").click()
    expect(
        page.get_by_role("heading", name=f"Residual risk acceptance: decide on {risk}")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Prompt injection")
    page.get_by_label("Justification").fill("Input filtering and red-teaming are in place.")
    page.get_by_label("Valid until").fill(str(datetime.date.today() + datetime.timedelta(days=365)))
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.get_by_role("link", name="Accept residual risk")).to_have_count(0)
    risk.refresh_from_db()
    assert risk.status == Risk.Status.ACCEPTED
    assert risk.acceptances.get().accepted_by == ai_officer
    page.goto(f"{live_server.url}/risks/register/?status=accepted")
    expect(residual_cell(page, 2, 3)).to_have_attribute("data-count", "1")
    page.goto(f"{live_server.url}/risks/register/?status=identified")
    expect(residual_cell(page, 2, 3)).to_have_attribute("data-count", "0")
