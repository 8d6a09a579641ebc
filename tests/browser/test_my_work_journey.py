"""The AI officer works from My work in a real browser: he approves a risk's treatment plan,
then accepts the residual risk of the same risk, each on the decide page that shows what he
decides on."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from risks.models import Risk, RiskAcceptance
from tests.factories import RiskFactory, TreatmentActionFactory, active_criteria

pytestmark = pytest.mark.browser


def test_the_ai_officer_approves_a_plan_and_then_accepts_the_risk_from_my_work(
    page, log_in, live_server, compliance_officer, ai_officer
):
    active_criteria()
    risk = RiskFactory.build(
        owner=compliance_officer, residual_likelihood=3, residual_impact=4, title="Model drift"
    )
    risk._history_user = compliance_officer
    risk.save()
    action = TreatmentActionFactory.build(
        risk=risk, owner=compliance_officer, title="Retrain every month"
    )
    action._history_user = compliance_officer
    action.save()

    log_in(ai_officer)
    badge = page.locator("#my-work-count")
    expect(badge).to_have_text("2")
    page.get_by_role("link", name=re.compile("^My work")).click()
    decisions = page.get_by_role("region", name=re.compile("Decisions awaiting you"))
    decisions.get_by_role("link", name=f"Treatment plan: {risk}").click()

    expect(
        page.get_by_role("heading", name=re.compile("Treatment plan: decide on"))
    ).to_be_visible()
    content = page.get_by_role("region", name="What you decide on")
    expect(content).to_contain_text("Retrain every month")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.get_by_text(f"Treatment plan approved by {ai_officer} on")).to_be_visible()

    page.get_by_role("link", name=re.compile("^My work")).click()
    decisions = page.get_by_role("region", name=re.compile("Decisions awaiting you"))
    expect(decisions.get_by_role("link")).to_have_count(1)
    decisions.get_by_role("link", name=f"Residual risk acceptance: {risk}").click()
    page.get_by_label("Justification").fill("Drift is watched monthly; the residual risk stays.")
    page.get_by_label("Valid until").fill((timezone.localdate() + timedelta(days=180)).isoformat())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()

    risk.refresh_from_db()
    assert risk.status == Risk.Status.ACCEPTED
    assert RiskAcceptance.objects.get(risk=risk).accepted_by == ai_officer
    page.get_by_role("link", name=re.compile("^My work")).click()
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()
    expect(page.locator("#my-work-count")).to_have_text("")
