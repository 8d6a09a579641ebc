"""Filters of the impact assessments (the search box is the machinery's own)."""

from aims.core.filters import RegisterFilterSet
from aims.impact.models import Impact, ImpactAssessment


class ImpactAssessmentFilterSet(RegisterFilterSet):
    class Meta:
        model = ImpactAssessment
        fields = ["system", "status", "overall_rating", "owner", "reassessment_due"]


class ImpactFilterSet(RegisterFilterSet):
    class Meta:
        model = Impact
        fields = ["assessment", "area", "severity", "likelihood"]
