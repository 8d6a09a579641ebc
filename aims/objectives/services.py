"""Services of the objectives app: the sweep that stores the measurements of computed KPIs, and
the day each entered KPI's next measurement is due."""

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case, DateField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core.notifications import always_in, notify
from aims.objectives.computed import computed_kpis
from aims.objectives.models import KPI, Measurement, Status, period_containing

logger = logging.getLogger(__name__)


def kpi_measure(*, kpi, today=None):
    """Store the computed KPI's measurement of the period just ended; None when it is stored
    already. The unique constraint decides between two sweeps running at once."""
    start, end = kpi.period_due(today)
    with transaction.atomic():
        kpi = KPI.objects.select_for_update().get(pk=kpi.pk)
        computed = computed_kpis().get(kpi.computed)
        if not kpi.is_computed or computed is None:
            logger.warning("KPI %s has no registered computation %r", kpi.reference, kpi.computed)
            return None
        if kpi.measurements.filter(period_start=start).exists():
            return None
        value = computed(start, end)
        try:
            with transaction.atomic():
                measurement = Measurement.objects.create(
                    kpi=kpi, period_start=start, period_end=end, value=value
                )
        except IntegrityError:
            return None
        if kpi.status(measurement) == Status.OFF_TARGET:
            notify(
                recipients=[kpi.owner],
                message=_("The KPI %(kpi)s is off target.") % {"kpi": kpi},
                url=kpi.get_absolute_url(),
                key=f"kpi-off-target-{measurement.pk}",
            )
        return measurement


def computed_kpis_measure(*, today=None):
    """The sweep: every computed KPI gets its measurement of the period just ended, once."""
    stored = 0
    for kpi in KPI.objects.computed().order_by("pk"):
        if kpi_measure(kpi=kpi, today=today):
            stored += 1
    return stored


def with_measurement_due(kpis):
    """Entered KPIs, each with the day its next measurement is due (`measurement_due_on`): the
    day after the last complete period while that has no measurement, else the day after the
    current period. The due date the reminder engine sweeps (aims/objectives/registers.py)."""
    today = timezone.localdate()
    entered = list(kpis.entered())
    due_periods = {kpi.pk: kpi.period_due(today) for kpi in entered}
    # always_in: the same queries whether or not any KPI is entered (the reminder sweep's).
    measured = set(
        Measurement.objects.filter(
            kpi__in=always_in(kpi.pk for kpi in entered),
            period_start__in=always_in(
                {start for start, _end in due_periods.values()}, nothing=date.min
            ),
        ).values_list("kpi_id", "period_start")
    )
    due_on = {}
    for kpi in entered:
        start, end = due_periods[kpi.pk]
        if (kpi.pk, start) in measured:
            end = period_containing(today, kpi.frequency)[1]
        due_on[kpi.pk] = end + timedelta(days=1)
    cases = (When(pk=pk, then=Value(day)) for pk, day in due_on.items())
    return kpis.filter(pk__in=always_in(due_on)).annotate(
        measurement_due_on=Case(*cases, output_field=DateField())
    )
