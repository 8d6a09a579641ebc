"""Filters of the impact assessments (the search box is the machinery's own)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from aims.impact.models import Impact, ImpactAssessment


class ImpactAssessmentFilterSet(RegisterFilterSet):
    reassessment_due = django_filters.BooleanFilter(label=_("re-assessment due"))

    class Meta:
        model = ImpactAssessment
        fields = ["system", "status", "overall_rating", "owner", "reassessment_due"]


class ImpactFilterSet(RegisterFilterSet):
    # Each choice is named after its system.
    assessment = django_filters.ModelChoiceFilter(
        label=_("impact assessment"),
        queryset=ImpactAssessment.objects.select_related("system"),
    )

    class Meta:
        model = Impact
        fields = ["assessment", "area", "severity", "likelihood"]
