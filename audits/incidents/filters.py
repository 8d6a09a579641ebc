"""Filters of the incident registers (the search box is the machinery's own)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from audits.incidents.countdown import awaiting_report
from audits.models import AIIncident, IncidentReport, ReportingPeriod

YES = [("yes", _("Yes"))]


class AIIncidentFilterSet(RegisterFilterSet):
    awaiting_report = django_filters.ChoiceFilter(
        label=_("Awaiting a report"), choices=YES, method="filter_awaiting_report"
    )

    class Meta:
        model = AIIncident
        fields = ["ai_system", "status", "serious", "our_role", "awaiting_report"]

    def filter_awaiting_report(self, queryset, name, value):
        return awaiting_report(queryset) if value else queryset


class IncidentReportFilterSet(RegisterFilterSet):
    class Meta:
        model = IncidentReport
        fields = ["incident", "kind"]


class ReportingPeriodFilterSet(RegisterFilterSet):
    class Meta:
        model = ReportingPeriod
        fields = ["case"]
