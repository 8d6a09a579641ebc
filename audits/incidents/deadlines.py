"""The serious-incident test (EU AI Act Art. 3(49), Art. 3(61)) and the reporting deadline of
Art. 73: the shortest period among the cases that apply, counted from the moment the
organization became aware, in local calendar days."""

import json
from datetime import datetime, timedelta

from django.utils import timezone

from audits.models import ReportingPeriod
from audits.models.incidents import PERIODS_FILE

Case = ReportingPeriod.Case

# The flags of the serious-incident test. A widespread infringement (Art. 3(61)) is reported
# under Art. 73(3) as well, so it makes an incident reportable on its own.
SERIOUS_FLAGS = (
    "death",
    "health_harm",
    "critical_infrastructure",
    "fundamental_rights",
    "property_or_environment",
    "widespread",
)


def is_serious(incident):
    return any(getattr(incident, flag) for flag in SERIOUS_FLAGS)


def applicable_cases(incident):
    """The reporting cases that apply to the incident; none when it is not serious. Every
    serious incident falls under the general case; the others may shorten it."""
    if not is_serious(incident):
        return []
    cases = [Case.OTHER]
    if incident.death:
        cases.append(Case.DEATH)
    if incident.critical_infrastructure:
        cases.append(Case.CRITICAL_INFRASTRUCTURE)
    if incident.widespread:
        cases.append(Case.WIDESPREAD)
    return cases


def shipped_periods():
    data = json.loads(PERIODS_FILE.read_text(encoding="utf-8"))
    return {row["case"]: row["days"] for row in data["periods"]}


def current_periods():
    """{case: days} as the administrators keep them; a case missing from the table (a
    database not yet migrated with them) counts with its shipped period."""
    return {**shipped_periods(), **dict(ReportingPeriod.objects.values_list("case", "days"))}


def reporting_days(incident, periods=None):
    """The shortest period that applies, in days; None for an incident that is not serious."""
    cases = applicable_cases(incident)
    if not cases:
        return None
    periods = current_periods() if periods is None else periods
    return min(periods[case] for case in cases)


def add_local_days(moment, days):
    """The same wall-clock time `days` calendar days later in the portal's time zone: 22:30
    on the Friday before a daylight-saving change stays 22:30, not 21:30 or 23:30."""
    local = timezone.localtime(moment)
    naive = datetime.combine(local.date() + timedelta(days=days), local.time())
    # A wall-clock time skipped by the spring change (02:30) is read as before the change.
    return timezone.make_aware(naive)


def reporting_deadline(incident, periods=None):
    """When the initial report is due; None for an incident that is not serious."""
    days = reporting_days(incident, periods)
    if days is None or incident.aware_at is None:
        return None
    return add_local_days(incident.aware_at, days)


def time_left(due, now=None):
    """(overdue, days, hours) between now and the deadline, whole hours rounded down."""
    now = now or timezone.now()
    seconds = int((due - now).total_seconds())
    overdue = seconds < 0
    hours = abs(seconds) // 3600
    return overdue, hours // 24, hours % 24
