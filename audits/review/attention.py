"""What about management reviews needs attention: the dashboard (overdue actions, the next
review) and My work (actions a user owns, minutes to submit)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy, ngettext

from aims.core.lean import without_json
from aims.core.permissions import can
from aims.core.work import Item, work
from audits.models import ManagementReview, ReviewAction

REVIEW_ACTIONS = gettext_lazy("Management review actions you own")
MINUTES = gettext_lazy("Management review minutes to submit")


def overdue_url():
    return f"{reverse('audits:reviewaction_list')}?{urlencode({'overdue': 'yes'})}"


def next_review(user):
    """The next planned review: one in draft with a date from today on."""
    return (
        ManagementReview.objects.restrict(user)
        .filter(status=ManagementReview.Status.DRAFT, date__gte=timezone.localdate())
        .order_by("date", "pk")
        .first()
    )


def review_attention(user):
    if not can(user, "view", ReviewAction):
        return
    if count := ReviewAction.objects.restrict(user).overdue().count():
        yield (
            ngettext(
                "%(count)d management review action is overdue.",
                "%(count)d management review actions are overdue.",
                count,
            )
            % {"count": count},
            overdue_url(),
        )


def review_panel(request):
    user = request.user
    if not can(user, "view", ManagementReview):
        return ""
    return render_to_string(
        "audits/review_panel.html",
        {
            "overdue": ReviewAction.objects.restrict(user).overdue().count(),
            "overdue_url": overdue_url(),
            "next_review": next_review(user),
        },
        request=request,
    )


@work.register
def review_work(user):
    actions = ReviewAction.objects.restrict(user).open().filter(owner=user)
    for action in without_json(actions.select_related("review"), ["review"]):
        yield Item(REVIEW_ACTIONS, str(action), action.get_absolute_url(), action.due_date)
    drafts = ManagementReview.objects.restrict(user).filter(
        status=ManagementReview.Status.DRAFT, minute_taker=user
    )
    for review in drafts:
        yield Item(MINUTES, str(review), review.get_absolute_url(), review.date)
