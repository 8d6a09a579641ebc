"""E-mail that is not lost: every mail is pending until it has gone out, a failed send is tried
again by the next sweep exactly once, the broker being down delays the mail but loses nothing,
and two sweeps at once send a mail once."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from aims import celery_app
from aims.core import roles
from aims.core.models import Notification, OutgoingMail, ReminderLog
from aims.core.notifications import notify, queue_mail, send_pending
from aims.core.tasks import send_pending_mail
from tests.factories import UserFactory
from tests.impact.test_workflow import client_of, draft_by

BROKER_DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class RefusingBackend(LocmemBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowBackend(LocmemBackend):
    """A mail server that holds each message until the test lets it through."""

    sending = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        SlowBackend.sending.set()
        assert SlowBackend.release.wait(timeout=10)
        return super().send_messages(messages)


def remind(officer):
    """Queue an e-mail once under its key and send it now; return how many went out."""
    pending = queue_mail(
        key="policy-review:1:2026-12-31",
        recipients=[officer],
        subject="The AI policy is due for review",
        body="Review it, please.",
    )
    return send_pending(pending)


@pytest.fixture
def officer(db):
    return UserFactory(role=roles.COMPLIANCE_OFFICER)


def test_a_refused_reminder_stays_pending_with_its_error(settings, officer):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert remind(officer) == 0
    pending = OutgoingMail.objects.get()
    assert pending.sent_at is None
    assert pending.attempts == 1
    assert "SMTPServerDisconnected" in pending.last_error
    assert pending.claimed_at is None
    assert not ReminderLog.objects.exists()


def test_the_next_sweep_sends_a_refused_reminder_exactly_once(settings, officer):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    remind(officer)
    settings.EMAIL_BACKEND = LOCMEM
    assert send_pending_mail() == 1
    assert send_pending_mail() == 0
    assert [message.to for message in mail.outbox] == [[officer.email]]
    assert mail.outbox[0].subject == "The AI policy is due for review"
    assert OutgoingMail.objects.get().sent_at is not None
    assert ReminderLog.objects.filter(recipient=officer).count() == 1


def test_a_reminder_sent_once_is_not_queued_again(officer):
    assert remind(officer) == 1
    assert remind(officer) == 0
    assert send_pending_mail() == 0
    assert len(mail.outbox) == 1
    assert OutgoingMail.objects.count() == 1


def test_a_refused_notification_e_mail_is_sent_by_the_next_sweep(
    settings, django_capture_on_commit_callbacks, officer
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            notify(recipients=[officer], message="A risk awaits you.", url="/risks/1/", key="k1")
    finally:
        celery_app.conf.task_always_eager = False
    assert mail.outbox == []
    assert OutgoingMail.objects.get().attempts == 1
    settings.EMAIL_BACKEND = LOCMEM
    assert send_pending_mail() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].body.endswith("/risks/1/")


@pytest.fixture
def broker_down(settings):
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, celery_app._pool)
    saved_producers = celery_app.amqp._producer_pool
    settings.CELERY_BROKER_URL = BROKER_DOWN
    conf.broker_url, conf.broker_transport_options = BROKER_DOWN, {}
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options, celery_app._pool = saved
        celery_app.amqp._producer_pool = saved_producers


def test_with_the_broker_down_the_notification_stands_and_the_sweep_sends_the_e_mail_later(
    broker_down, django_capture_on_commit_callbacks, compliance_officer, ai_officer
):
    assessment = draft_by(compliance_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(compliance_officer).post(
            reverse("impact:submit", args=[assessment.pk])
        )
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=ai_officer).count() == 1
    assert mail.outbox == []
    assert OutgoingMail.objects.filter(recipient=ai_officer, sent_at__isnull=True).count() == 1

    # The broker is back: the periodic sweep sends it.
    assert send_pending_mail() == 1
    assert [message.to for message in mail.outbox] == [[ai_officer.email]]
    assert send_pending_mail() == 0
    assert len(mail.outbox) == 1


def test_the_sweep_runs_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pending-mail"]
    assert entry["task"] == send_pending_mail.name
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_a_mail_being_sent_by_one_sweep_is_not_sent_by_another_at_the_same_time(
    settings, transactional_db
):
    officer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    remind(officer)
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    SlowBackend.sending.clear()
    SlowBackend.release.clear()
    sent = {}

    def sweep(name):
        try:
            sent[name] = send_pending()
        finally:
            connection.close()

    first = threading.Thread(target=sweep, args=["first"])
    first.start()
    try:
        # The first sweep has claimed the mail and is in the middle of sending it: the row is
        # still unsent when the second sweep reads it.
        assert SlowBackend.sending.wait(timeout=10)
        second = threading.Thread(target=sweep, args=["second"])
        second.start()
        second.join(timeout=30)
    finally:
        SlowBackend.release.set()
        first.join(timeout=30)
    assert sent == {"first": 1, "second": 0}
    assert len(mail.outbox) == 1


def test_a_claim_left_by_a_worker_that_died_is_taken_over_later(officer):
    OutgoingMail.objects.create(
        key="k",
        recipient=officer,
        subject="s",
        body="b",
        claimed_at=timezone.now() - timedelta(hours=1),
        attempts=1,
    )
    assert send_pending_mail() == 1
    assert len(mail.outbox) == 1


def test_a_reminder_logged_as_sent_before_mail_was_queued_is_not_sent_again(officer):
    ReminderLog.objects.create(key="policy-review:1:2026-12-31", recipient=officer)
    assert remind(officer) == 0
    assert mail.outbox == []
    assert not OutgoingMail.objects.exists()
