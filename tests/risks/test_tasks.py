"""The daily sweep that sends risks with an expired acceptance back to review, run by a real
Celery worker on the configured broker."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from risks.models import Risk
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
    assert expired.history.first().history_change_reason == "acceptance expired"


def test_the_schedule_runs_the_sweep_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["risk-acceptance-expiry"]
    assert entry["task"] == send_expired_acceptances_to_review.name
    assert entry["schedule"].hour == {6}
