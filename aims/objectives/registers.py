"""The objectives registers on the register machinery."""

from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.reminders import Due
from aims.objectives import filters, forms, tables
from aims.objectives.attention import kpis_off_target_panel, objectives_attention
from aims.objectives.models import KPI, AIObjective, Measurement
from aims.objectives.services import with_measurement_due
from aims.objectives.views import aiobjective_detail_context, kpi_detail_context

registry.register(
    AIObjective,
    table=tables.AIObjectiveTable,
    filterset=filters.AIObjectiveFilterSet,
    form=forms.AIObjectiveForm,
    search_fields=("reference", "title", "target", "actions"),
    area="context",
    url_prefix="ai-objectives",
    extra_context=aiobjective_detail_context,
    bulk_fields=("owner", "due_date", "status"),
)
registry.register(
    KPI,
    table=tables.KPITable,
    filterset=filters.KPIFilterSet,
    form=forms.KPIForm,
    search_fields=("reference", "name", "definition"),
    area="audits",
    url_prefix="kpis",
    extra_context=kpi_detail_context,
    bulk_fields=("owner", "frequency"),
    due=(
        Due(
            "measurement_due_on",
            to="owner",
            label=_("KPI measurement"),
            only=with_measurement_due,
        ),
    ),
)
registry.register(
    Measurement,
    table=tables.MeasurementTable,
    filterset=filters.MeasurementFilterSet,
    form=forms.MeasurementForm,
    search_fields=("kpi__reference", "kpi__name", "comment"),
    area="audits",
    url_prefix="measurements",
    in_menu=False,  # read and added on each KPI's page
)
registry.attention(objectives_attention)
registry.panel(kpis_off_target_panel)
