"""My work: what waits for each persona, the count in the navigation, the dashboard and the
lists counting decisions with the same query, and conditions of approvals that are met."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from aims.core import roles
from aims.core.models import Notification
from aims.impact import services as impact_services
from aims.impact.models import DecisionCondition
from risks import services as risk_services
from tests.decisions import decide_url
from tests.factories import (
    AIPolicyFactory,
    AISystemFactory,
    EvidenceFactory,
    ImpactAssessmentFactory,
    RiskFactory,
    TreatmentActionFactory,
    UserFactory,
    active_criteria,
)


def saved_by(obj, user):
    obj._history_user = user
    obj.save()
    return obj


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def work_of(client, user):
    client.force_login(user)
    response = client.get(reverse("core:my_work"))
    assert response.status_code == 200
    return {
        str(section): [item.text for item in items]
        for section, items in response.context["sections"]
    }


@pytest.fixture
def office(compliance_officer, ai_officer, system_owner, auditor):
    """A risk with a plan to approve, a policy to approve, an assessment approved with a
    condition for the system owner, and an action the system owner owns."""
    active_criteria()
    risk = saved_by(
        RiskFactory.build(
            owner=compliance_officer, residual_likelihood=3, residual_impact=4, title="Drift"
        ),
        compliance_officer,
    )
    action = saved_by(
        TreatmentActionFactory.build(
            risk=risk, owner=system_owner, title="Retrain monthly", due_date=in_days(-2)
        ),
        compliance_officer,
    )
    policy = saved_by(
        AIPolicyFactory.build(title="AI policy", next_review=in_days(200)), compliance_officer
    )
    system = AISystemFactory(owner=system_owner, name="Claims triage")
    assessment = saved_by(ImpactAssessmentFactory.build(system=system), compliance_officer)
    impact_services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    impact_services.impact_assessment_decide(
        assessment=assessment,
        user=ai_officer,
        outcome="approved_with_conditions",
        conditions=[("Publish the notice to claimants.", system_owner, in_days(14))],
    )
    return {"risk": risk, "action": action, "policy": policy, "assessment": assessment}


def test_the_ai_officer_finds_the_decisions_awaiting_him(client, office, ai_officer):
    work = work_of(client, ai_officer)
    assert work["Decisions awaiting you"] == [
        f"AI policy: {office['policy']}",
        f"Residual risk acceptance: {office['risk']}",
        f"Treatment plan: {office['risk']}",
    ]
    assert work["Conditions you own"] == []


def test_the_system_owner_finds_his_condition_and_his_overdue_action(client, office, system_owner):
    work = work_of(client, system_owner)
    assert work["Decisions awaiting you"] == []
    assert work["Conditions you own"] == [
        f"{office['assessment']}: Publish the notice to claimants."
    ]
    assert work["Treatment actions you own"] == [str(office["action"])]


def test_the_compliance_officer_decides_nothing_he_wrote(client, office, compliance_officer):
    work = work_of(client, compliance_officer)
    assert work["Decisions awaiting you"] == []


def test_the_auditor_has_nothing_waiting(client, office, auditor):
    client.force_login(auditor)
    response = client.get(reverse("core:my_work"))
    assert response.status_code == 200
    assert response.context["total"] == 0
    assert "Nothing is waiting for you." in response.content.decode()


def test_the_navigation_count_is_the_number_of_items_on_my_work(client, office, system_owner):
    client.force_login(system_owner)
    assert client.get(reverse("core:my_work_count")).content.decode() == "2"
    page = client.get(reverse("core:dashboard"))
    assert page.status_code == 200
    assert reverse("core:my_work_count") in page.content.decode()


def test_an_empty_my_work_shows_no_count(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("core:my_work_count")).content.decode() == ""


def test_a_re_classification_and_a_review_due_show_for_the_system_owner(client, system_owner):
    AISystemFactory(owner=system_owner, name="Chatbot", reclassification_needed=True)
    AISystemFactory(owner=system_owner, name="Scoring", next_review=in_days(3))
    AISystemFactory(name="Someone else's", reclassification_needed=True)
    work = work_of(client, system_owner)
    assert work["Re-classifications"] == ["Classify AIS-001 Chatbot again"]
    assert work["Reviews due"] == ["Review the AI system AIS-002 Scoring"]


def test_the_dashboard_count_and_the_filtered_list_agree_with_my_work(
    client, office, ai_officer, compliance_officer
):
    # A second plan the AI officer wrote himself: it must be neither counted nor listed.
    own = saved_by(
        RiskFactory.build(owner=compliance_officer, residual_likelihood=1, residual_impact=1),
        ai_officer,
    )
    saved_by(TreatmentActionFactory.build(risk=own, owner=ai_officer), ai_officer)
    client.force_login(ai_officer)
    dashboard = client.get(reverse("core:dashboard"))
    assert dashboard.status_code == 200
    attention = dict(dashboard.context["attention"])
    assert "Risks awaiting your decision: 1" in attention
    listed = client.get(attention["Risks awaiting your decision: 1"])
    assert listed.status_code == 200
    assert [row.record for row in listed.context["table"].page.object_list] == [office["risk"]]


def test_a_condition_owner_records_the_condition_as_met_with_evidence(
    client, office, system_owner, ai_officer
):
    condition = DecisionCondition.objects.get()
    evidence = EvidenceFactory(uploaded_by=system_owner)
    client.force_login(system_owner)
    url = reverse("impact:condition_met", args=[condition.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"met_on": timezone.localdate().isoformat(), "evidence": evidence.pk, "met_note": ""}
    )
    assert response.status_code == 302
    condition.refresh_from_db()
    assert (condition.met_on, condition.met_by, condition.evidence) == (
        timezone.localdate(),
        system_owner,
        evidence,
    )
    assert ai_officer.notifications.filter(message__contains="Condition met").exists()
    assert work_of(client, system_owner)["Conditions you own"] == []


def test_a_condition_is_not_met_without_evidence_or_a_note_nor_in_the_future(
    client, office, system_owner
):
    condition = DecisionCondition.objects.get()
    client.force_login(system_owner)
    url = reverse("impact:condition_met", args=[condition.pk])
    response = client.post(url, {"met_on": in_days(3).isoformat(), "met_note": "Done."})
    assert response.status_code == 200
    assert response.context["form"].errors["met_on"] == ["The date lies in the future."]
    response = client.post(url, {"met_on": timezone.localdate().isoformat(), "met_note": ""})
    assert response.context["form"].errors["met_note"] == [
        "Choose the evidence or say how the condition was met."
    ]
    condition.refresh_from_db()
    assert condition.met_on is None


def test_someone_else_may_not_record_the_condition_as_met(client, office, auditor, make_user):
    condition = DecisionCondition.objects.get()
    client.force_login(auditor)
    url = reverse("impact:condition_met", args=[condition.pk])
    assert client.get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        impact_services.decision_condition_meet(
            condition=condition, user=auditor, met_on=timezone.localdate(), note="Done."
        )
    client.force_login(make_user("no_role"))
    assert client.get(url).status_code == 404


def test_decide_links_in_my_work_open_the_decide_page(client, office, ai_officer):
    client.force_login(ai_officer)
    response = client.get(reverse("core:my_work"))
    assert decide_url("treatment-plan", office["risk"]) in response.content.decode()
    assert client.get(decide_url("treatment-plan", office["risk"])).status_code == 200


def test_accepting_the_risk_takes_it_off_my_work(client, office, ai_officer):
    risk = office["risk"]
    risk_services.risk_treatment_plan_approve(risk=risk, user=ai_officer)
    risk_services.risk_accept(
        risk=risk, user=ai_officer, justification="Monitored.", expires_on=in_days(60)
    )
    assert work_of(client, ai_officer)["Decisions awaiting you"] == [
        f"AI policy: {office['policy']}"
    ]
    assert Notification.objects.filter(recipient__username="compliance_officer").exists()


def test_only_active_deciders_are_asked(db):
    UserFactory(username="gone", role=roles.AI_OFFICER, is_active=False)
    author = UserFactory(role=roles.COMPLIANCE_OFFICER)
    assessment = saved_by(ImpactAssessmentFactory.build(system=AISystemFactory()), author)
    with pytest.raises(ValidationError, match="No one may decide on this"):
        impact_services.impact_assessment_submit(assessment=assessment, user=author)
