"""Services of the objectives app: the sweep that stores the measurements of computed KPIs."""

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from aims.core.notifications import notify
from aims.objectives.computed import computed_kpis
from aims.objectives.models import KPI, Measurement, Status

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
