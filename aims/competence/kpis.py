"""Computed KPIs of the competence records (registered with aims.objectives.computed)."""

from django.utils.translation import gettext_lazy as _

from aims.competence.literacy import ai_literacy_share
from aims.objectives.computed import computed_kpi


@computed_kpi(
    "ai_literacy_share",
    _("Share of people with current AI-literacy training"),
    unit="%",
    higher_is_better=True,
)
def ai_literacy_current(period_start, period_end):
    return ai_literacy_share(period_end)
