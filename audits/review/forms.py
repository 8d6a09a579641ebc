"""Forms of the management review, its decisions and its actions."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from aims.core.forms import DATE, RegisterForm
from audits.models import ManagementReview, ReviewAction, ReviewDecision


def open_reviews(field, instance):
    """Decisions and actions are recorded on a review still in draft."""
    draft = field.queryset.filter(status=ManagementReview.Status.DRAFT)
    if instance.pk:
        draft = draft | field.queryset.filter(pk=instance.review_id)
    field.queryset = draft


class ManagementReviewForm(RegisterForm):
    class Meta:
        model = ManagementReview
        fields = [
            "title",
            "date",
            "period_start",
            "chair",
            "minute_taker",
            "attendees",
            "other_attendees",
            "notes",
        ]
        widgets = {"date": DATE, "period_start": DATE}

    def clean(self):
        cleaned = super().clean()
        start, date = cleaned.get("period_start"), cleaned.get("date")
        if start and date and start > date:
            self.add_error("period_start", _("The period cannot start after the review."))
        if cleaned.get("chair") and cleaned.get("chair") == cleaned.get("minute_taker"):
            raise ValidationError(
                {"minute_taker": _("The chair approves the minutes; someone else takes them.")}
            )
        return cleaned


class ReviewDecisionForm(RegisterForm):
    class Meta:
        model = ReviewDecision
        fields = ["review", "category", "text", "improvement"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_reviews(self.fields["review"], self.instance)


class ReviewActionForm(RegisterForm):
    class Meta:
        model = ReviewAction
        fields = ["review", "title", "owner", "due_date", "status"]
        widgets = {"due_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An action is followed up after the review closed: only new ones need a draft review.
        if not self.instance.pk:
            open_reviews(self.fields["review"], self.instance)
