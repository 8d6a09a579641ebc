"""What in the impact assessments needs attention on the dashboard."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from aims.core.permissions import can
from aims.core.roles import may_approve
from aims.impact.models import ImpactAssessment
from aims.impact.services import decision_refusal


def impact_attention(user):
    if not can(user, "view", ImpactAssessment):
        return
    assessments = ImpactAssessment.objects.restrict(user)
    register = reverse("impact:impactassessment_list")
    status = ImpactAssessment.Status.SUBMITTED
    # Only those this officer may decide: not their own (four-eyes); few await at a time.
    awaiting = assessments.filter(status=status) if may_approve(user) else []
    if count := sum(1 for a in awaiting if not decision_refusal(user, a)):
        yield (
            _("Impact assessments awaiting a decision: %(count)d") % {"count": count},
            f"{register}?{urlencode({'status': status})}",
        )
    if count := assessments.filter(reassessment_due=True).count():
        yield (
            _("Impact assessments due for re-assessment: %(count)d") % {"count": count},
            f"{register}?{urlencode({'reassessment_due': 'true'})}",
        )
