"""List columns of the objectives registers."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aims.core.tables import RegisterTable
from aims.objectives.charts import display_value
from aims.objectives.models import KPI, AIObjective, Measurement, Status

BADGES = {
    Status.ON_TARGET: "text-bg-success",
    Status.WARNING: "text-bg-warning",
    Status.OFF_TARGET: "text-bg-danger",
    Status.NO_DATA: "text-bg-secondary",
}


def status_badge(status):
    return format_html('<span class="badge {}">{}</span>', BADGES[status], Status(status).label)


class StatusColumn(tables.Column):
    """A KPI status as a coloured badge; exports get the plain label."""

    def __init__(self, **kwargs):
        super().__init__(verbose_name=_("status"), accessor="pk", orderable=False, **kwargs)

    def status(self, record):
        return record.status() if isinstance(record, KPI) else record.kpi.status(record)

    def render(self, record):
        return status_badge(self.status(record))

    def value(self, record):
        return str(Status(self.status(record)).label)


class AIObjectiveTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    kpis = tables.ManyToManyColumn(verbose_name=_("KPIs"), transform=lambda kpi: kpi.reference)

    class Meta(RegisterTable.Meta):
        model = AIObjective
        fields = ("reference", "title", "annex_c_objective", "owner", "due_date", "status", "kpis")


class KPITable(RegisterTable):
    # The status of pages that list KPIs without the latest value annotated (bulk edit).
    prefetch = ("measurements",)
    reference = tables.Column(linkify=True)
    name = tables.Column(linkify=True)
    latest_value = tables.Column(verbose_name=_("latest value"))
    current_status = StatusColumn()

    class Meta(RegisterTable.Meta):
        model = KPI
        fields = (
            "reference",
            "name",
            "kind",
            "frequency",
            "target",
            "latest_value",
            "current_status",
            "owner",
        )

    def render_latest_value(self, value, record):
        return display_value(value, record.unit)

    def render_target(self, value, record):
        return self.render_latest_value(value, record)


class MeasurementTable(RegisterTable):
    kpi = tables.Column(linkify=True)
    period_start = tables.Column(linkify=True)
    status = StatusColumn()

    class Meta(RegisterTable.Meta):
        model = Measurement
        fields = ("kpi", "period_start", "period_end", "value", "status")

    def render_value(self, value, record):
        return display_value(value, record.kpi.unit)
