"""The whole reminder sweep (reminders, digests, their notifications and e-mails, the outbox)
costs the same queries however many items are due and however many people are reminded, and a
second sweep over the same dates writes nothing."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aims.core.models import Digest, Notification, OutgoingMail, Reminder, ReminderLog
from aims.core.reminders import sweep
from tests.core.test_reminder_query_counts import due_items

WRITES = ("INSERT", "UPDATE", "DELETE")


def counted_sweep():
    with CaptureQueriesContext(connection) as queries:
        result = sweep()
    return len(queries), result


def forget_sweeps():
    """As before the first sweep: nothing reminded, no digest, no e-mail."""
    for model in (Reminder, Digest, Notification, OutgoingMail, ReminderLog):
        model.objects.all().delete()
    mail.outbox.clear()


@pytest.mark.django_db
def test_a_sweep_costs_the_same_queries_for_n_and_for_3n_items_and_people():
    sweep()  # the content types cached, as in a worker that has swept before
    due_items(2)
    few_queries, few = counted_sweep()
    forget_sweeps()
    due_items(4)  # each entry has an owner of its own: three times the people too
    many_queries, many = counted_sweep()
    assert many.reminders >= 3 * few.reminders > 0
    assert many.digests > few.digests > 0
    assert many.sent > few.sent > 0
    assert many_queries == few_queries


@pytest.mark.django_db
def test_a_second_sweep_writes_nothing():
    due_items(3)
    first = sweep()
    assert first.reminders and first.digests and first.sent
    sent = len(mail.outbox)
    with CaptureQueriesContext(connection) as queries:
        second = sweep()
    assert (second.reminders, second.digests, second.sent) == (0, 0, 0)
    assert not [query for query in queries if query["sql"].startswith(WRITES)]
    assert len(mail.outbox) == sent
