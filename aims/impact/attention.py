"""What in the impact assessments needs attention: on the dashboard, and in My work."""

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.core.permissions import can
from aims.core.work import CONDITIONS, REVIEWS, Item, work
from aims.impact.models import DecisionCondition, ImpactAssessment


def impact_attention(user):
    if not can(user, "view", ImpactAssessment):
        return
    assessments = ImpactAssessment.objects.restrict(user)
    register = reverse("impact:impactassessment_list")
    if count := assessments.filter(reassessment_due=True).count():
        yield (
            ngettext(
                "%(count)d impact assessment is due for re-assessment.",
                "%(count)d impact assessments are due for re-assessment.",
                count,
            )
            % {"count": count},
            f"{register}?{urlencode({'reassessment_due': 'true'})}",
        )


@work.register
def impact_work(user):
    """Conditions of approvals the user owns, not met yet, and assessments due again that the
    user keeps (as assessment or system owner)."""
    conditions = DecisionCondition.objects.filter(
        owner=user,
        met_on=None,
        decision__assessment__in=ImpactAssessment.objects.restrict(user),
    ).select_related("decision__assessment")
    for condition in conditions:
        yield Item(
            CONDITIONS,
            _("%(assessment)s: %(condition)s")
            % {"assessment": condition.decision.assessment, "condition": condition},
            reverse("impact:condition_met", args=[condition.pk]),
            condition.due_date,
        )
    due = ImpactAssessment.objects.restrict(user).filter(
        Q(owner=user) | Q(system__owner=user), reassessment_due=True
    )
    for assessment in due:
        yield Item(
            REVIEWS,
            _("Re-assess %(assessment)s") % {"assessment": assessment},
            assessment.get_absolute_url(),
            assessment.next_review,
        )
