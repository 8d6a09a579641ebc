"""The impact assessment registers on the register machinery."""

from aims.core.registry import registry
from aims.impact import filters, forms, tables
from aims.impact.attention import impact_attention
from aims.impact.models import Impact, ImpactAssessment
from aims.impact.views import assessment_detail_context

registry.register(
    ImpactAssessment,
    table=tables.ImpactAssessmentTable,
    filterset=filters.ImpactAssessmentFilterSet,
    form=forms.ImpactAssessmentForm,
    search_fields=("reference", "system__reference", "system__name", "intended_use"),
    area="impact",
    url_prefix="assessments",
    extra_context=assessment_detail_context,
    bulk_fields=("owner", "review_interval_months"),
)
registry.register(
    Impact,
    table=tables.ImpactTable,
    filterset=filters.ImpactFilterSet,
    form=forms.ImpactForm,
    search_fields=("affected_group", "description", "mitigation", "assessment__reference"),
    area="impact",
    url_prefix="impacts",
)
registry.attention(impact_attention)
