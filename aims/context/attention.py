"""What in the context area needs attention: on the dashboard, and in My work."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.context.models import AIMSActivity, AIPolicy, RACIAssignment, ScopeStatement
from aims.core.dashboard import counts
from aims.core.permissions import can
from aims.core.work import REVIEWS, Item, review_horizon, work


def context_attention(user):
    if can(user, "view", AIPolicy):
        yield from policy_attention(user)
    querysets = {}
    if can(user, "view", ScopeStatement):
        querysets["current"] = ScopeStatement.objects.filter(status=ScopeStatement.Status.CURRENT)
    if can(user, "view", RACIAssignment):
        querysets["unclear"] = (
            AIMSActivity.objects.restrict(user)
            .annotate(accountable=Count("assignments", filter=Q(assignments__responsibility="A")))
            .exclude(accountable=1)
        )
    numbers = counts(querysets)
    if numbers.get("current") == 0:
        yield _("No scope statement is current."), reverse("context:scopestatement_list")
    if unclear := numbers.get("unclear"):
        yield (
            ngettext(
                "%(count)d AIMS activity does not have exactly one accountable role.",
                "%(count)d AIMS activities do not have exactly one accountable role.",
                unclear,
            )
            % {"count": unclear},
            reverse("context:raci_matrix"),
        )


def policy_attention(user):
    policies = AIPolicy.objects.restrict(user)
    approved = policies.filter(status=AIPolicy.Status.APPROVED).first()
    if approved is None:
        yield _("There is no approved AI policy."), reverse("context:aipolicy_list")
    elif approved.review_overdue:
        yield (
            _("The review of the AI policy was due on %(date)s.")
            % {"date": formats.date_format(approved.next_review, "SHORT_DATE_FORMAT")},
            approved.get_absolute_url(),
        )
    elif approved.next_review and approved.next_review <= timezone.localdate() + timedelta(
        days=settings.REVIEW_REMINDER_DAYS
    ):
        yield (
            _("The AI policy is due for review on %(date)s.")
            % {"date": formats.date_format(approved.next_review, "SHORT_DATE_FORMAT")},
            approved.get_absolute_url(),
        )


@work.register
def context_work(user):
    """The approved AI policy's review, for whoever may start its next version."""
    if not can(user, "add", AIPolicy):
        return
    policy = AIPolicy.objects.filter(
        status=AIPolicy.Status.APPROVED, next_review__lte=review_horizon()
    ).first()
    if policy:
        yield Item(
            REVIEWS,
            _("Review the AI policy %(policy)s") % {"policy": policy},
            policy.get_absolute_url(),
            policy.next_review,
        )
