"""Registers of this area on the register machinery."""

from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.reminders import Due
from audits.models import ManagementReview, ReviewAction, ReviewDecision
from audits.review import filters, forms, tables
from audits.review.attention import review_attention, review_panel
from audits.review.views import managementreview_detail_context

registry.register(
    ManagementReview,
    table=tables.ManagementReviewTable,
    filterset=filters.ManagementReviewFilterSet,
    form=forms.ManagementReviewForm,
    search_fields=("reference", "title", "notes", "other_attendees"),
    area="audits",
    url_prefix="management-reviews",
    related=(("decisions", "review"), ("actions", "review")),
    extra_context=managementreview_detail_context,
    due=(
        # The next review: one planned (in draft) for a date.
        Due(
            "date",
            to=("chair", "minute_taker"),
            label=_("Management review"),
            only={"status": ManagementReview.Status.DRAFT},
        ),
    ),
)
registry.register(
    ReviewDecision,
    table=tables.ReviewDecisionTable,
    filterset=filters.ReviewDecisionFilterSet,
    form=forms.ReviewDecisionForm,
    search_fields=("text", "review__reference"),
    area="audits",
    url_prefix="review-decisions",
    in_menu=False,
)
registry.register(
    ReviewAction,
    table=tables.ReviewActionTable,
    filterset=filters.ReviewActionFilterSet,
    form=forms.ReviewActionForm,
    search_fields=("title", "review__reference"),
    area="audits",
    url_prefix="review-actions",
    due=(
        Due(
            "due_date",
            to=("owner", "review__chair"),
            label=_("Management review action"),
            only={"status__in": ReviewAction.OPEN},
            related=("review",),
        ),
    ),
)
registry.attention(review_attention)
registry.panel(review_panel)
