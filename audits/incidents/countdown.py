"""The Art. 73 clock as people read it: which incidents await their report, and how long is
left (or how long overdue) until the deadline."""

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.incidents.deadlines import time_left
from audits.models import IncidentReport


def awaiting_report(queryset):
    """Serious incidents without an initial report to the authority."""
    return queryset.filter(serious=True).exclude(reports__kind=IncidentReport.Kind.INITIAL)


def initial_report(incident):
    """The first initial report logged (from prefetched reports when there are)."""
    initial = [r for r in incident.reports.all() if r.kind == IncidentReport.Kind.INITIAL]
    return min(initial, key=lambda r: r.sent_at) if initial else None


def duration(days, hours):
    if days:
        return ngettext("%(days)d day %(hours)d h", "%(days)d days %(hours)d h", days) % {
            "days": days,
            "hours": hours,
        }
    return _("%(hours)d h") % {"hours": hours}


@dataclass(frozen=True)
class DeadlineState:
    due_text: str  # the deadline in local time, or "—"
    text: str  # what the badge says
    badge: str  # its CSS classes
    awaiting: bool = False
    overdue: bool = False


def deadline_state(incident, now=None):
    if not incident.serious or incident.report_due_at is None:
        return DeadlineState("—", _("Not reportable"), "text-bg-light")
    due_text = formats.localize(timezone.localtime(incident.report_due_at))
    report = initial_report(incident)
    if report is not None:
        late = report.sent_at > incident.report_due_at
        return DeadlineState(
            due_text,
            _("Reported late") if late else _("Reported in time"),
            "text-bg-warning" if late else "text-bg-success",
        )
    overdue, days, hours = time_left(incident.report_due_at, now)
    if overdue:
        text = _("Overdue by %(time)s") % {"time": duration(days, hours)}
        return DeadlineState(due_text, text, "text-bg-danger", awaiting=True, overdue=True)
    text = _("%(time)s left") % {"time": duration(days, hours)}
    badge = "text-bg-danger" if days < 1 else "text-bg-warning"
    return DeadlineState(due_text, text, badge, awaiting=True)
