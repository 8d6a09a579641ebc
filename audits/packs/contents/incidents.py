"""Pack section of AI incidents (A.8.4, EU AI Act Art. 73): each incident of the period with its
seriousness, reporting deadline and the reports sent to authorities."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from audits.models import AIIncident, IncidentReport
from audits.packs.sections import section
from risks.models import Risk


@section("incidents", _("AI incidents"), order=700, model=AIIncident)
def incidents(scope):
    found = list(
        scope.in_period(scope.for_systems(scope.visible(AIIncident), "ai_system"), "occurred_at")
        .select_related("ai_system", "reported_by")
        .prefetch_related(
            Prefetch("reports", queryset=scope.visible(IncidentReport)),
            Prefetch("risks", queryset=scope.visible(Risk).order_by("reference")),
        )
        .order_by("occurred_at", "reference")
    )
    if not found:
        return None
    return {"incidents": found}
