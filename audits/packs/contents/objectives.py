"""Pack section of AI objectives and their KPIs (6.2, 9.1): each objective with its target, and
each KPI with its trend over the pack's period drawn as SVG."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from aims.objectives.charts import display_value, kpi_chart_svg
from aims.objectives.models import KPI, AIObjective, Measurement, Status
from audits.packs.sections import section


@section("objectives", _("AI objectives and KPIs"), order=500, model=AIObjective)
def objectives_and_kpis(scope):
    objectives = list(
        scope.for_systems(scope.visible(AIObjective), "ai_systems")
        .select_related("owner")
        .prefetch_related("ai_systems")
        .order_by("reference")
    )
    kpis = scope.visible(KPI)
    if not scope.whole_aims:
        kpis = kpis.filter(objectives__in=objectives).distinct()
    measurements = scope.in_period(scope.visible(Measurement), "period_end")
    kpis = list(
        kpis.select_related("owner")
        .prefetch_related(
            Prefetch("objectives", queryset=scope.visible(AIObjective).order_by("reference")),
            Prefetch("measurements", queryset=measurements),
        )
        .order_by("reference")
    )
    if not objectives and not kpis:
        return None
    return {
        "objectives": objectives,
        "kpis": [
            {
                "kpi": kpi,
                "target": display_value(kpi.target, kpi.unit),
                "warning": display_value(kpi.warning_threshold, kpi.unit),
                "latest": latest(kpi),
                "status": Status(kpi.current_status).label,
                "chart": kpi_chart_svg(kpi, kpi.measurements.all()),
            }
            for kpi in kpis
        ],
    }


def latest(kpi):
    measurement = kpi.latest_measurement  # from the prefetched measurements of the period
    if measurement is None:
        return None
    return {"measurement": measurement, "value": display_value(measurement.value, kpi.unit)}
