"""The whole reminder sweep (reminders, digests, their notifications and e-mails, the outbox)
costs the same queries however many items are due (also none) and however many people are
reminded, and a second sweep over the same dates writes nothing, in as many queries."""

from collections import defaultdict
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import DateField, DateTimeField
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.core.models import Digest, Notification, OutgoingMail, Reminder, ReminderLog
from aims.core.reminders import sweep
from tests.competence.test_records_and_reminders import expiring_record
from tests.core.test_reminder_query_counts import due_items, plain_declarations
from tests.factories import PersonFactory


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


def plain_dates_on(day, every_date=False):
    """Every plain due date (tests/core/test_reminder_query_counts.py) set to `day`; with
    `every_date`, every other date of their models too (an end stays after its start)."""
    moment = timezone.make_aware(datetime.combine(day, time(12)))
    dates = defaultdict(dict)
    for _key, _register, due, model in plain_declarations():
        for field in model._meta.concrete_fields:
            if isinstance(field, DateField) and (
                field.name == due.date
                or (every_date and not (field.auto_now or field.auto_now_add))
            ):
                value = moment if isinstance(field, DateTimeField) else day
                dates[model][field.name] = value
    for model, values in dates.items():
        model._default_manager.update(**values)


@pytest.mark.django_db
def test_a_sweep_with_nothing_due_costs_the_same_queries_as_one_with_n_and_3n_items():
    """Every plain due date has nothing due, then N, then 3N (the dates computed from other
    rows, such as a KPI's next measurement, stay as they are)."""
    plain = {key for key, *_rest in plain_declarations()}
    sweep()  # the content types cached
    due_items(2)
    plain_dates_on(timezone.localdate() + timedelta(days=3650), every_date=True)
    none_queries, none = counted_sweep()
    assert not Reminder.objects.filter(key__in=plain).exists()
    forget_sweeps()
    plain_dates_on(timezone.localdate() + timedelta(days=1))
    few_queries, few = counted_sweep()
    forget_sweeps()
    due_items(4)
    many_queries, many = counted_sweep()
    assert many.reminders >= 3 * few.reminders > 3 * none.reminders
    assert many.sent > few.sent > 0
    assert none_queries == few_queries == many_queries


def stored():
    """Every row the sweep writes or changes, as it is."""
    return {
        model: list(model.objects.order_by("pk").values())
        for model in (Reminder, Digest, Notification, OutgoingMail, ReminderLog)
    }


@pytest.mark.django_db
def test_a_second_sweep_writes_nothing_in_as_many_queries_as_the_first():
    sweep()  # the content types cached
    due_items(3)
    first_queries, first = counted_sweep()
    assert first.reminders and first.digests and first.sent
    sent = len(mail.outbox)
    before = stored()
    second_queries, second = counted_sweep()
    assert (second.reminders, second.digests, second.sent) == (0, 0, 0)
    assert stored() == before
    assert len(mail.outbox) == sent
    assert second_queries == first_queries


def training_running_out(count):
    """`count` training records running out, of people with no manager: each reminds the
    compliance officers."""
    for _ in range(count):
        expiring_record(PersonFactory(manager=None))


@pytest.mark.django_db
def test_reminders_to_a_role_named_per_entry_cost_the_same_queries_for_n_and_3n(
    compliance_officer,
):
    sweep()
    training_running_out(2)
    few_queries, few = counted_sweep()
    forget_sweeps()
    training_running_out(4)
    many_queries, many = counted_sweep()
    reminded = Reminder.objects.filter(key="competence.trainingrecord:runs_out")
    assert reminded.filter(recipient=compliance_officer).count() == many.reminders == 6
    assert few.reminders == 2
    assert many_queries == few_queries
