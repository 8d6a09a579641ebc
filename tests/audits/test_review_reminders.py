"""Management reviews on the reminder engine: an open action reaches its owner and the chair
(overdue, once), a done one nobody; the next planned review reaches its chair and minute-taker."""

import datetime

from django.core import mail
from django.utils import timezone

from aims.core.models import Reminder
from aims.core.reminders import sweep
from audits.models import ManagementReview, ReviewAction
from tests.factories import ManagementReviewFactory, ReviewActionFactory

TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=3)


def digest_of(user):
    (digest,) = [m for m in mail.outbox if m.to == [user.email] and "due dates" in m.subject]
    return digest.body


def test_an_overdue_action_is_reminded_once_to_its_owner_and_the_chair(db):
    action = ReviewActionFactory(due_date=PAST, title="Train the claims operators")
    ReviewActionFactory(due_date=PAST, status=ReviewAction.Status.DONE, title="Publish the policy")
    sweep()
    sweep()
    for person in (action.owner, action.review.chair):
        body = digest_of(person)
        assert "Train the claims operators" in body and "Management review action" in body
        assert "overdue" in body and "Publish the policy" not in body
    assert set(
        Reminder.objects.filter(key="audits.reviewaction:due_date").values_list(
            "object_id", "stage"
        )
    ) == {(action.pk, "overdue")}


def test_the_next_review_is_reminded_to_its_chair_and_minute_taker_until_it_is_held(db):
    review = ManagementReviewFactory(date=TODAY + datetime.timedelta(days=10))
    sweep()
    for person in (review.chair, review.minute_taker):
        assert str(review) in digest_of(person)
    ManagementReview.objects.filter(pk=review.pk).update(status=ManagementReview.Status.CLOSED)
    sweep(today=review.date)
    assert not Reminder.objects.filter(stage="today", object_id=review.pk).exists()
