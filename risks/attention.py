"""What in the risk register needs attention, and the heat map, for the dashboard."""

from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from aims.core.permissions import can
from aims.core.roles import may_approve
from risks.heatmap import heat_maps_html
from risks.models import Risk, RiskCriteria, TreatmentAction


def risk_attention(user):
    if not can(user, "view", Risk):
        return
    risks = Risk.objects.restrict(user)
    register = reverse("risks:risk_list")
    if count := risks.review_overdue().count():
        yield (
            _("%(count)d risks are overdue for review.") % {"count": count},
            f"{register}?{urlencode({'review_overdue': 'yes'})}",
        )
    if count := risks.filter(status=Risk.Status.REVIEW).count():
        yield (
            _("%(count)d risks are back in review.") % {"count": count},
            f"{register}?{urlencode({'status': Risk.Status.REVIEW})}",
        )
    if count := TreatmentAction.objects.restrict(user).overdue().count():
        yield (
            _("%(count)d treatment actions are overdue.") % {"count": count},
            f"{reverse('risks:treatmentaction_list')}?{urlencode({'overdue': 'yes'})}",
        )
    if may_approve(user) and (count := risks.awaiting_plan_approval().count()):
        yield (
            _("%(count)d treatment plans await your approval.") % {"count": count},
            f"{register}?{urlencode({'treatment': 'awaiting_approval'})}",
        )


def risk_heat_map_panel(request):
    criteria = RiskCriteria.active()
    if criteria is None or not can(request.user, "view", Risk):
        return ""
    risks = Risk.objects.restrict(request.user)
    maps = heat_maps_html(criteria, risks, reverse("risks:risk_list"), QueryDict())
    return render_to_string("risks/dashboard_panel.html", {"heat_maps": maps}, request=request)
