"""The daily sweep that sends risks with an expired acceptance back to review, run by a real
Celery worker on the configured broker."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from risks.models import Risk
from risks.services import expired_acceptances_to_review
from risks.tasks import send_expired_acceptances_to_review
from tests.factories import RiskAcceptanceFactory, RiskFactory, UserFactory


def test_the_worker_sends_a_risk_with_an_expired_acceptance_back_to_review(worker):
    owner = UserFactory(role="System Owner")
    expired = RiskFactory(owner=owner, status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=expired, expires_on=timezone.localdate() - timedelta(days=1))
    valid = RiskFactory(owner=owner, status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=valid, expires_on=timezone.localdate() + timedelta(days=30))

    result = send_expired_acceptances_to_review.apply_async(ignore_result=False)
    assert result.get(timeout=30) == 1

    expired.refresh_from_db()
    valid.refresh_from_db()
    assert expired.status == Risk.Status.REVIEW
    assert valid.status == Risk.Status.ACCEPTED
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert expired.reference in mail.outbox[0].subject
    assert expired.history.first().history_change_reason == "workflow: acceptance expired"


def test_the_schedule_runs_the_sweep_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["risk-acceptance-expiry"]
    assert entry["task"] == send_expired_acceptances_to_review.name
    assert entry["schedule"].hour == {6}


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def test_each_of_an_owners_risks_sent_back_gets_its_own_reminder(db):
    owner = UserFactory(role="System Owner")
    with_acceptance = RiskFactory(owner=owner, status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=with_acceptance, expires_on=days_ago(1))
    # Accepted without an acceptance on record (entered so by hand or by an import).
    unrecorded = [RiskFactory(owner=owner, status=Risk.Status.ACCEPTED) for _ in range(2)]
    assert expired_acceptances_to_review() == 3
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 3
    for risk in [with_acceptance, *unrecorded]:
        assert sum(risk.reference in subject for subject in subjects) == 1
    assert expired_acceptances_to_review() == 0
    assert len(mail.outbox) == 3


def test_a_risk_accepted_anew_and_expired_again_is_reminded_again(db):
    owner = UserFactory(role="System Owner")
    risk = RiskFactory(owner=owner, status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=risk, accepted_on=days_ago(400), expires_on=days_ago(35))
    assert expired_acceptances_to_review() == 1
    risk.refresh_from_db()
    RiskAcceptanceFactory(risk=risk, accepted_on=days_ago(30), expires_on=days_ago(1))
    risk.status = Risk.Status.ACCEPTED
    risk.save()
    assert expired_acceptances_to_review() == 1
    assert [message.to for message in mail.outbox] == [[owner.email], [owner.email]]
    assert days_ago(1).isoformat() in mail.outbox[1].body
