"""What in the impact assessments needs attention on the dashboard."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from aims.core.permissions import can
from aims.core.roles import may_approve
from aims.impact.models import ImpactAssessment


def impact_attention(user):
    if not can(user, "view", ImpactAssessment):
        return
    assessments = ImpactAssessment.objects.restrict(user)
    register = reverse("impact:impactassessment_list")
    status = ImpactAssessment.Status.SUBMITTED
    if may_approve(user) and (count := assessments.filter(status=status).count()):
        yield (
            _("Impact assessments awaiting a decision: %(count)d") % {"count": count},
            f"{register}?{urlencode({'status': status})}",
        )
    if count := assessments.filter(reassessment_due=True).count():
        yield (
            _("Impact assessments due for re-assessment: %(count)d") % {"count": count},
            f"{register}?{urlencode({'reassessment_due': 'true'})}",
        )
