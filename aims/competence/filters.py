"""Filters of the competence registers (the search box is the machinery's own)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.competence.models import CompetenceRequirement, Person, TrainingImport, TrainingRecord
from aims.core.filters import RegisterFilterSet


class CompetenceRequirementFilterSet(RegisterFilterSet):
    class Meta:
        model = CompetenceRequirement
        fields = ["roles", "ai_systems", "ai_literacy"]


class PersonFilterSet(RegisterFilterSet):
    class Meta:
        model = Person
        fields = ["unit", "roles", "ai_systems", "manager"]


class TrainingRecordFilterSet(RegisterFilterSet):
    expired = django_filters.BooleanFilter(label=_("expired"), method="filter_expired")

    class Meta:
        model = TrainingRecord
        fields = ["person", "kind", "requirements", "source_import"]

    def filter_expired(self, queryset, name, value):
        today = timezone.localdate()
        if value is None:
            return queryset
        if value:
            return queryset.filter(valid_until__lt=today)
        return queryset.exclude(valid_until__lt=today)


class TrainingImportFilterSet(RegisterFilterSet):
    class Meta:
        model = TrainingImport
        fields = ["status"]
