"""Accepting residual risk (6.1.3): who may accept above and below the threshold, four-eyes,
what an acceptance records, its expiry, and the approval of treatment plans."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aims.core.reminders import sweep
from risks import services
from risks.models import Risk, RiskAcceptance
from tests.decisions import decide_url, decision_payload, post_decision
from tests.factories import (
    RiskAcceptanceFactory,
    RiskFactory,
    TreatmentActionFactory,
    UserFactory,
    active_criteria,
)
from tests.risks.helpers import edit_risk, listed

ABOVE = {"residual_likelihood": 4, "residual_impact": 4}  # critical on the 5×5 criteria
AT = {"residual_likelihood": 2, "residual_impact": 3}  # medium: the default threshold
BELOW = {"residual_likelihood": 1, "residual_impact": 1}  # low
ACCEPTANCE = "risk-acceptance"
PLAN = "treatment-plan"
RISK_FOUR_EYES = (
    "You wrote, changed or submitted this risk; someone else must decide on it (four-eyes)."
)
PLAN_FOUR_EYES = (
    "You wrote, changed or submitted this treatment plan; someone else must decide on it "
    "(four-eyes)."
)


def today():
    return timezone.localdate()


def in_days(days):
    return today() + timedelta(days=days)


def risk_owned_by(owner, scores):
    active_criteria()
    return RiskFactory(owner=owner, **scores)


def accept(risk, user, justification="Monitoring is in place.", days=180):
    return services.risk_accept(
        risk=risk, user=user, justification=justification, expires_on=in_days(days)
    )


def edited_by(risk, user):
    """`user` saves the risk, so that history names them as one of its editors."""
    risk.description = f"Reviewed by {user}"
    risk._history_user = user
    risk.save()
    return risk


def accept_url(risk):
    return decide_url(ACCEPTANCE, risk)


def acceptance_form(risk, **changes):
    """What the decide page posts for an acceptance: the content hash it showed, the outcome,
    the justification and the expiry."""
    fields = {"justification": "Monitoring is in place.", "expires_on": in_days(180), **changes}
    return decision_payload(ACCEPTANCE, risk, **fields)


# Who accepts -----------------------------------------------------------------------------------


def test_the_ai_officer_accepts_a_residual_risk_above_the_threshold(system_owner, ai_officer):
    risk = risk_owned_by(system_owner, ABOVE)
    assert risk.residual_level == "critical" and risk.needs_ai_officer
    acceptance = accept(risk, ai_officer)
    assert acceptance.accepted_by == ai_officer
    assert acceptance.by_ai_officer is True


def test_the_risk_owner_cannot_accept_a_residual_risk_above_the_threshold(system_owner):
    risk = risk_owned_by(system_owner, ABOVE)
    with pytest.raises(ValidationError, match="only the AI officer accepts"):
        accept(risk, system_owner)
    assert not RiskAcceptance.objects.exists()


def test_a_compliance_officer_cannot_accept_residual_risk(system_owner, compliance_officer):
    for scores in (ABOVE, AT):
        risk = risk_owned_by(system_owner, scores)
        with pytest.raises(ValidationError):
            accept(risk, compliance_officer)
    assert not RiskAcceptance.objects.exists()


@pytest.mark.parametrize("scores", [AT, BELOW], ids=["at", "below"])
def test_the_risk_owner_accepts_a_residual_risk_at_or_below_the_threshold(system_owner, scores):
    risk = risk_owned_by(system_owner, scores)
    assert not risk.needs_ai_officer
    acceptance = accept(risk, system_owner)
    assert acceptance.accepted_by == system_owner
    assert acceptance.by_ai_officer is False


def test_a_system_owner_who_does_not_own_the_risk_cannot_accept_it(system_owner):
    risk = risk_owned_by(UserFactory(role="System Owner"), BELOW)
    with pytest.raises(ValidationError, match="Only the risk owner or the AI officer"):
        accept(risk, system_owner)


def test_the_ai_officer_also_accepts_below_the_threshold(system_owner, ai_officer):
    risk = risk_owned_by(system_owner, BELOW)
    assert accept(risk, ai_officer).by_ai_officer is False


def test_a_risk_without_a_residual_assessment_cannot_be_accepted(ai_officer):
    active_criteria()
    risk = RiskFactory(residual_likelihood=None, residual_impact=None)
    with pytest.raises(ValidationError, match="Assess the residual risk"):
        accept(risk, ai_officer)


def test_a_closed_risk_cannot_be_accepted(ai_officer):
    active_criteria()
    risk = RiskFactory(status="closed")
    with pytest.raises(ValidationError, match="closed risk"):
        accept(risk, ai_officer)


# Four-eyes -------------------------------------------------------------------------------------


def test_the_last_editor_of_a_risk_cannot_accept_it(system_owner, ai_officer):
    risk = edited_by(risk_owned_by(system_owner, ABOVE), ai_officer)
    with pytest.raises(ValidationError, match="four-eyes"):
        accept(risk, ai_officer)
    assert not RiskAcceptance.objects.exists()
    risk.refresh_from_db()
    assert risk.status == "identified"


def test_the_owner_who_last_edited_their_risk_cannot_accept_it(system_owner):
    risk = edited_by(risk_owned_by(system_owner, AT), system_owner)
    with pytest.raises(ValidationError, match="four-eyes"):
        accept(risk, system_owner)


def test_an_earlier_editor_cannot_accept_even_after_someone_else_edited_after_them(
    system_owner, ai_officer, compliance_officer
):
    # Whoever ever changed the risk is one of its authors, not only the last editor.
    risk = edited_by(risk_owned_by(system_owner, ABOVE), ai_officer)
    edited_by(risk, compliance_officer)
    with pytest.raises(ValidationError, match=re.escape(RISK_FOUR_EYES)):
        accept(risk, ai_officer)
    assert not RiskAcceptance.objects.exists()
    # An AI officer who never changed it accepts.
    other = UserFactory(role="AI Officer")
    assert accept(risk, other).accepted_by == other


def test_the_view_refuses_an_editor_of_the_risk_with_a_message(client, system_owner, ai_officer):
    risk = edited_by(risk_owned_by(system_owner, ABOVE), ai_officer)
    client.force_login(ai_officer)
    detail = client.get(risk.get_absolute_url()).content.decode()
    assert accept_url(risk) not in detail
    assert RISK_FOUR_EYES in detail
    response = client.post(accept_url(risk), acceptance_form(risk), follow=True)
    assert response.redirect_chain == [(risk.get_absolute_url(), 302)]
    assert RISK_FOUR_EYES in response.content.decode()
    assert not RiskAcceptance.objects.exists()


# What an acceptance records --------------------------------------------------------------------


def test_an_acceptance_records_the_criteria_scores_and_level(client, system_owner, ai_officer):
    risk = risk_owned_by(system_owner, ABOVE)
    client.force_login(ai_officer)
    assert accept_url(risk) in client.get(risk.get_absolute_url()).content.decode()
    assert client.get(accept_url(risk)).status_code == 200
    response = client.post(
        accept_url(risk),
        acceptance_form(risk, justification="Residual exposure is covered by insurance.\r\n"),
        follow=True,
    )
    assert "Decision recorded." in response.content.decode()
    acceptance = RiskAcceptance.objects.get()
    assert acceptance.risk == risk
    assert acceptance.criteria == risk.criteria
    assert (acceptance.residual_likelihood, acceptance.residual_impact) == (4, 4)
    assert acceptance.residual_level == "critical"
    assert acceptance.by_ai_officer is True
    assert (acceptance.accepted_by, acceptance.accepted_on) == (ai_officer, today())
    assert acceptance.expires_on == in_days(180)
    assert acceptance.justification == "Residual exposure is covered by insurance."
    assert acceptance.history.first().history_user == ai_officer
    risk.refresh_from_db()
    assert risk.status == "accepted"
    assert risk.history.first().history_user == ai_officer


def test_the_risk_owner_accepts_through_the_page(client, system_owner):
    risk = risk_owned_by(system_owner, AT)
    client.force_login(system_owner)
    response = client.post(accept_url(risk), acceptance_form(risk))
    assert response.status_code == 302
    assert RiskAcceptance.objects.get().accepted_by == system_owner
    risk.refresh_from_db()
    assert risk.status == "accepted"


def test_the_owner_is_refused_on_the_page_above_the_threshold(client, system_owner):
    risk = risk_owned_by(system_owner, ABOVE)
    client.force_login(system_owner)
    response = client.post(accept_url(risk), acceptance_form(risk), follow=True)
    assert "only the AI officer accepts it" in response.content.decode()
    assert not RiskAcceptance.objects.exists()


def test_a_justification_and_a_future_expiry_are_required(client, system_owner, ai_officer):
    risk = risk_owned_by(system_owner, ABOVE)
    client.force_login(ai_officer)
    response = client.post(
        accept_url(risk), acceptance_form(risk, justification="   ", expires_on=today())
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["justification"] == ["This field is required."]
    assert errors["expires_on"] == ["Choose a date in the future."]
    page = response.content.decode()
    assert 'id="id_justification_error"' in page and 'id="id_expires_on_error"' in page
    assert not RiskAcceptance.objects.exists()
    risk.refresh_from_db()
    assert risk.status == "identified"


def test_an_acceptance_is_valid_for_at_most_three_years(client, system_owner, ai_officer):
    risk = risk_owned_by(system_owner, ABOVE)
    client.force_login(ai_officer)
    response = client.post(accept_url(risk), acceptance_form(risk, expires_on=in_days(3 * 366 + 1)))
    assert response.context["form"].errors["expires_on"] == [
        "An acceptance is valid for three years at most."
    ]
    assert not RiskAcceptance.objects.exists()


def test_the_service_refuses_an_empty_justification_or_a_past_expiry(system_owner, ai_officer):
    risk = risk_owned_by(system_owner, ABOVE)
    with pytest.raises(ValidationError, match="justification"):
        accept(risk, ai_officer, justification=" \n ")
    with pytest.raises(ValidationError, match="beyond today"):
        accept(risk, ai_officer, days=0)
    assert not RiskAcceptance.objects.exists()


def test_an_auditor_gets_no_acceptance_page_and_cannot_post_one(client, system_owner, auditor):
    risk = risk_owned_by(system_owner, BELOW)
    client.force_login(auditor)
    assert accept_url(risk) not in client.get(risk.get_absolute_url()).content.decode()
    response = client.get(accept_url(risk), follow=True)
    assert response.redirect_chain == [(risk.get_absolute_url(), 302)]
    assert "Only the risk owner or the AI officer accepts this risk." in response.content.decode()
    client.post(accept_url(risk), acceptance_form(risk))
    assert not RiskAcceptance.objects.exists()
    with pytest.raises(ValidationError):
        accept(risk, auditor)


def test_acceptances_are_records_no_one_edits(client, compliance_officer):
    acceptance = RiskAcceptanceFactory()
    client.force_login(compliance_officer)
    with pytest.raises(NoReverseMatch):
        reverse("risks:riskacceptance_edit", args=[acceptance.pk])
    delete = reverse("risks:riskacceptance_delete", args=[acceptance.pk])
    assert client.post(delete).status_code == 403  # no role holds the delete permission
    assert RiskAcceptance.objects.filter(pk=acceptance.pk).exists()


def test_a_user_who_cannot_see_the_risk_gets_404(client, make_user):
    risk = risk_owned_by(UserFactory(role="System Owner"), BELOW)
    client.force_login(make_user("no_role"))
    assert client.get(accept_url(risk)).status_code == 404
    assert client.post(accept_url(risk), acceptance_form(risk)).status_code == 404
    assert not RiskAcceptance.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    risk = risk_owned_by(None, BELOW)
    response = client.get(accept_url(risk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Expiry ----------------------------------------------------------------------------------------


def accepted_risk(owner, expires_in_days):
    risk = risk_owned_by(owner, AT)
    risk.status = Risk.Status.ACCEPTED
    risk.save()
    RiskAcceptanceFactory(
        risk=risk,
        accepted_by=owner,
        accepted_on=in_days(expires_in_days - 365),
        expires_on=in_days(expires_in_days),
    )
    return risk


def test_an_expired_acceptance_sends_the_risk_back_to_review(system_owner):
    expired = accepted_risk(system_owner, expires_in_days=-1)
    valid = accepted_risk(system_owner, expires_in_days=30)
    expires_today = accepted_risk(system_owner, expires_in_days=0)

    sweep()

    for risk in (expired, valid, expires_today):
        risk.refresh_from_db()
    assert expired.status == "review"
    assert (valid.status, expires_today.status) == ("accepted", "accepted")
    # A workflow save: it makes no one an author of the risk.
    assert expired.history.first().history_change_reason == "workflow: acceptance expired"


def test_the_owner_is_told_once_when_the_acceptance_expired(system_owner):
    risk = accepted_risk(system_owner, expires_in_days=-1)
    sweep()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [system_owner.email]
    assert f"{risk} (Risk acceptance expiry): overdue" in message.body
    assert risk.get_absolute_url() in message.body

    assert sweep().sent == 0
    assert len(mail.outbox) == 1


def test_the_owner_is_not_told_twice_about_the_same_expired_acceptance(system_owner):
    risk = accepted_risk(system_owner, expires_in_days=-1)
    sweep()
    risk.status = Risk.Status.ACCEPTED  # e.g. restored by hand
    risk.save()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        sweep()
    risk.refresh_from_db()
    assert risk.status == Risk.Status.REVIEW
    assert len(mail.outbox) == 1


def test_a_valid_acceptance_is_reminded_ahead_and_stays(system_owner):
    risk = accepted_risk(system_owner, expires_in_days=1)
    sweep()
    risk.refresh_from_db()
    assert risk.status == Risk.Status.ACCEPTED
    assert f"{risk} (Risk acceptance expiry): due soon" in mail.outbox[0].body


def test_the_list_filter_shows_risks_whose_acceptance_expired(client, system_owner, auditor):
    expired = accepted_risk(system_owner, expires_in_days=-1)
    valid = accepted_risk(system_owner, expires_in_days=30)
    risk_owned_by(system_owner, AT)  # never accepted
    client.force_login(auditor)
    url = reverse("risks:risk_list") + "?acceptance_expired=yes"
    assert listed(client.get(url)) == {expired.reference}
    sweep()
    assert listed(client.get(url)) == {expired.reference}
    assert valid.reference not in listed(client.get(url))


def test_the_detail_page_marks_an_expired_acceptance(client, system_owner, auditor):
    risk = accepted_risk(system_owner, expires_in_days=-1)
    client.force_login(auditor)
    assert "Acceptance expired" in client.get(risk.get_absolute_url()).content.decode()


# Treatment plans -------------------------------------------------------------------------------


def test_the_ai_officer_approves_a_treatment_plan(ai_officer):
    action = TreatmentActionFactory()
    risk = services.risk_treatment_plan_approve(risk=action.risk, user=ai_officer)
    risk.refresh_from_db()
    assert (risk.plan_approved_by, risk.plan_approved_on) == (ai_officer, today())
    assert risk.history.first().history_user == ai_officer


@pytest.mark.parametrize("persona", ["compliance_officer", "system_owner", "auditor"])
def test_only_the_ai_officer_approves_treatment_plans(make_user, persona):
    action = TreatmentActionFactory()
    with pytest.raises(ValidationError, match="Only the AI officer approves treatment plans."):
        services.risk_treatment_plan_approve(risk=action.risk, user=make_user(persona))
    action.risk.refresh_from_db()
    assert action.risk.plan_approved_on is None


def test_a_plan_without_actions_is_not_approved(ai_officer):
    active_criteria()
    risk = RiskFactory()
    TreatmentActionFactory(risk=risk, status="cancelled")
    with pytest.raises(ValidationError, match="no actions"):
        services.risk_treatment_plan_approve(risk=risk, user=ai_officer)


def test_an_ai_officer_who_wrote_an_action_cannot_approve_the_plan(ai_officer):
    action = TreatmentActionFactory()
    TreatmentActionFactory(risk=action.risk)
    action.title = "Changed by the AI officer"
    action._history_user = ai_officer
    action.save()
    with pytest.raises(ValidationError, match=re.escape(PLAN_FOUR_EYES)):
        services.risk_treatment_plan_approve(risk=action.risk, user=ai_officer)


def test_a_plan_is_approved_once(ai_officer):
    action = TreatmentActionFactory()
    services.risk_treatment_plan_approve(risk=action.risk, user=ai_officer)
    with pytest.raises(ValidationError, match="approved already"):
        services.risk_treatment_plan_approve(risk=action.risk, user=ai_officer)


def approved_plan(ai_officer):
    action = TreatmentActionFactory()
    services.risk_treatment_plan_approve(risk=action.risk, user=ai_officer)
    return action


def plan_approval(action):
    risk = Risk.objects.get(pk=action.risk_id)
    return risk.plan_approved_by, risk.plan_approved_on


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "A different action"),
        ("description", "Now also for attachments."),
        ("due_date", in_days(400)),
    ],
)
def test_changing_an_approved_action_withdraws_the_plan_approval(
    compliance_officer, ai_officer, field, value
):
    action = approved_plan(ai_officer)
    setattr(action, field, value)
    action._history_user = compliance_officer
    action.save()
    assert plan_approval(action) == (None, None)


def test_handing_an_action_to_another_owner_withdraws_the_plan_approval(ai_officer):
    action = approved_plan(ai_officer)
    action.owner = UserFactory()
    action.save()
    assert plan_approval(action) == (None, None)


def test_adding_or_deleting_an_action_withdraws_the_plan_approval(ai_officer):
    action = approved_plan(ai_officer)
    TreatmentActionFactory(risk=action.risk)
    assert plan_approval(action) == (None, None)

    services.risk_treatment_plan_approve(risk=action.risk, user=ai_officer)
    action.delete()
    assert plan_approval(action) == (None, None)


def test_progress_on_an_action_keeps_the_plan_approval(ai_officer):
    action = approved_plan(ai_officer)
    action.status = "done"
    action.save()
    action.title = action.title  # saved again unchanged
    action.save()
    assert plan_approval(action) == (ai_officer, today())


def test_a_changed_plan_is_approved_again(ai_officer):
    action = approved_plan(ai_officer)
    action.title = "A different action"
    action.save()
    services.risk_treatment_plan_approve(risk=action.risk, user=ai_officer)
    assert plan_approval(action) == (ai_officer, today())


def test_the_approve_button_approves_the_plan(client, ai_officer):
    action = TreatmentActionFactory()
    client.force_login(ai_officer)
    detail = client.get(action.risk.get_absolute_url()).content.decode()
    approve = decide_url(PLAN, action.risk)
    assert approve in detail
    page = client.get(approve)
    assert page.status_code == 200
    assert action.title in page.content.decode()  # the plan decided on is shown
    response = client.post(approve, decision_payload(PLAN, action.risk), follow=True)
    assert "Decision recorded." in response.content.decode()
    action.risk.refresh_from_db()
    assert action.risk.plan_approved_by == ai_officer


def test_a_compliance_officer_cannot_approve_a_plan_through_the_page(client, compliance_officer):
    action = TreatmentActionFactory()
    client.force_login(compliance_officer)
    approve = decide_url(PLAN, action.risk)
    detail = client.get(action.risk.get_absolute_url())
    assert detail.status_code == 200
    assert approve not in detail.content.decode()
    response = client.post(approve, decision_payload(PLAN, action.risk), follow=True)
    assert response.redirect_chain == [(action.risk.get_absolute_url(), 302)]
    assert "Only the AI officer approves treatment plans." in response.content.decode()
    action.risk.refresh_from_db()
    assert action.risk.plan_approved_on is None


def test_the_page_refuses_the_author_of_an_action_with_a_message(client, ai_officer):
    action = TreatmentActionFactory()
    action._history_user = ai_officer
    action.save()
    client.force_login(ai_officer)
    response = post_decision(client, PLAN, action.risk)
    assert response.status_code == 302
    assert response["Location"] == action.risk.get_absolute_url()
    page = client.get(response["Location"]).content.decode()
    assert PLAN_FOUR_EYES in page
    action.risk.refresh_from_db()
    assert action.risk.plan_approved_on is None


def test_changed_residual_scores_send_an_accepted_risk_back_to_review(client, compliance_officer):
    risk = RiskFactory(status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=risk, residual_likelihood=2, residual_impact=3)
    risk.title = "Renamed"
    risk.save()
    assert Risk.objects.get(pk=risk.pk).status == Risk.Status.ACCEPTED
    client.force_login(compliance_officer)
    edit_risk(client, risk, compliance_officer, residual_likelihood=3, status="accepted")
    assert Risk.objects.get(pk=risk.pk).status == Risk.Status.REVIEW


def test_the_author_of_an_action_is_not_offered_the_approve_button(client, ai_officer):
    action = TreatmentActionFactory()
    client.force_login(ai_officer)
    assert "Approve treatment plan" in client.get(action.risk.get_absolute_url()).content.decode()
    action._history_user = ai_officer
    action.save()
    assert (
        "Approve treatment plan" not in client.get(action.risk.get_absolute_url()).content.decode()
    )


def test_the_dashboard_links_plans_awaiting_approval_to_exactly_those_risks(client, ai_officer):
    # Risks without a residual assessment: no acceptance awaits, only their plans.
    unscored = {"residual_likelihood": None, "residual_impact": None}
    awaiting = TreatmentActionFactory(status="done", risk=RiskFactory(**unscored)).risk
    approved = TreatmentActionFactory(risk=RiskFactory(**unscored)).risk
    services.risk_treatment_plan_approve(risk=approved, user=ai_officer)
    client.force_login(ai_officer)
    attention = client.get(reverse("core:dashboard")).context["attention"]
    message, url = next(item for item in attention if "awaiting your decision" in str(item[0]))
    assert message == "Risks awaiting your decision: 1"
    assert listed(client.get(url)) == {awaiting.reference}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ai_officer", "compliance_officer"])
def test_the_page_of_a_plan_awaiting_approval_asks_once_whether_it_awaits(client, request, persona):
    """The decision box and the reason why someone may not decide both need to know whether the
    plan awaits approval: one query answers both."""
    risk = TreatmentActionFactory().risk
    client.force_login(request.getfixturevalue(persona))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(risk.get_absolute_url())
    assert page.status_code == 200
    asked = [q["sql"] for q in queries if '"risks_risk"."plan_approved_on" IS NULL' in q["sql"]]
    assert len(asked) == 1
