"""The management review (9.3): the meeting, its period, the decisions and the actions it
takes; closing it freezes the compiled inputs and results with their SHA-256."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.models import ReferencedModel, TrackedModel
from aims.core.permissions import RestrictedQuerySet

__all__ = ["ManagementReview", "ReviewDecision", "ReviewAction"]

SHORT_TEXT = 200
LONG_TEXT = 10_000
# Without a previous review and a chosen start, the period is the year before the review.
DEFAULT_PERIOD_DAYS = 365


class ManagementReview(ReferencedModel):
    """One management review: who met, for which period, and what was decided."""

    # MR-2027-1: numbered per year of the review's date.
    reference_prefix = "MR"
    reference_digits = 1
    _history_m2m_fields = ["attendees"]

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting the chair's approval")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    date = models.DateField(_("date of the review"))
    period_start = models.DateField(
        _("period from"),
        null=True,
        blank=True,
        help_text=_(
            "Leave blank to cover the time since the previous review (or the year before the "
            "first one)."
        ),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Top management: chairs the review and approves its minutes."),
    )
    minute_taker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minute-taker"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Prepares the review and submits the minutes to the chair."),
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="+"
    )
    other_attendees = models.TextField(
        _("other attendees"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("People without an account, one per line."),
    )
    notes = models.TextField(_("notes"), max_length=LONG_TEXT, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    # The compiled inputs, decisions and actions as approved, and their SHA-256.
    snapshot = models.JSONField(_("record as approved"), null=True, blank=True, editable=False)
    snapshot_sha256 = models.CharField(
        _("SHA-256 of the record"), max_length=64, blank=True, editable=False
    )

    hidden_detail_fields = ("snapshot",)

    class Meta(ReferencedModel.Meta):
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-date", "-reference"]

    def next_reference(self):
        year = (self.date or timezone.localdate()).year
        prefix = f"{self.reference_prefix}-{year}"
        pattern = re.compile(rf"^{prefix}-(\d{{1,6}})$")
        numbers = [
            int(match.group(1))
            for ref in type(self)
            ._default_manager.filter(reference__startswith=f"{prefix}-")
            .values_list("reference", flat=True)
            if (match := pattern.match(ref))
        ]
        return f"{prefix}-{max(numbers, default=0) + 1}"

    @property
    def lock_reason(self):
        if self.status == self.Status.CLOSED:
            return _("A closed management review is a record and is not changed.")
        if self.status == self.Status.SUBMITTED:
            return _("The review awaits the chair's approval and is not changed meanwhile.")
        return ""

    def previous(self):
        """The review before this one, with its date only (a snapshot may be hundreds of KiB)."""
        return (
            type(self)
            ._default_manager.filter(date__lt=self.date)
            .exclude(pk=self.pk)
            .order_by("-date", "-pk")
            .only("pk", "date")
            .first()
        )

    def period(self):
        """First and last day the review covers (both included)."""
        if self.period_start:
            return self.period_start, self.date
        if previous := self.previous():
            return previous.date + datetime.timedelta(days=1), self.date
        return self.date - datetime.timedelta(days=DEFAULT_PERIOD_DAYS - 1), self.date


class ReviewDecision(TrackedModel):
    """A decision of the review (9.3.3): on improvement, changes to the AIMS, resources."""

    scope_parent = "review"

    class Category(models.TextChoices):
        IMPROVEMENT = "improvement", _("Opportunity for continual improvement")
        CHANGE = "change", _("Change to the AI management system")
        RESOURCES = "resources", _("Resources")

    review = models.ForeignKey(
        ManagementReview,
        verbose_name=_("management review"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    category = models.CharField(_("category"), max_length=15, choices=Category.choices)
    text = models.TextField(_("decision"), max_length=LONG_TEXT)
    improvement = models.ForeignKey(
        "audits.Improvement",
        verbose_name=_("improvement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_decisions",
    )

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["review", "pk"]

    def __str__(self):
        return f"{self.review.reference}: {self.text[:60]}"

    @property
    def lock_reason(self):
        return self.review.lock_reason


class ReviewActionQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status__in=ReviewAction.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())


class ReviewAction(TrackedModel):
    """An action the review gives someone; followed up at the next review (9.3.2 a)."""

    scope_parent = "review"

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.OPEN, Status.IN_PROGRESS)

    review = models.ForeignKey(
        ManagementReview,
        verbose_name=_("management review"),
        on_delete=models.CASCADE,
        related_name="actions",
    )
    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    objects = ReviewActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("review action")
        verbose_name_plural = _("review actions")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return f"{self.review.reference}: {self.title}"

    def save(self, *args, **kwargs):
        # The date an action left the open states is when the next review sees it closed.
        if self.status in self.OPEN:
            self.closed_on = None
        elif self.closed_on is None:
            self.closed_on = timezone.localdate()
        super().save(*args, **kwargs)

    @property
    def overdue(self):
        return self.status in self.OPEN and self.due_date < timezone.localdate()
