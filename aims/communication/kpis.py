"""Computed KPIs of communication: the share of asked users who acknowledged the AI policy."""

from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.communication.models import approved_policy, asked_users
from aims.objectives.computed import computed_kpi


@computed_kpi(
    "ai_policy_acknowledged",
    _("Share of asked users who acknowledged the approved AI policy"),
    unit="%",
    higher_is_better=True,
)
def ai_policy_acknowledged(period_start, period_end):
    """As at the end of the period: of the users asked by then to acknowledge the approved
    policy (active, with a role), the share who had acknowledged it; 0 when nobody was asked."""
    policy = approved_policy()
    if policy is None:
        return Decimal("0")
    end = timezone.make_aware(datetime.combine(period_end, time.max))
    asked = asked_users(policy, until=end)
    total = asked.count()
    if not total:
        return Decimal("0")
    done = asked.filter(
        policy_acknowledgements__policy=policy, policy_acknowledgements__acknowledged_at__lte=end
    ).count()
    return (Decimal(100) * done / total).quantize(Decimal("0.1"))
