"""Pack section of management reviews (9.3): each review of the period with its attendees,
decisions and actions, and for a closed review its approval and the SHA-256 of the record as
approved."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from audits.models import ManagementReview, ReviewAction, ReviewDecision
from audits.packs.sections import section


@section("reviews", _("Management reviews"), order=750, model=ManagementReview)
def management_reviews(scope):
    reviews = list(
        scope.in_period(scope.visible(ManagementReview), "date")
        .select_related("chair", "minute_taker", "approved_by")
        .prefetch_related(
            "attendees",
            Prefetch("decisions", queryset=scope.visible(ReviewDecision)),
            Prefetch("actions", queryset=scope.visible(ReviewAction).select_related("owner")),
        )
        .order_by("date", "reference")
    )
    if not reviews:
        return None
    return {"reviews": reviews}
