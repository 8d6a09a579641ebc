"""Filters of the internal audit registers (the search box is the machinery's own)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from audits.models import Audit, AuditProgramme, ChecklistItem


class AuditProgrammeFilterSet(RegisterFilterSet):
    class Meta:
        model = AuditProgramme
        fields = ["status"]


class AuditFilterSet(RegisterFilterSet):
    year = django_filters.NumberFilter(
        label=_("year of the planned start"),
        field_name="planned_start",
        lookup_expr="year",
        min_value=1900,
        max_value=2200,
    )

    class Meta:
        model = Audit
        fields = ["audit_type", "status", "programme", "lead_auditor", "year"]


class ChecklistItemFilterSet(RegisterFilterSet):
    class Meta:
        model = ChecklistItem
        fields = ["audit", "result"]
