"""Computed KPIs of communication (registered with aims.objectives.computed): the share of asked
users who acknowledged the AI policy."""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.communication.models import asked_users
from aims.context.models import AIPolicy
from aims.objectives.computed import computed_kpi, share


def policy_in_force(day):
    """The policy version approved on or before `day` that was the latest then."""
    return (
        AIPolicy.objects.exclude(status=AIPolicy.Status.DRAFT)
        .filter(approved_on__lte=day)
        .order_by("-approved_on", "-pk")
        .first()
    )


@computed_kpi(
    "ai_policy_acknowledged",
    _("Share of asked users who acknowledged the approved AI policy"),
    unit="%",
    higher_is_better=True,
)
def ai_policy_acknowledged(period_start, period_end):
    """As at the period's last day: of the users asked by then to acknowledge the policy in
    force (active, with a role), the share who had acknowledged that version."""
    policy = policy_in_force(period_end)
    if policy is None:
        return share(0, 0)
    end = timezone.make_aware(datetime.combine(period_end, time.max))
    asked = asked_users(policy, until=end)
    done = asked.filter(
        policy_acknowledgements__policy=policy, policy_acknowledgements__acknowledged_at__lte=end
    )
    return share(done.count(), asked.count())
