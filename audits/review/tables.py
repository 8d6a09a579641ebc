"""List columns of the management review registers."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aims.core.tables import RegisterTable
from audits.models import ManagementReview, ReviewAction, ReviewDecision


class ManagementReviewTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ManagementReview
        fields = ("reference", "title", "date", "chair", "minute_taker", "status")


class ReviewDecisionTable(RegisterTable):
    text = tables.Column(linkify=True)
    review = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ReviewDecision
        fields = ("review", "category", "text", "improvement")


class ReviewActionTable(RegisterTable):
    title = tables.Column(linkify=True)
    review = tables.Column(linkify=True)
    overdue = tables.Column(
        verbose_name=_("Overdue"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta(RegisterTable.Meta):
        model = ReviewAction
        fields = ("review", "title", "owner", "due_date", "status", "closed_on", "overdue")

    def render_overdue(self, record):
        if record.overdue:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("overdue"))
        return ""

    def value_overdue(self, record):
        return str(_("overdue")) if record.overdue else ""
