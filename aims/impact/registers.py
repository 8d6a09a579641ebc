"""The impact assessment registers on the register machinery."""

from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.reminders import Due
from aims.impact import filters, forms, tables
from aims.impact.attention import impact_attention
from aims.impact.models import DecisionCondition, Impact, ImpactAssessment
from aims.impact.services import (
    assessment_keeper,
    impact_reassessment_date_come,
    latest_decided_versions,
    unmet_conditions,
)
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
    due=(
        # On the date the assessment is flagged as due for re-assessment.
        Due(
            "next_review",
            to=assessment_keeper,
            label=_("Impact re-assessment"),
            only=latest_decided_versions,
            on_due=impact_reassessment_date_come,
        ),
        Due(
            "due_date",
            model=DecisionCondition,
            parent="decision__assessment",
            to="owner",
            label=_("Condition of an approved impact assessment"),
            only=unmet_conditions,
            title=lambda condition: f"{condition.decision.assessment}: {condition.text}",
        ),
    ),
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
