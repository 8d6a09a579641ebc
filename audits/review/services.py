"""State changes of the management review: the minute-taker submits the minutes to the chair
(the chair's decision is taken on the core approval machinery, see approvals.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from aims.core import approvals as machinery
from aims.core.approvals import workflow_save
from audits.models import ManagementReview
from audits.review.approvals import REVIEW


def managementreview_submit(*, review, user):
    """The minute-taker submits a draft review for the chair's approval; refused when the chair
    may not decide on it (four-eyes)."""
    if user.pk != review.minute_taker_id:
        raise PermissionDenied(_("Only the minute-taker submits the minutes."))

    def check(obj):
        if obj.status != ManagementReview.Status.DRAFT:
            raise ValidationError(_("Only a draft review can be submitted."))

    def apply(obj):
        obj.status = ManagementReview.Status.SUBMITTED
        obj.submitted_by = user
        workflow_save(obj, user)
        return obj

    return machinery.submit(REVIEW, review, user=user, check=check, apply=apply)


def managementreview_approve(*, review, user, comment="", seen=None):
    """The chair approves the submitted minutes: the review closes with its snapshot."""
    return machinery.decide(
        REVIEW, review, user=user, data={"outcome": "approve", "comment": comment}, seen=seen
    )
