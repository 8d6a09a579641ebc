"""Detail pages of AI objectives and KPIs: the KPI's status, trend chart and measurements."""

from aims.core.permissions import can, permits
from aims.objectives.charts import kpi_chart_svg
from aims.objectives.computed import computed_kpis
from aims.objectives.models import Measurement, Status
from aims.objectives.tables import status_badge


def kpi_detail_context(kpi, user):
    measurements = list(kpi.measurements.restrict(user).order_by("-period_start"))
    latest = measurements[0] if measurements else None
    computed = computed_kpis().get(kpi.computed)
    return {
        "status_badge": status_badge(kpi.status(latest)),
        "latest": latest,
        "chart": kpi_chart_svg(kpi, measurements),
        "measurements": [(m, status_badge(kpi.status(m))) for m in measurements],
        "computed_label": computed.label if computed else "",
        "period_due": kpi.period_due(),
        "measurement_due": kpi.measurement_due(),
        "may_add_measurement": not kpi.is_computed
        and can(user, "add", Measurement)
        and permits(user, "change", kpi),
        "kpi_objectives": kpi.objectives.restrict(user).order_by("reference"),
    }


def aiobjective_detail_context(objective, user):
    kpis = objective.kpis.restrict(user).with_latest().order_by("reference")
    return {
        "objective_kpis": [(kpi, status_badge(kpi.status())) for kpi in kpis],
        "off_target": sum(1 for kpi in kpis if kpi.status() == Status.OFF_TARGET),
    }
