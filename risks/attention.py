"""What in the risk register needs attention (the dashboard and My work), and the heat map."""

from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.core.dashboard import counts
from aims.core.permissions import can
from aims.core.work import ACTIONS, REVIEWS, Item, review_horizon, work
from risks.heatmap import heat_maps_html
from risks.models import Risk, RiskCriteria, TreatmentAction


def risk_attention(user):
    if not can(user, "view", Risk):
        return
    risks = Risk.objects.restrict(user)
    register = reverse("risks:risk_list")
    numbers = counts(
        {
            "overdue": risks.review_overdue(),
            "review": risks.filter(status=Risk.Status.REVIEW),
            "actions": TreatmentAction.objects.restrict(user).overdue(),
        }
    )
    if count := numbers["overdue"]:
        yield (
            ngettext(
                "%(count)d risk is overdue for review.",
                "%(count)d risks are overdue for review.",
                count,
            )
            % {"count": count},
            f"{register}?{urlencode({'review_overdue': 'yes'})}",
        )
    if count := numbers["review"]:
        yield (
            ngettext(
                "%(count)d risk is back in review.", "%(count)d risks are back in review.", count
            )
            % {"count": count},
            f"{register}?{urlencode({'status': Risk.Status.REVIEW})}",
        )
    if count := numbers["actions"]:
        yield (
            ngettext(
                "%(count)d treatment action is overdue.",
                "%(count)d treatment actions are overdue.",
                count,
            )
            % {"count": count},
            f"{reverse('risks:treatmentaction_list')}?{urlencode({'overdue': 'yes'})}",
        )


def risk_heat_map_panel(request):
    criteria = RiskCriteria.active()
    if criteria is None or not can(request.user, "view", Risk):
        return ""
    risks = Risk.objects.restrict(request.user)
    maps = heat_maps_html(criteria, risks, reverse("risks:risk_list"), QueryDict())
    return render_to_string("risks/dashboard_panel.html", {"heat_maps": maps}, request=request)


@work.register
def risk_work(user):
    """Open treatment actions the user owns, and reviews of the risks they own."""
    actions = TreatmentAction.objects.restrict(user).open().filter(owner=user)
    for action in actions.select_related("risk"):
        yield Item(ACTIONS, str(action), action.get_absolute_url(), action.due_date)
    risks = Risk.objects.restrict(user).filter(owner=user, next_review__lte=review_horizon())
    for risk in risks.exclude(status=Risk.Status.CLOSED):
        yield Item(
            REVIEWS,
            _("Review the risk %(risk)s") % {"risk": risk},
            risk.get_absolute_url(),
            risk.next_review,
        )
