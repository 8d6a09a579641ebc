"""Pack sections of risk assessment and treatment (6.1.2, 6.1.3, 8.2, 8.3): the active risk
criteria with their scales and matrix, and the risk register with its heat maps, treatment plans
and acceptances."""

from django.db.models import Prefetch
from django.http import QueryDict
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audits.packs.sections import section
from controls.models import Control
from risks.heatmap import FILLS, heat_maps
from risks.models import Risk, RiskAcceptance, RiskCriteria, RiskLevel, TreatmentAction


def active_criteria(scope):
    return (
        scope.visible(RiskCriteria)
        .filter(status=RiskCriteria.Status.ACTIVE)
        .select_related("activated_by")
        .first()
    )


@section("risk_criteria", _("Risk criteria"), order=300, model=RiskCriteria)
def risk_criteria(scope):
    criteria = active_criteria(scope)
    if criteria is None:
        return None
    levels = dict(RiskLevel.choices)
    # Printed as the heat map draws it: the highest likelihood on top.
    rows = [
        (
            criteria.likelihood_label(likelihood),
            [
                (levels.get(level, level), FILLS.get(level, "#ffffff"))
                for level in criteria.matrix[likelihood - 1]
            ],
        )
        for likelihood in range(criteria.likelihood_levels, 0, -1)
    ]
    return {
        "criteria": criteria,
        "likelihood_scale": list(enumerate(criteria.likelihood_scale, start=1)),
        "impact_scale": list(enumerate(criteria.impact_scale, start=1)),
        "impact_labels": [criteria.impact_label(n) for n in range(1, criteria.impact_levels + 1)],
        "matrix": rows,
    }


@section("risks", _("Risk register"), order=350, model=Risk)
def risk_register(scope):
    risks = scope.for_systems(scope.visible(Risk), "ai_systems")
    shown = list(
        risks.select_related("owner", "criteria", "plan_approved_by")
        .prefetch_related(
            "ai_systems",
            Prefetch("controls", queryset=scope.visible(Control).order_by("code")),
            Prefetch(
                "treatment_actions",
                queryset=scope.visible(TreatmentAction).select_related("owner"),
            ),
            Prefetch(
                "acceptances",
                queryset=scope.visible(RiskAcceptance)
                .select_related("accepted_by")
                .order_by("-accepted_on", "-pk"),
            ),
        )
        .order_by("reference")
    )
    if not shown:
        return None
    criteria = active_criteria(scope)
    maps = []
    if criteria is not None:
        list_url = reverse("risks:risk_list")
        maps = heat_maps(criteria, risks, list_url, QueryDict())
    return {"risks": shown, "criteria": criteria, "maps": maps}
