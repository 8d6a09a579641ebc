"""The form layer on 29 February: every register's add and edit form (generated from the
registry) and the decide pages render and save on a leap day; limits counted in years end on
28 February when the target year has no leap day."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aims.core.dates import add_months, add_years
from aims.impact import services as impact_services
from aims.impact.models import DecisionCondition, ImpactAssessment
from risks.models import RiskAcceptance
from tests.conftest import ADD_REGISTER_IDS, ADD_REGISTERS, form_payload, new_object_payload
from tests.decisions import decide_url, decision_payload
from tests.factories import (
    REGISTER_FACTORIES,
    AISystemFactory,
    ImpactAssessmentFactory,
    RiskFactory,
    TreatmentActionFactory,
    active_criteria,
)

LEAP_DAY = datetime(2028, 2, 29, 12, 0, tzinfo=UTC)  # 29 February in every European zone


@pytest.fixture
def leap_day():
    with time_machine.travel(LEAP_DAY, tick=False):
        assert timezone.localdate() == date(2028, 2, 29)
        yield


def saved_by(obj, user):
    obj._history_user = user
    obj.save()
    return obj


@pytest.mark.parametrize("register", ADD_REGISTERS, ids=ADD_REGISTER_IDS)
def test_every_register_form_renders_and_saves_on_a_leap_day(client, editor, leap_day, register):
    user = editor(register)
    client.force_login(user)
    add = reverse(register.url_name("add"))
    assert client.get(add).status_code == 200
    count = register.model.objects.count()
    response = client.post(add, new_object_payload(register, user))
    assert response.status_code == 302
    assert register.model.objects.count() == count + 1

    obj = REGISTER_FACTORIES[register.model]()
    edit = reverse(register.url_name("edit"), args=[obj.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, form_payload(register, obj, user))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.version == 2


def risk_awaiting_acceptance(author):
    active_criteria()
    risk = saved_by(
        RiskFactory.build(owner=author, residual_likelihood=3, residual_impact=4), author
    )
    saved_by(TreatmentActionFactory.build(risk=risk, owner=author), author)
    risk.refresh_from_db()
    return risk


def test_a_risk_accepted_on_a_leap_day_may_be_valid_until_28_february_three_years_on(
    client, compliance_officer, ai_officer, leap_day
):
    risk = risk_awaiting_acceptance(compliance_officer)
    client.force_login(ai_officer)
    assert (
        client.post(
            decide_url("treatment-plan", risk), decision_payload("treatment-plan", risk)
        ).status_code
        == 302
    )
    page = client.get(decide_url("risk-acceptance", risk))
    assert page.status_code == 200

    payload = decision_payload("risk-acceptance", risk, justification="Monitored monthly.")
    too_late = client.post(
        decide_url("risk-acceptance", risk), {**payload, "expires_on": "2031-03-01"}
    )
    assert too_late.status_code == 200
    assert "expires_on" in too_late.context["form"].errors
    assert not RiskAcceptance.objects.exists()

    response = client.post(
        decide_url("risk-acceptance", risk), {**payload, "expires_on": "2031-02-28"}
    )
    assert response.status_code == 302
    assert RiskAcceptance.objects.get(risk=risk).expires_on == date(2031, 2, 28)


def test_an_assessment_approved_with_a_condition_on_a_leap_day_is_reviewed_and_met_in_time(
    client, compliance_officer, ai_officer, leap_day
):
    assessment = saved_by(
        ImpactAssessmentFactory.build(system=AISystemFactory(), review_interval_months=12),
        compliance_officer,
    )
    impact_services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    client.force_login(ai_officer)
    assert client.get(decide_url("impact-assessment", assessment)).status_code == 200

    response = client.post(
        decide_url("impact-assessment", assessment),
        decision_payload(
            "impact-assessment",
            assessment,
            outcome="approved_with_conditions",
            condition_0="Add a human review step.",
            condition_0_owner=compliance_officer.pk,
            condition_0_due="2028-03-31",
        ),
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.APPROVED_WITH_CONDITIONS
    assert assessment.next_review == date(2029, 2, 28)

    condition = DecisionCondition.objects.get(decision__assessment=assessment)
    client.force_login(compliance_officer)
    met = reverse("impact:condition_met", args=[condition.pk])
    assert client.get(met).status_code == 200
    response = client.post(met, {"met_on": "2028-02-29", "met_note": "Review step in place."})
    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.met_on == date(2028, 2, 29)


def test_years_from_29_february_end_on_28_february_in_a_common_year():
    assert add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)


def test_years_from_29_february_to_a_leap_year_keep_the_day():
    assert add_years(date(2028, 2, 29), 4) == date(2032, 2, 29)


def test_a_month_from_31_january_ends_on_the_last_day_of_february():
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)


def test_months_back_across_a_year_end():
    assert add_months(date(2028, 1, 15), -2) == date(2027, 11, 15)
