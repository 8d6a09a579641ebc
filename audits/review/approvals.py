"""The management review's approval on the core approval machinery: the minute-taker submits,
the chair approves (four-eyes against the minute-taker and every author of the review, its
decisions and its actions); the approval freezes the compiled inputs and results as the
review's record with its SHA-256."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.approvals import (
    Approval,
    approvals,
    authored_by,
    content_authors,
    field_content,
    part_authors,
    parts_authored_by,
    workflow_save,
)
from aims.core.digests import canonical_sha256
from audits.models import ManagementReview, ReviewAction, ReviewDecision
from audits.review.inputs import compile_inputs, user_name

REVIEW_FIELDS = ("reference", "title", "date", "chair", "minute_taker", "other_attendees", "notes")


def decision_rows(review):
    return [
        {
            "category": str(d.get_category_display()),
            "text": d.text,
            "improvement": d.improvement.reference if d.improvement else "",
            "url": d.get_absolute_url(),
        }
        for d in review.decisions.select_related("improvement").order_by("pk")
    ]


def action_rows(review):
    return [
        {
            "title": a.title,
            "owner": user_name(a.owner),
            "due": a.due_date.isoformat(),
            "status": str(a.get_status_display()),
            "url": a.get_absolute_url(),
        }
        for a in review.actions.select_related("owner").order_by("due_date", "pk")
    ]


def results(review):
    """What the review decided: the meeting, its decisions and its actions."""
    start, end = review.period()
    return {
        **field_content(review, REVIEW_FIELDS),
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "attendees": sorted(user_name(u) for u in review.attendees.all()),
        "decisions": decision_rows(review),
        "actions": action_rows(review),
    }


def snapshot(review, chair):
    """The record the approval freezes: the results and the inputs compiled for the period.

    It is the chair's record: the inputs are compiled for the chair who approves, as the review's
    page showed them to the chair before the approval. Once the review is closed, its page and
    its minutes show every reader of the review this record as approved, unchanged, and no
    longer a compilation for the reader (the minutes are documented information, 9.3.3)."""
    return {"results": results(review), "inputs": compile_inputs(review, chair)}


class ManagementReviewApproval(Approval):
    """The chair approves the submitted minutes."""

    model = ManagementReview
    key = "management-review"
    title = gettext_lazy("Management review")
    action_label = gettext_lazy("Approve the minutes")
    verbose_name = gettext_lazy("this management review")
    decider_roles = ()
    role_refusal = gettext_lazy("Only the chair of the review approves its minutes.")
    not_awaiting = gettext_lazy("Only submitted minutes can be approved.")
    outcomes = (
        ("approve", gettext_lazy("Approve and close the review")),
        ("return", gettext_lazy("Return to the minute-taker")),
    )
    comment_required_for = ("return",)
    decides_by_role = False  # the chair decides, whatever their role

    def awaiting(self):
        return ManagementReview.objects.filter(status=ManagementReview.Status.SUBMITTED)

    def content(self, review):
        return results(review)

    def parts(self, review):
        return [
            (
                ReviewDecision._meta.verbose_name_plural,
                [
                    [(_("category"), d["category"]), (_("decision"), d["text"])]
                    for d in decision_rows(review)
                ],
            ),
            (
                ReviewAction._meta.verbose_name_plural,
                [
                    [(_("title"), a["title"]), (_("owner"), a["owner"]), (_("due date"), a["due"])]
                    for a in action_rows(review)
                ],
            ),
        ]

    def authors(self, review):
        return (
            content_authors(review.history.all())
            | part_authors(ReviewDecision, "review", review.pk)
            | part_authors(ReviewAction, "review", review.pk)
        )

    def submitter_id(self, review):
        return review.submitted_by_id

    def subject_owner_ids(self, review):
        # The minute-taker writes the minutes: they never approve them.
        return {review.minute_taker_id}

    def four_eyes(self, user):
        return (
            Q(submitted_by=user)
            | Q(minute_taker=user)
            | Q(pk__in=authored_by(ManagementReview.history, user))
            | Q(pk__in=parts_authored_by(ReviewDecision, "review", user))
            | Q(pk__in=parts_authored_by(ReviewAction, "review", user))
        )

    def may_decide(self, user, review):
        return user.is_active and user.pk == review.chair_id

    def decidable(self, user):
        if not user.is_active:
            return self.awaiting().none()
        return self.awaiting().filter(chair=user)

    def candidates(self, review):
        return get_user_model().objects.filter(pk=review.chair_id, is_active=True)

    def apply(self, review, user, data):
        if data.get("outcome") == "return":
            review.status = ManagementReview.Status.DRAFT
            review.submitted_by = None
            workflow_save(review, user)
            return review
        review.status = ManagementReview.Status.CLOSED
        review.approved_by, review.approved_on = user, timezone.localdate()
        review.snapshot = snapshot(review, user)
        review.snapshot_sha256 = canonical_sha256(review.snapshot)
        workflow_save(review, user)
        return review


REVIEW = approvals.register(ManagementReviewApproval())
