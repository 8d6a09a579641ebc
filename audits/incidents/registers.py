"""Registers of this area on the register machinery."""

from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.reminders import Due
from aims.core.roles import ADMINISTRATOR, AI_OFFICER, COMPLIANCE_OFFICER, READ_ONLY_RECORDS
from audits.incidents import filters, forms, tables
from audits.incidents.attention import incident_attention, incident_panel
from audits.incidents.countdown import awaiting_report
from audits.incidents.services import report_deadline_title
from audits.incidents.views import incident_detail_context
from audits.models import AIIncident, IncidentReport, ReportingPeriod

registry.register(
    AIIncident,
    table=tables.AIIncidentTable,
    filterset=filters.AIIncidentFilterSet,
    form=forms.AIIncidentForm,
    search_fields=("reference", "title", "description", "ai_system__reference"),
    area="audits",
    url_prefix="incidents",
    extra_context=incident_detail_context,
    # Art. 73 deadlines are counted in hours: reminded a day before and when they pass.
    due=(
        Due(
            "report_due_at",
            to=(AI_OFFICER, COMPLIANCE_OFFICER),
            label=_("Report of a serious incident"),
            only=awaiting_report,
            hours=24,
            title=report_deadline_title,
        ),
    ),
)
registry.register(
    IncidentReport,
    table=tables.IncidentReportTable,
    filterset=filters.IncidentReportFilterSet,
    form=forms.IncidentReportForm,
    search_fields=("incident__reference", "authority", "authority_reference", "summary"),
    area="audits",
    url_prefix="incident-reports",
    in_menu=False,  # logged from the incident's page
)
registry.register(
    ReportingPeriod,
    table=tables.ReportingPeriodTable,
    filterset=filters.ReportingPeriodFilterSet,
    form=forms.ReportingPeriodForm,
    search_fields=("legal_source",),
    area="audits",
    url_prefix="reporting-periods",
    # The cases are those of Art. 73 and every one must have a period: administrators change
    # the days when the law does, nobody adds or deletes a case.
    roles={**READ_ONLY_RECORDS, ADMINISTRATOR: ("view", "change")},
)
registry.attention(incident_attention)
registry.panel(incident_panel)
