"""Re-assessment (8.4): a material change of an AI system, or the planned date, makes its
approved impact assessment due again and tells the assessment's owner; the next approved
version settles it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aims import celery_app
from aims.core import roles
from aims.core.dates import short_date
from aims.core.models import Notification, Reminder
from aims.core.registry import registry
from aims.core.reminders import sweep
from aims.impact import services
from aims.impact.attention import impact_attention
from aims.impact.models import AssessmentDecision, ImpactAssessment
from aims.inventory.models import AISystem
from tests.conftest import form_payload
from tests.factories import AISystemFactory, ClassificationFactory, ModelVersionFactory, UserFactory
from tests.impact.test_workflow import approved, draft_by

Outcome = AssessmentDecision.Outcome


@pytest.fixture
def people(db):
    return {
        "author": UserFactory(role=roles.COMPLIANCE_OFFICER),
        "decider": UserFactory(role=roles.AI_OFFICER),
        "assessment_owner": UserFactory(role=roles.SYSTEM_OWNER),
    }


def approved_for(system, people):
    return approved(people["author"], people["decider"], system, owner=people["assessment_owner"])


def due_notices(user):
    return list(
        Notification.objects.filter(recipient=user, message__contains="is due for re-assessment")
    )


def assert_flagged(assessment, reason, owner):
    assessment.refresh_from_db()
    assert assessment.reassessment_due is True
    assert reason in assessment.reassessment_reason
    (notice,) = due_notices(owner)
    assert str(assessment) in notice.message
    assert reason in notice.message
    assert notice.url == assessment.get_absolute_url()


def assert_not_flagged(assessment, owner):
    assessment.refresh_from_db()
    assert (assessment.reassessment_due, assessment.reassessment_reason) == (False, "")
    assert due_notices(owner) == []


# Material changes -------------------------------------------------------------------------------


def change_purpose(system):
    system.purpose = "Decides which claims are paid without review."
    system.save()
    return "the intended purpose changed"


def change_roles(system):
    system.ai_act_roles = ["deployer", "provider"]
    system.save()
    return "the EU AI Act role changed"


def go_live(system):
    system.lifecycle_stage = "operation"
    system.save()
    return "the system went live"


def add_model_version(system):
    ModelVersionFactory(system=system, version_label="2.0")
    return "model version 2.0 was added"


def classify_again_as_minimal(system):
    ClassificationFactory(system=system, tier="minimal")
    return "the risk tier changed to Minimal risk"


@pytest.mark.parametrize(
    "change",
    [change_purpose, change_roles, go_live, add_model_version, classify_again_as_minimal],
    ids=["purpose", "EU AI Act role", "going live", "model version", "risk tier"],
)
def test_a_material_change_makes_the_approved_assessment_due_and_tells_its_owner(people, change):
    system = AISystemFactory(lifecycle_stage="design", ai_act_roles=["deployer"])
    ClassificationFactory(system=system, tier="high_risk")
    assessment = approved_for(system, people)
    assert_not_flagged(assessment, people["assessment_owner"])

    reason = change(AISystem.objects.get(pk=system.pk))

    assert_flagged(assessment, reason, people["assessment_owner"])


def test_a_change_through_the_system_page_makes_the_assessment_due(client, people):
    system = AISystemFactory()
    assessment = approved_for(system, people)
    officer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    client.force_login(officer)
    payload = {
        **form_payload(registry[AISystem], system, officer),
        "purpose": "Decides which claims are paid without review.",
    }
    response = client.post(reverse("inventory:aisystem_edit", args=[system.pk]), payload)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert_flagged(assessment, "the intended purpose changed", people["assessment_owner"])
    # The assessment page says why it is due.
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert "This assessment is due again: the intended purpose changed" in page


def test_a_new_classification_with_the_same_tier_flags_nothing(people):
    system = AISystemFactory()
    ClassificationFactory(system=system, tier="high_risk")
    assessment = approved_for(system, people)
    ClassificationFactory(system=system, tier="high_risk")
    assert_not_flagged(assessment, people["assessment_owner"])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("business_unit", "Claims operations"),
        ("deployment_environment", "Private cloud"),
        ("purpose", "Sorts incoming claims for review.\r\n"),  # the same text from a browser
    ],
)
def test_a_change_of_an_unrelated_field_flags_nothing(people, field, value):
    system = AISystemFactory()
    assessment = approved_for(system, people)
    stored = AISystem.objects.get(pk=system.pk)
    setattr(stored, field, value)
    stored.save()
    assert_not_flagged(assessment, people["assessment_owner"])


def test_a_draft_assessment_is_not_flagged(people):
    system = AISystemFactory()
    draft = draft_by(people["author"], system, owner=people["assessment_owner"])
    change_purpose(AISystem.objects.get(pk=system.pk))
    ModelVersionFactory(system=system)
    assert_not_flagged(draft, people["assessment_owner"])


def test_the_latest_approved_version_is_flagged_not_the_draft_after_it(people):
    system = AISystemFactory()
    v1 = approved_for(system, people)
    v2 = services.impact_assessment_new_version(assessment=v1, user=people["author"])
    reason = change_purpose(AISystem.objects.get(pk=system.pk))
    assert_flagged(v1, reason, people["assessment_owner"])
    v2.refresh_from_db()
    assert v2.reassessment_due is False


def test_the_same_change_twice_tells_the_owner_once_and_a_second_reason_is_added(people):
    system = AISystemFactory()
    assessment = approved_for(system, people)
    owner = people["assessment_owner"]
    change_purpose(AISystem.objects.get(pk=system.pk))
    stored = AISystem.objects.get(pk=system.pk)
    stored.purpose = "Yet another purpose."
    stored.save()
    assert len(due_notices(owner)) == 1

    add_model_version(AISystem.objects.get(pk=system.pk))
    assessment.refresh_from_db()
    assert assessment.reassessment_reason.splitlines() == [
        "the intended purpose changed",
        "model version 2.0 was added",
    ]
    assert len(due_notices(owner)) == 2


def test_flagging_makes_no_one_an_author(people):
    system = AISystemFactory()
    assessment = approved_for(system, people)
    editors = services.content_editors(assessment)
    change_purpose(AISystem.objects.get(pk=system.pk))
    assert services.content_editors(assessment) == editors


# The planned date ------------------------------------------------------------------------------


def test_the_sweep_flags_an_assessment_whose_planned_date_has_come_once(people):
    system = AISystemFactory()
    assessment = approved_for(system, people)
    owner = people["assessment_owner"]
    planned = assessment.next_review
    assert planned > timezone.localdate()

    sweep(today=planned - timedelta(days=1))
    assert_not_flagged(assessment, owner)

    sweep(today=planned)
    sweep(today=planned)
    sweep(today=planned + timedelta(days=1))

    assert_flagged(
        assessment, f"the planned re-assessment date {short_date(planned)} has come", owner
    )


def test_the_sweep_leaves_drafts_and_submitted_assessments_alone(people):
    draft = draft_by(people["author"], owner=people["assessment_owner"])
    submitted = draft_by(people["author"], owner=people["assessment_owner"])
    services.impact_assessment_submit(assessment=submitted, user=people["author"])
    sweep(today=timezone.localdate() + timedelta(days=3650))
    for assessment in (draft, submitted):
        assert_not_flagged(assessment, people["assessment_owner"])


def test_the_sweep_looks_only_at_the_latest_approved_version(people):
    system = AISystemFactory()
    v1 = approved_for(system, people)
    v2 = services.impact_assessment_new_version(assessment=v1, user=people["author"])
    services.impact_assessment_submit(assessment=v2, user=people["author"])
    services.impact_assessment_decide(
        assessment=v2, user=people["decider"], outcome=Outcome.APPROVED
    )
    # v1 was planned for the same date as v2; push v2's date back, as a later approval would.
    v2.refresh_from_db()
    v2.next_review = v1.next_review + timedelta(days=180)
    v2.save()

    # v1's planned date has come, but v1 is superseded: v2 is current and not yet due.
    sweep(today=v1.next_review)
    assert_not_flagged(v2, people["assessment_owner"])
    assert not Reminder.objects.filter(object_id=v1.pk, key="impact.impactassessment:next_review")


def test_the_worker_runs_the_reminder_sweep_the_schedule_names(worker, settings, people):
    system = AISystemFactory()
    assessment = approved_for(system, people)
    assessment.next_review = timezone.localdate()
    assessment.save()
    scheduled = settings.CELERY_BEAT_SCHEDULE["review-reminders"]["task"]
    assert "impact-reassessment-due" not in settings.CELERY_BEAT_SCHEDULE

    # Sent by name, as the scheduler sends it. (The project ignores task results by default,
    # so `.delay().get()` would answer None: the result is asked for here.)
    first = celery_app.send_task(scheduled, ignore_result=False).get(timeout=30)
    again = celery_app.send_task(scheduled, ignore_result=False).get(timeout=30)
    assert (first["digests"], again["digests"], again["reminders"]) == (1, 0, 0)

    assessment.refresh_from_db()
    assert assessment.reassessment_due is True
    assert len(due_notices(people["assessment_owner"])) == 1
    (digest,) = [m for m in mail.outbox if "due dates in the AI management system" in m.subject]
    assert digest.to == [people["assessment_owner"].email]
    assert "Impact re-assessment" in digest.body and str(assessment) in digest.body


# The next version settles it --------------------------------------------------------------------


def test_approving_a_new_version_clears_the_due_flag(people):
    system = AISystemFactory()
    v1 = approved_for(system, people)
    change_purpose(AISystem.objects.get(pk=system.pk))
    v1.refresh_from_db()
    assert v1.reassessment_due is True
    officer = people["author"]
    assert any("due for re-assessment" in str(text) for text, _url in impact_attention(officer))

    v2 = services.impact_assessment_new_version(assessment=v1, user=officer)
    services.impact_assessment_submit(assessment=v2, user=officer)
    services.impact_assessment_decide(
        assessment=v2, user=people["decider"], outcome=Outcome.APPROVED
    )

    v2.refresh_from_db()
    assert (v2.reassessment_due, v2.reassessment_reason) == (False, "")
    # Nothing of the system is due any more: not in the register, not on the dashboard.
    assert not ImpactAssessment.objects.filter(system=system, reassessment_due=True).exists()
    assert not any("due for re-assessment" in str(text) for text, _url in impact_attention(officer))
    client = Client()
    client.force_login(officer)
    listed = client.get(reverse("impact:impactassessment_list"), {"reassessment_due": "true"})
    assert [row.record for row in listed.context["table"].page.object_list] == []


def test_a_rejected_new_version_leaves_the_flag_standing(people):
    system = AISystemFactory()
    v1 = approved_for(system, people)
    change_purpose(AISystem.objects.get(pk=system.pk))
    v2 = services.impact_assessment_new_version(assessment=v1, user=people["author"])
    services.impact_assessment_submit(assessment=v2, user=people["author"])
    services.impact_assessment_decide(
        assessment=v2, user=people["decider"], outcome=Outcome.REJECTED, comment="Not yet."
    )
    v1.refresh_from_db()
    assert v1.reassessment_due is True
