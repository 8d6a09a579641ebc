"""Risks whose acceptance expired go back to review through the reminder engine's sweep, run
here by a real Celery worker on the configured broker."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from aims.core.reminders import sweep
from aims.core.tasks import send_review_reminders
from risks.models import Risk
from tests.factories import RiskAcceptanceFactory, RiskFactory, UserFactory


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


def test_the_worker_sends_a_risk_with_an_expired_acceptance_back_to_review(worker):
    owner = UserFactory(role="System Owner")
    expired = RiskFactory(owner=owner, status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=expired, expires_on=days_ago(1))
    valid = RiskFactory(owner=owner, status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=valid, expires_on=timezone.localdate() + timedelta(days=60))

    result = send_review_reminders.apply_async(ignore_result=False)
    assert result.get(timeout=30)["sent"] == 1

    expired.refresh_from_db()
    valid.refresh_from_db()
    assert expired.status == Risk.Status.REVIEW
    assert valid.status == Risk.Status.ACCEPTED
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert f"{expired} (Risk acceptance expiry): overdue" in mail.outbox[0].body
    assert expired.history.first().history_change_reason == "workflow: acceptance expired"


def test_each_of_an_owners_risks_sent_back_is_listed_once_in_one_digest(db):
    owner = UserFactory(role="System Owner")
    with_acceptance = RiskFactory(owner=owner, status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=with_acceptance, expires_on=days_ago(1))
    # Accepted without an acceptance on record (entered so by hand or by an import).
    unrecorded = [RiskFactory(owner=owner, status=Risk.Status.ACCEPTED) for _ in range(2)]
    sweep()
    [message] = mail.outbox
    for risk in [with_acceptance, *unrecorded]:
        risk.refresh_from_db()
        assert risk.status == Risk.Status.REVIEW
        assert message.body.count(f"{risk} (Risk acceptance expiry)") == 1
    sweep()
    assert len(mail.outbox) == 1


def test_a_risk_accepted_anew_and_expired_again_is_reminded_again(db):
    owner = UserFactory(role="System Owner")
    risk = RiskFactory(owner=owner, status=Risk.Status.ACCEPTED)
    RiskAcceptanceFactory(risk=risk, accepted_on=days_ago(400), expires_on=days_ago(35))
    sweep()
    risk.refresh_from_db()
    assert risk.status == Risk.Status.REVIEW
    RiskAcceptanceFactory(risk=risk, accepted_on=days_ago(30), expires_on=days_ago(1))
    risk.status = Risk.Status.ACCEPTED
    risk.save()
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        sweep()
    risk.refresh_from_db()
    assert risk.status == Risk.Status.REVIEW
    assert [message.to for message in mail.outbox] == [[owner.email], [owner.email]]
    assert f"overdue, due on {date_format(days_ago(1), 'SHORT_DATE_FORMAT')}" in mail.outbox[1].body
