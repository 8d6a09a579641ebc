"""The reminder sweep reads and writes in bulk: its queries do not grow with the items due."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import DateTimeField
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.core.models import Reminder
from aims.core.reminders import Recipients, declarations, remind
from tests.factories import REGISTER_FACTORIES


def plain_declarations():
    """Declarations on a date field of their own model (not across a relation, not computed)
    that count in days, so that their due dates can be set directly."""
    found = []
    for key, (register, due) in declarations().items():
        model = due.model_of(register)
        names = {field.name for field in model._meta.concrete_fields}
        if due.date in names and not due.hours:
            found.append((key, register, due, model))
    return found


def due_items(count):
    """`count` entries of every register, each plain due date set to tomorrow (due soon, so
    that no `on_due` hook changes them)."""
    for make in REGISTER_FACTORIES.values():
        for _ in range(count):
            make()
    tomorrow = timezone.localdate() + timedelta(days=1)
    for _key, _register, due, model in plain_declarations():
        field = model._meta.get_field(due.date)
        value = timezone.now() + timedelta(days=1) if isinstance(field, DateTimeField) else tomorrow
        model._default_manager.update(**{due.date: value})


def queries_per_declaration():
    """{key: (queries, objects due)}, the one INSERT of new reminders (also of none) included."""
    today = timezone.localdate()
    counts = {}
    # Content types are looked up once per process, and another test of this process may have
    # emptied their cache: read them before counting, so that every sweep counts the same.
    declared = plain_declarations()
    ContentType.objects.get_for_models(
        *{model for _key, register, _due, own in declared for model in (register.model, own)}
    )
    for key, register, due, _model in declared:
        with CaptureQueriesContext(connection) as queries:
            due_count = remind(register, due, today, Recipients())
        counts[key] = (len(queries), due_count)
    return counts


@pytest.mark.django_db
def test_reminding_costs_the_same_queries_for_2_and_for_20_items_due():
    due_items(2)
    few = queries_per_declaration()
    Reminder.objects.all().delete()
    due_items(18)
    many = queries_per_declaration()
    counted = [key for key, (_queries, due) in many.items() if due >= 20]
    assert {"risks.risk:next_review", "risks.treatmentaction:due_date"} <= set(counted)
    assert len(counted) >= 4
    assert {key: many[key][0] for key in counted} == {key: few[key][0] for key in counted}


@pytest.mark.django_db
def test_a_second_sweep_over_the_same_dates_inserts_nothing():
    due_items(3)
    first = queries_per_declaration()
    written = list(Reminder.objects.order_by("pk").values())
    assert written
    assert queries_per_declaration() == first
    assert list(Reminder.objects.order_by("pk").values()) == written
