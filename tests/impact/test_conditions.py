"""Conditions of an approval: the assessment page offers "Mark as met" to the condition's owner,
shows who met it and when, and the history keeps the change; until then the reminder engine
reminds its owner."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from aims.core.models import Reminder
from aims.core.reminders import sweep
from aims.impact import services
from aims.impact.models import DecisionCondition
from tests.factories import AISystemFactory, ImpactAssessmentFactory


@pytest.fixture
def condition(compliance_officer, ai_officer, system_owner):
    system = AISystemFactory(owner=system_owner, name="Claims triage")
    assessment = ImpactAssessmentFactory.build(system=system)
    assessment._history_user = compliance_officer
    assessment.save()
    services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    services.impact_assessment_decide(
        assessment=assessment,
        user=ai_officer,
        outcome="approved_with_conditions",
        conditions=[
            (
                "Publish the notice to claimants.",
                system_owner,
                timezone.localdate() + timedelta(days=14),
            )
        ],
    )
    return DecisionCondition.objects.get()


def test_the_owner_marks_a_condition_met_from_the_assessment_page(client, condition, system_owner):
    client.force_login(system_owner)
    page = client.get(condition.get_absolute_url()).content.decode()
    met_url = reverse("impact:condition_met", args=[condition.pk])
    assert f'href="{met_url}"' in page and "Mark as met" in page

    response = client.post(
        met_url,
        {"met_on": timezone.localdate().isoformat(), "met_note": "Notice on the claims page."},
    )
    assert response.status_code == 302
    page = client.get(condition.get_absolute_url()).content.decode()
    assert "met on" in page and "Notice on the claims page." in page
    assert f'href="{met_url}"' not in page


def test_the_history_keeps_who_met_the_condition(condition, system_owner):
    services.decision_condition_meet(
        condition=condition, user=system_owner, met_on=timezone.localdate(), note="Published."
    )
    latest = condition.history.latest()
    assert (latest.history_user, latest.met_on, latest.met_note) == (
        system_owner,
        timezone.localdate(),
        "Published.",
    )


def test_a_met_condition_is_not_met_twice(condition, system_owner, compliance_officer):
    services.decision_condition_meet(
        condition=condition, user=system_owner, met_on=timezone.localdate(), note="Published."
    )
    with pytest.raises(ValidationError, match="met already"):
        services.decision_condition_meet(
            condition=condition, user=compliance_officer, met_on=timezone.localdate(), note="x"
        )
    condition.refresh_from_db()
    assert condition.met_by == system_owner


def test_an_unmet_condition_is_reminded_to_its_owner_until_it_is_met(condition, system_owner):
    sweep(today=condition.due_date)
    (digest,) = [m for m in mail.outbox if "due dates" in m.subject]
    assert digest.to == [system_owner.email]
    assert "Condition of an approved impact assessment" in digest.body
    assert "Publish the notice to claimants." in digest.body
    assert condition.decision.assessment.get_absolute_url() in digest.body

    services.decision_condition_meet(
        condition=condition, user=system_owner, met_on=timezone.localdate(), note="Published."
    )
    mail.outbox.clear()
    sweep(today=condition.due_date + timedelta(days=1))
    assert not Reminder.objects.filter(stage="overdue", object_id=condition.pk).exists()
    assert [m for m in mail.outbox if "due dates" in m.subject] == []
