"""Pack section of nonconformities and corrective action (10.2): each nonconformity raised in
the period with its correction, root cause, corrective actions and effectiveness checks."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from audits.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from audits.packs.sections import section


@section(
    "nonconformities",
    _("Nonconformities and corrective actions"),
    order=650,
    model=Nonconformity,
)
def nonconformities(scope):
    found = list(
        scope.in_period(scope.for_systems(scope.visible(Nonconformity), "ai_systems"), "created_at")
        .select_related("owner", "clause", "control", "audit", "closed_by")
        .prefetch_related(
            "ai_systems",
            Prefetch("actions", queryset=scope.visible(CorrectiveAction).select_related("owner")),
            Prefetch(
                "effectiveness_checks",
                queryset=scope.visible(EffectivenessCheck).select_related("checked_by"),
            ),
        )
        .order_by("reference")
    )
    if not found:
        return None
    return {"nonconformities": found}
