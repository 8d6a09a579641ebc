"""The one approval machinery: four-eyes (authors across history and moved parts, owners of
the subject), a decider at submission, decisions bound to the content seen and taken once, the
records they leave, and the decide page."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aims.core import approvals, roles
from aims.core.models import Notification
from aims.impact import services as impact_services
from aims.impact.models import AssessmentDecision, ImpactAssessment
from controls import services as soa_services
from controls.models import SoAEntry
from risks import services as risk_services
from risks.models import Risk, RiskAcceptance, TreatmentAction
from tests.concurrency import at_once
from tests.decisions import decide_url, decision_payload, post_decision
from tests.factories import (
    AIPolicyFactory,
    AISystemFactory,
    ImpactAssessmentFactory,
    ImpactFactory,
    RiskFactory,
    TreatmentActionFactory,
    UserFactory,
    active_criteria,
    justify_soa_entries,
)

ABOVE = {"residual_likelihood": 3, "residual_impact": 4}  # high on the 5×5 criteria


def saved_by(obj, user):
    obj._history_user = user
    obj.save()
    return obj


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def officer(name="officer"):
    return UserFactory(username=name, role=roles.AI_OFFICER)


def client_of(client, user):
    client.force_login(user)
    return client


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def assessment_by(author, **fields):
    fields.setdefault("system", AISystemFactory())
    return saved_by(ImpactAssessmentFactory.build(**fields), author)


def risk_with_plan(author, owner=None, **scores):
    """A risk above the threshold, written by `author`, with one action in its plan."""
    active_criteria()
    risk = saved_by(RiskFactory.build(owner=owner or author, **(scores or ABOVE)), author)
    saved_by(TreatmentActionFactory.build(risk=risk, owner=author), author)
    risk.refresh_from_db()
    return risk


# The deadlock: a plan approval made the AI officer the risk's "last changer" ------------------


def test_approving_the_plan_does_not_keep_the_ai_officer_from_accepting_the_residual_risk(
    compliance_officer, ai_officer
):
    risk = risk_with_plan(compliance_officer)
    risk_services.risk_treatment_plan_approve(risk=risk, user=ai_officer)
    risk.refresh_from_db()
    assert risk_services.acceptance_refusal(risk, ai_officer) == ""

    acceptance = risk_services.risk_accept(
        risk=risk, user=ai_officer, justification="Monitored monthly.", expires_on=in_days(90)
    )

    assert acceptance.accepted_by == ai_officer
    risk.refresh_from_db()
    assert (risk.status, risk.plan_approved_by) == (Risk.Status.ACCEPTED, ai_officer)


def test_the_ai_officer_approves_the_plan_and_accepts_on_the_pages(
    client, compliance_officer, ai_officer
):
    risk = risk_with_plan(compliance_officer)
    client_of(client, ai_officer)
    assert post_decision(client, "treatment-plan", risk).status_code == 302

    page = client.get(risk.get_absolute_url())
    assert page.status_code == 200
    assert decide_url("risk-acceptance", risk) in page.content.decode()
    response = post_decision(
        client,
        "risk-acceptance",
        risk,
        justification="Monitored monthly.",
        expires_on=in_days(90).isoformat(),
    )
    assert response.status_code == 302
    assert RiskAcceptance.objects.get(risk=risk).accepted_by == ai_officer


# Four-eyes ---------------------------------------------------------------------------------------


def test_an_ai_officer_who_ever_changed_the_risk_may_not_accept_it_although_others_changed_it_later(
    compliance_officer, ai_officer
):
    risk = risk_with_plan(compliance_officer)
    risk.description = "Sharpened by the AI officer."
    saved_by(risk, ai_officer)
    risk.description = "Edited again by the compliance officer."
    saved_by(risk, compliance_officer)

    with pytest.raises(ValidationError, match="You wrote, changed or submitted this risk"):
        risk_services.risk_accept(
            risk=risk, user=ai_officer, justification="x", expires_on=in_days(30)
        )
    assert not RiskAcceptance.objects.exists()


def test_the_ai_officer_who_owns_a_risk_above_the_threshold_may_not_accept_it(
    compliance_officer, ai_officer
):
    risk = risk_with_plan(compliance_officer, owner=ai_officer)
    assert "You own this risk" in risk_services.acceptance_refusal(risk, ai_officer)
    with pytest.raises(ValidationError, match="You own this risk"):
        risk_services.risk_accept(
            risk=risk, user=ai_officer, justification="x", expires_on=in_days(30)
        )


def test_an_ai_officer_who_owns_the_ai_system_may_not_decide_its_assessment(
    client, compliance_officer, ai_officer
):
    officer("second-officer")  # someone else may decide, so the submission goes through
    system = AISystemFactory(owner=ai_officer)
    assessment = saved_by(ImpactAssessmentFactory.build(system=system), compliance_officer)
    impact_services.impact_assessment_submit(assessment=assessment, user=compliance_officer)

    with pytest.raises(ValidationError, match="You own this impact assessment or what it is"):
        impact_services.impact_assessment_decide(
            assessment=assessment, user=ai_officer, outcome="approved"
        )
    response = client_of(client, ai_officer).post(
        decide_url("impact-assessment", assessment),
        decision_payload("impact-assessment", assessment, outcome="approved"),
    )
    assert response.status_code == 302
    assert AssessmentDecision.objects.count() == 0


def test_the_writer_of_an_impact_moved_in_from_another_assessment_may_not_decide(
    compliance_officer, ai_officer
):
    officer("second-officer")
    first = assessment_by(compliance_officer)
    impact = saved_by(ImpactFactory.build(assessment=first), ai_officer)
    second = assessment_by(compliance_officer)
    impact.assessment = second
    saved_by(impact, compliance_officer)  # moved by someone else
    impact_services.impact_assessment_submit(assessment=second, user=compliance_officer)

    assert ai_officer.pk in approvals.authors(approvals.approvals["impact-assessment"], second)
    with pytest.raises(ValidationError, match="You wrote, changed or submitted"):
        impact_services.impact_assessment_decide(
            assessment=second, user=ai_officer, outcome="approved"
        )


def test_whoever_changed_any_soa_entry_at_any_time_may_not_approve_the_version(
    compliance_officer, ai_officer
):
    justify_soa_entries()
    entry = SoAEntry.objects.filter(ai_system=None, applicable=True).first()
    entry.inclusion_justification = "Changed by the AI officer once."
    saved_by(entry, ai_officer)
    entry.inclusion_justification = "Changed back by the compliance officer."
    saved_by(entry, compliance_officer)
    officer("second-officer")
    version = soa_services.soa_version_issue(user=compliance_officer)

    with pytest.raises(ValidationError, match="You wrote, changed or submitted"):
        soa_services.soa_version_decide(version=version, user=ai_officer, approve=True)


def test_workflow_saves_make_no_one_an_author(compliance_officer, ai_officer):
    risk = risk_with_plan(compliance_officer)
    risk_services.risk_treatment_plan_approve(risk=risk, user=ai_officer)
    plan_authors = approvals.authors(approvals.approvals["treatment-plan"], risk)
    acceptance_authors = approvals.authors(approvals.approvals["risk-acceptance"], risk)
    assert ai_officer.pk not in plan_authors | acceptance_authors
    assert compliance_officer.pk in plan_authors & acceptance_authors


# A decider must exist at submission ------------------------------------------------------------


def test_the_only_ai_officer_cannot_submit_what_he_changed_and_the_officers_are_told(
    compliance_officer, ai_officer, make_user
):
    administrator = make_user("administrator")
    assessment = assessment_by(ai_officer)

    with pytest.raises(ValidationError, match="No one may decide on this"):
        impact_services.impact_assessment_submit(assessment=assessment, user=ai_officer)

    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.DRAFT
    assert assessment.lock_reason == ""
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"compliance_officer", "administrator"}
    assert administrator.notifications.get().url == assessment.get_absolute_url()


def test_the_submit_button_says_why_nobody_can_decide(client, ai_officer):
    system = AISystemFactory(owner=ai_officer)
    assessment = saved_by(ImpactAssessmentFactory.build(system=system), ai_officer)
    response = client_of(client, ai_officer).post(
        reverse("impact:submit", args=[assessment.pk]), follow=True
    )
    assert response.status_code == 200
    assert any("No one may decide on this" in m for m in messages_of(response))
    assert not any("has been told" in m and "AI officer" in m for m in messages_of(response))
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.DRAFT


def test_issuing_an_soa_version_nobody_may_approve_is_refused(compliance_officer, ai_officer):
    justify_soa_entries()
    entry = SoAEntry.objects.filter(ai_system=None, applicable=True).first()
    entry.inclusion_justification = "The only AI officer changed this."
    saved_by(entry, ai_officer)
    with pytest.raises(ValidationError, match="No one may decide on this"):
        soa_services.soa_version_issue(user=compliance_officer)


# Bound to the content seen ---------------------------------------------------------------------


def test_a_policy_approved_after_its_text_changed_under_the_open_page_is_refused(
    client, compliance_officer, ai_officer
):
    policy = saved_by(AIPolicyFactory.build(next_review=in_days(300)), compliance_officer)
    seen = decision_payload("ai-policy", policy)
    policy.content = "A different policy text."
    saved_by(policy, compliance_officer)

    response = client_of(client, ai_officer).post(decide_url("ai-policy", policy), seen)

    assert response.status_code == 200
    assert "changed after you opened it" in response.content.decode()
    policy.refresh_from_db()
    assert policy.status == policy.Status.DRAFT
    assert response.context["form"]["seen"].value() == approvals.content_sha256(
        approvals.approvals["ai-policy"], policy
    )


def test_a_plan_approved_after_one_of_its_actions_changed_is_refused(
    compliance_officer, ai_officer
):
    risk = risk_with_plan(compliance_officer)
    seen = approvals.content_sha256(approvals.approvals["treatment-plan"], risk)
    action = TreatmentAction.objects.get(risk=risk)
    action.due_date = in_days(400)
    saved_by(action, compliance_officer)

    with pytest.raises(ValidationError, match="changed after you opened it"):
        risk_services.risk_treatment_plan_approve(risk=risk, user=ai_officer, seen=seen)
    risk.refresh_from_db()
    assert risk.plan_approved_on is None


def test_a_risk_is_not_accepted_at_a_level_other_than_the_one_the_form_showed(
    client, compliance_officer, ai_officer
):
    risk = risk_with_plan(compliance_officer, residual_likelihood=2, residual_impact=3)
    shown = decision_payload(
        "risk-acceptance", risk, justification="Fine at medium.", expires_on=in_days(90)
    )
    risk.residual_likelihood, risk.residual_impact = 5, 5
    saved_by(risk, compliance_officer)
    assert risk.residual_level == "critical"

    response = client_of(client, ai_officer).post(decide_url("risk-acceptance", risk), shown)

    assert response.status_code == 200
    assert "changed after you opened it" in response.content.decode()
    assert not RiskAcceptance.objects.exists()


# Decided once ----------------------------------------------------------------------------------


def test_a_second_acceptance_of_an_accepted_risk_is_refused(compliance_officer, ai_officer):
    risk = risk_with_plan(compliance_officer)
    risk_services.risk_accept(risk=risk, user=ai_officer, justification="x", expires_on=in_days(9))
    with pytest.raises(ValidationError, match="accepted already"):
        risk_services.risk_accept(
            risk=risk, user=ai_officer, justification="y", expires_on=in_days(9)
        )
    assert RiskAcceptance.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_three_ai_officers_accepting_one_risk_at_once_record_one_acceptance():
    author = UserFactory(role=roles.COMPLIANCE_OFFICER)
    officers = [officer(f"officer-{n}") for n in range(3)]
    risk = risk_with_plan(author)
    outcomes = at_once(
        officers,
        lambda user: risk_services.risk_accept(
            risk=risk, user=user, justification="Fine.", expires_on=in_days(30)
        ),
        writes=RiskAcceptance,
        refused=ValidationError,
    )

    accepted = [user.pk for user, outcome in outcomes.items() if outcome == "done"]
    refused = [user for user, outcome in outcomes.items() if isinstance(outcome, ValidationError)]
    assert (len(accepted), len(refused)) == (1, 2), outcomes
    assert list(RiskAcceptance.objects.values_list("accepted_by", flat=True)) == accepted


# Records of decisions --------------------------------------------------------------------------


def test_a_risk_with_an_acceptance_is_not_deleted_and_the_page_names_the_record(
    client, compliance_officer, ai_officer
):
    risk = risk_with_plan(compliance_officer)
    acceptance = risk_services.risk_accept(
        risk=risk, user=ai_officer, justification="x", expires_on=in_days(9)
    )
    response = client_of(client, compliance_officer).post(
        reverse("risks:risk_delete", args=[risk.pk])
    )
    assert response.status_code == 409
    assert str(acceptance) in response.content.decode()
    assert Risk.objects.filter(pk=risk.pk).exists()
    assert RiskAcceptance.objects.filter(pk=acceptance.pk).exists()


def test_a_risk_with_an_approved_plan_is_not_deleted(client, compliance_officer, ai_officer):
    risk = risk_with_plan(compliance_officer)
    risk_services.risk_treatment_plan_approve(risk=risk, user=ai_officer)
    response = client_of(client, compliance_officer).post(
        reverse("risks:risk_delete", args=[risk.pk]), follow=True
    )
    assert response.status_code == 200
    assert any("treatment plan is on record" in m for m in messages_of(response))
    assert Risk.objects.filter(pk=risk.pk).exists()


# Who is told -----------------------------------------------------------------------------------


def test_a_decision_tells_the_submitter_the_authors_and_the_owners_of_its_conditions(
    compliance_officer, ai_officer
):
    writer = UserFactory(username="writer", role=roles.COMPLIANCE_OFFICER)
    condition_owner = UserFactory(username="condition-owner", role=roles.SYSTEM_OWNER)
    assessment = assessment_by(writer)
    impact_services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    Notification.objects.all().delete()

    impact_services.impact_assessment_decide(
        assessment=assessment,
        user=ai_officer,
        outcome="approved_with_conditions",
        conditions=[("Add a human review step.", condition_owner, in_days(30))],
    )

    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"writer", "compliance_officer", "condition-owner"}


def test_the_issuer_of_an_soa_version_is_told_of_the_decision(compliance_officer, ai_officer):
    justify_soa_entries()
    version = soa_services.soa_version_issue(user=compliance_officer)
    assert ai_officer.notifications.filter(url__contains=f"/{version.pk}/").exists()
    Notification.objects.all().delete()
    soa_services.soa_version_decide(version=version, user=ai_officer, approve=True)
    assert compliance_officer.notifications.get().url == version.get_absolute_url()


# The decide page -------------------------------------------------------------------------------


def test_the_decide_page_shows_the_content_its_hash_and_a_link_to_the_record(
    client, compliance_officer, ai_officer
):
    risk = risk_with_plan(compliance_officer)
    action = risk.treatment_actions.get()
    response = client_of(client, ai_officer).get(decide_url("treatment-plan", risk))
    assert response.status_code == 200
    page = response.content.decode()
    assert action.title in page
    assert risk.get_absolute_url() in page
    assert approvals.content_sha256(approvals.approvals["treatment-plan"], risk) in page


def test_a_user_who_cannot_see_the_record_gets_404_on_its_decide_page(client, make_user):
    risk = risk_with_plan(make_user("compliance_officer"))
    response = client_of(client, make_user("no_role")).get(decide_url("treatment-plan", risk))
    assert response.status_code == 404


def test_an_unknown_kind_of_decision_is_404(client, ai_officer):
    response = client_of(client, ai_officer).get(reverse("core:decide", args=["nothing", 1]))
    assert response.status_code == 404


def test_an_editor_of_the_iso_27001_soa_alone_may_approve_the_iso_42001_version(
    compliance_officer, ai_officer
):
    soa_services.soa_start(user=compliance_officer)
    entry = SoAEntry.objects.filter(control__framework="iso27001", ai_system=None).first()
    entry.inclusion_justification = "Changed by the AI officer."
    saved_by(entry, ai_officer)
    justify_soa_entries()
    version = soa_services.soa_version_issue(user=compliance_officer)
    assert ai_officer.pk not in version.editor_ids

    soa_services.soa_version_decide(version=version, user=ai_officer, approve=True)
    version.refresh_from_db()
    assert version.decided_by == ai_officer


def test_a_submission_that_fails_its_own_rules_says_so_before_anything_about_deciders(
    compliance_officer,
):
    # No AI officer at all, and controls without a justification: the statement's own rule
    # is what the issuer must fix, and nobody is alarmed about deciders.
    with pytest.raises(ValidationError, match="justification for inclusion"):
        soa_services.soa_version_issue(user=compliance_officer)
    assert not Notification.objects.exists()
