"""AI policy review reminders through the reminder engine, run here by a real Celery worker."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from kombu.exceptions import OperationalError

from aims import celery_app
from aims.context.models import AIPolicy
from aims.core.models import Reminder
from aims.core.reminders import sweep
from aims.core.tasks import send_review_reminders
from tests.factories import UserFactory


def approved_policy(review_in_days):
    return AIPolicy.objects.create(
        title="AI policy",
        content="Text",
        status=AIPolicy.Status.APPROVED,
        next_review=timezone.localdate() + timedelta(days=review_in_days),
    )


def tomorrow():
    return time_machine.travel(timezone.now() + timedelta(days=1))


@pytest.fixture
def officers(db):
    return [UserFactory(role="Compliance Officer") for _ in range(2)]


def run_on_worker():
    """Queue the sweep through the broker and wait for the worker's answer."""
    return send_review_reminders.apply_async(ignore_result=False).get(timeout=30)


def test_the_worker_sends_each_officer_one_reminder(worker, officers):
    policy = approved_policy(review_in_days=10)
    assert run_on_worker()["sent"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in officers)
    assert f"{policy} (AI policy review): due soon" in mail.outbox[0].body
    assert Reminder.objects.count() == 2

    assert run_on_worker()["sent"] == 0  # the next sweep
    assert len(mail.outbox) == 2


def test_the_sweep_skips_policies_not_yet_due(officers):
    approved_policy(review_in_days=90)
    assert sweep().reminders == 0
    assert mail.outbox == []


def test_only_approved_policies_are_reminded(officers):
    policy = approved_policy(review_in_days=5)
    policy.status = AIPolicy.Status.RETIRED
    policy.save()
    assert sweep().reminders == 0


def test_a_changed_review_date_is_reminded_again(officers):
    policy = approved_policy(review_in_days=-3)
    assert sweep().sent == 2
    policy.next_review = timezone.localdate() + timedelta(days=5)
    policy.save()
    with tomorrow():
        assert sweep().sent == 2
        assert sweep().sent == 0
    assert "due soon" in mail.outbox[-1].body


def test_a_new_policy_due_on_the_same_day_as_its_predecessor_is_reminded_again(officers):
    review = timezone.localdate() + timedelta(days=5)
    first = approved_policy(review_in_days=5)
    assert sweep().sent == 2
    first.status = AIPolicy.Status.RETIRED
    first.save()
    second = AIPolicy.objects.create(
        title="AI policy",
        content="Revised text",
        policy_version="2.0",
        status=AIPolicy.Status.APPROVED,
        next_review=review,
    )
    with tomorrow():
        assert sweep().sent == 2
        assert sweep().sent == 0
    assert [str(second) in m.body for m in mail.outbox] == [False, False, True, True]


def test_each_officer_gets_the_reminder_of_the_same_policy_once(officers):
    approved_policy(review_in_days=1)
    assert sweep().sent == 2
    late_officer = UserFactory(role="Compliance Officer")
    assert sweep().sent == 1
    assert mail.outbox[-1].to == [late_officer.email]


def test_a_failing_mail_server_leaves_the_reminder_for_the_next_sweep(settings, officers):
    approved_policy(review_in_days=1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert sweep().sent == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sweep().sent == 2


def test_a_broker_outage_loses_no_reminder(officers):
    approved_policy(review_in_days=-1)
    with (
        celery_app.connection_for_write("redis://127.0.0.1:1/0", connect_timeout=1) as unreachable,
        pytest.raises(OperationalError),
    ):
        send_review_reminders.apply_async(connection=unreachable, retry=False)
    assert not Reminder.objects.exists()
    # The state is in the database, so the first sweep after the outage catches up.
    assert sweep().sent == 2


def test_a_title_with_line_breaks_still_gets_a_one_line_subject(officers):
    policy = approved_policy(review_in_days=1)
    policy.title = "AI policy\nBcc: someone@example.test"
    policy.save()
    assert sweep().sent == 2
    assert "\n" not in mail.outbox[0].subject
    assert mail.outbox[0].bcc == []
