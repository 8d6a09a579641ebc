"""The measurement of an entered KPI is due the day after its period ends: the reminder engine
reminds the KPI's owner of the period still without a measurement (overdue), and once it is
entered, of the next one (due soon). Computed KPIs measure themselves and remind no one."""

from datetime import date

import pytest
import time_machine
from django.core import mail

from aims.core.models import Reminder
from aims.core.reminders import sweep
from aims.objectives.models import KPI, Frequency
from tests.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db
KEY = "objectives.kpi:measurement_due_on"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(date(2026, 12, 7), tick=False):
        yield


def reminded(kpi):
    return list(Reminder.objects.filter(key=KEY, object_id=kpi.pk).values_list("due_on", "stage"))


def test_the_owner_is_reminded_of_the_missing_measurement_and_then_of_the_next():
    kpi = KPIFactory(name="Triage accuracy", frequency=Frequency.MONTHLY)
    sweep()
    sweep()
    assert reminded(kpi) == [(date(2026, 12, 1), "overdue")]
    (digest,) = [m for m in mail.outbox if m.to == [kpi.owner.email]]
    assert "Triage accuracy" in digest.body and "KPI measurement" in digest.body

    MeasurementFactory(
        kpi=kpi, period_start=date(2026, 11, 1), period_end=date(2026, 11, 30), value=96
    )
    sweep()
    assert reminded(kpi) == [(date(2026, 12, 1), "overdue"), (date(2027, 1, 1), "soon")]


def test_a_computed_kpi_is_not_reminded():
    kpi = KPIFactory(kind=KPI.Kind.COMPUTED, computed="overdue_treatment_actions")
    sweep()
    assert reminded(kpi) == []
