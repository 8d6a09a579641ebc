"""Filters of the objectives registers (the search box is the machinery's own)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from aims.inventory.models import AISystem
from aims.objectives.models import KPI, STATUS_QUERIES, AIObjective, Measurement, Status


class AIObjectiveFilterSet(RegisterFilterSet):
    ai_systems = django_filters.ModelChoiceFilter(
        label=_("AI system"), queryset=AISystem.objects.all()
    )

    class Meta:
        model = AIObjective
        fields = ["annex_c_objective", "status", "owner", "ai_systems"]


class KPIFilterSet(RegisterFilterSet):
    current_status = django_filters.ChoiceFilter(
        label=_("status"), choices=Status.choices, method="filter_status"
    )
    objectives = django_filters.ModelChoiceFilter(
        label=_("AI objective"), queryset=AIObjective.objects.all()
    )

    class Meta:
        model = KPI
        fields = ["kind", "frequency", "owner", "current_status", "objectives"]

    def __init__(self, data=None, queryset=None, **kwargs):
        # Every row shows its latest value and status: one subquery, not a query per row.
        queryset = KPI.objects.all() if queryset is None else queryset
        super().__init__(data, queryset=queryset.with_latest(), **kwargs)

    def filter_status(self, queryset, name, value):
        return queryset.filter(STATUS_QUERIES[value]) if value else queryset


class MeasurementFilterSet(RegisterFilterSet):
    class Meta:
        model = Measurement
        fields = ["kpi"]
