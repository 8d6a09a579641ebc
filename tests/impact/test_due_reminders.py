"""The re-assessment date (swept by the reminder engine) tells an assessment's owner once per
assessment and per flagging: the e-mail key names both, so a second assessment or a new reason
is never swallowed; the owner's daily digest lists every due assessment."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from aims import celery_app
from aims.core import roles
from aims.core.reminders import sweep
from aims.impact import services
from aims.impact.models import ImpactAssessment
from tests.factories import ImpactAssessmentFactory, UserFactory


@pytest.fixture
def mail_sent_at_once():
    """Tasks run where they are queued, so the e-mail after a commit is sent in the test."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def owner(db):
    return UserFactory(role=roles.SYSTEM_OWNER)


def approved_assessment(owner, review_days_ago=1):
    return ImpactAssessmentFactory(
        owner=owner,
        status=ImpactAssessment.Status.APPROVED,
        next_review=timezone.localdate() - timedelta(days=review_days_ago),
    )


def test_each_due_assessment_of_one_owner_gets_its_own_e_mail_and_one_digest(
    owner, mail_sent_at_once, django_capture_on_commit_callbacks
):
    # Same owner, same version number: only the assessment tells the e-mails apart.
    assessments = [approved_assessment(owner), approved_assessment(owner)]
    assert len({a.version for a in assessments}) == 1
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert [message.to for message in mail.outbox] == [[owner.email]] * 3
    (digest,) = [m for m in mail.outbox if "due dates" in m.subject]
    for assessment in assessments:
        assert sum(str(assessment) in message.subject for message in mail.outbox) == 1
        assert str(assessment) in digest.body
        assessment.refresh_from_db()
        assert assessment.reassessment_due is True


def test_an_assessment_flagged_again_for_a_new_reason_is_e_mailed_again(
    owner, mail_sent_at_once, django_capture_on_commit_callbacks
):
    assessment = approved_assessment(owner)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assessment.refresh_from_db()
    assert assessment.reassessment_due is True
    with django_capture_on_commit_callbacks(execute=True):
        services.impact_assessment_flag_due(
            system=assessment.system, reason="the intended purpose changed"
        )
    notices = [m.subject for m in mail.outbox if "re-assessment" in m.subject]
    assert len(notices) == 2
    assert "the intended purpose changed" in notices[1]
    # The same reason again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        services.impact_assessment_flag_due(
            system=assessment.system, reason="the intended purpose changed"
        )
    assert len(mail.outbox) == 3  # the two notices and the digest
