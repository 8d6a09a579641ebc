"""Pack section of AI system impact assessments (6.1.4, 8.4): the approved versions with the
decision that approved them, its conditions and the SHA-256 of what was approved."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from aims.impact.models import AssessmentDecision, DecisionCondition, Impact, ImpactAssessment
from audits.packs.sections import section

APPROVING = (
    AssessmentDecision.Outcome.APPROVED,
    AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS,
)


@section("impact", _("AI system impact assessments"), order=450, model=ImpactAssessment)
def impact_assessments(scope):
    conditions = DecisionCondition.objects.select_related("owner", "met_by")
    assessments = list(
        scope.for_systems(scope.visible(ImpactAssessment), "system")
        .filter(status__in=ImpactAssessment.DECIDED)
        .select_related("system", "owner")
        .prefetch_related(
            Prefetch("impacts", queryset=scope.visible(Impact).select_related("control")),
            Prefetch(
                "decisions",
                queryset=AssessmentDecision.objects.filter(outcome__in=APPROVING)
                .select_related("decided_by")
                .prefetch_related(Prefetch("conditions", queryset=conditions)),
                to_attr="approvals",
            ),
        )
        .order_by("system__reference", "-number")
    )
    if not assessments:
        return None
    return {"assessments": assessments}
