"""A KPI's status against its target and warning threshold, in both directions, and the list of
KPIs off target the dashboard shows."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from aims.objectives.models import KPI, Status
from tests.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("97", Status.ON_TARGET),
        ("95", Status.ON_TARGET),
        ("94.99", Status.WARNING),
        ("90", Status.WARNING),
        ("89.9", Status.OFF_TARGET),
        (None, Status.NO_DATA),
    ],
)
def test_higher_is_better_is_on_target_at_or_above_the_target(value, status):
    kpi = KPI(target=Decimal(95), warning_threshold=Decimal(90), higher_is_better=True)
    assert kpi.status_of(value) == status


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("0", Status.ON_TARGET),
        ("2", Status.ON_TARGET),
        ("3", Status.WARNING),
        ("5", Status.WARNING),
        ("6", Status.OFF_TARGET),
        (None, Status.NO_DATA),
    ],
)
def test_lower_is_better_is_off_target_above_the_warning_threshold(value, status):
    kpi = KPI(target=Decimal(2), warning_threshold=Decimal(5), higher_is_better=False)
    assert kpi.status_of(value) == status


def test_the_current_status_is_that_of_the_latest_period():
    kpi = KPIFactory()
    MeasurementFactory(kpi=kpi, value=80)
    later = MeasurementFactory(
        kpi=kpi, period_start="2026-02-01", period_end="2026-02-28", value=96
    )
    assert kpi.current_status == Status.ON_TARGET
    assert kpi.status(later) == Status.ON_TARGET
    assert KPIFactory().current_status == Status.NO_DATA


def test_off_target_lists_kpis_whose_latest_value_is_beyond_the_warning_threshold():
    worse = KPIFactory()
    MeasurementFactory(kpi=worse, value=96)
    MeasurementFactory(kpi=worse, period_start="2026-02-01", period_end="2026-02-28", value=85)
    recovered = KPIFactory()
    MeasurementFactory(kpi=recovered, value=50)
    MeasurementFactory(kpi=recovered, period_start="2026-02-01", period_end="2026-02-28", value=91)
    complaints = KPIFactory(higher_is_better=False, target=2, warning_threshold=5, unit="")
    MeasurementFactory(kpi=complaints, value=6)
    calm = KPIFactory(higher_is_better=False, target=2, warning_threshold=5, unit="")
    MeasurementFactory(kpi=calm, value=4)
    KPIFactory()  # no data
    assert set(KPI.objects.off_target()) == {worse, complaints}


def test_the_warning_threshold_lies_on_the_worse_side_of_the_target():
    with pytest.raises(ValidationError) as higher:
        KPIFactory.build(target=90, warning_threshold=95).clean()
    assert "warning_threshold" in higher.value.error_dict
    with pytest.raises(ValidationError) as lower:
        KPIFactory.build(higher_is_better=False, target=5, warning_threshold=2).clean()
    assert "warning_threshold" in lower.value.error_dict


def test_a_computed_kpi_names_a_registered_figure():
    with pytest.raises(ValidationError) as error:
        KPIFactory.build(kind=KPI.Kind.COMPUTED, computed="no_such_figure").clean()
    assert "computed" in error.value.error_dict
