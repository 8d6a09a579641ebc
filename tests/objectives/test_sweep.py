"""The sweep stores one measurement per period for each computed KPI, never twice, and leaves
entered KPIs to their owners."""

import datetime
from decimal import Decimal

import pytest

from aims.core.models import Notification
from aims.objectives.models import KPI, Frequency, Measurement, period_before, period_containing
from aims.objectives.services import computed_kpis_measure, kpi_measure
from aims.objectives.tasks import measure_computed_kpis
from audits.models import Nonconformity
from tests.factories import KPIFactory, NonconformityFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 12)


def open_nonconformity():
    nonconformity = NonconformityFactory()
    Nonconformity.objects.filter(pk=nonconformity.pk).update(
        created_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )


def computed(code="nonconformities_open_minor", **kwargs):
    options = {"unit": "", "higher_is_better": False, "target": 0, "warning_threshold": 2}
    return KPIFactory(kind=KPI.Kind.COMPUTED, computed=code, **{**options, **kwargs})


def test_periods_follow_the_frequency():
    day = datetime.date(2026, 5, 12)
    assert period_containing(day, Frequency.MONTHLY) == (
        datetime.date(2026, 5, 1),
        datetime.date(2026, 5, 31),
    )
    assert period_containing(day, Frequency.QUARTERLY) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
    )
    assert period_before(day, Frequency.QUARTERLY) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )
    assert period_before(datetime.date(2026, 1, 3), Frequency.YEARLY) == (
        datetime.date(2025, 1, 1),
        datetime.date(2025, 12, 31),
    )


def test_the_sweep_run_twice_stores_one_measurement_per_period():
    monthly = computed()
    quarterly = computed(frequency=Frequency.QUARTERLY)
    KPIFactory()  # entered: not the sweep's
    open_nonconformity()
    assert computed_kpis_measure(today=TODAY) == 2
    assert computed_kpis_measure(today=TODAY) == 0
    assert list(monthly.measurements.values_list("period_start", "period_end", "value")) == [
        (datetime.date(2026, 4, 1), datetime.date(2026, 4, 30), Decimal(1))
    ]
    assert list(quarterly.measurements.values_list("period_start", "period_end")) == [
        (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
    ]
    assert Measurement.objects.count() == 2


def test_the_next_period_gets_its_own_measurement():
    kpi = computed()
    computed_kpis_measure(today=TODAY)
    computed_kpis_measure(today=datetime.date(2026, 6, 1))
    assert list(
        kpi.measurements.order_by("period_start").values_list("period_start", flat=True)
    ) == [
        datetime.date(2026, 4, 1),
        datetime.date(2026, 5, 1),
    ]


def test_a_measurement_stored_meanwhile_is_not_stored_again():
    kpi = computed()
    Measurement.objects.create(
        kpi=kpi,
        period_start=datetime.date(2026, 4, 1),
        period_end=datetime.date(2026, 4, 30),
        value=7,
    )
    assert kpi_measure(kpi=kpi, today=TODAY) is None
    assert kpi.measurements.get().value == 7


def test_the_task_runs_the_sweep():
    computed()
    assert measure_computed_kpis() == 1
    assert measure_computed_kpis() == 0


def test_a_measurement_off_target_tells_the_kpi_owner():
    kpi = computed(warning_threshold=0)
    open_nonconformity()
    kpi_measure(kpi=kpi, today=TODAY)
    notification = Notification.objects.get(recipient=kpi.owner)
    assert kpi.reference in notification.message
    assert notification.url == kpi.get_absolute_url()
