"""What in internal audits needs attention: audits the user leads that start within 14 days or
are in progress (the dashboard and My work). A programme awaiting a decision comes from the
approval machinery."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aims.core.work import Item, work
from audits.models import Audit

AUDITS = gettext_lazy("Audits you lead")
SOON = timedelta(days=14)


def led_audits(user):
    """Audits the user leads that start within 14 days or are in progress."""
    if not user.is_authenticated:
        return Audit.objects.none()
    horizon = timezone.localdate() + SOON
    return (
        Audit.objects.restrict(user)
        .filter(lead_auditor=user)
        .filter(
            Q(status=Audit.Status.IN_PROGRESS)
            | Q(status=Audit.Status.PLANNED, planned_start__lte=horizon)
        )
        .order_by("planned_start", "reference")
    )


def audit_attention(user):
    audits = list(led_audits(user))
    planned = [a for a in audits if a.status == Audit.Status.PLANNED]
    running = [a for a in audits if a.status == Audit.Status.IN_PROGRESS]
    url = reverse("audits:audit_list")
    if planned:
        yield (
            ngettext(
                "%(count)d audit you lead starts within 14 days.",
                "%(count)d audits you lead start within 14 days.",
                len(planned),
            )
            % {"count": len(planned)},
            f"{url}?{urlencode({'lead_auditor': user.pk, 'status': Audit.Status.PLANNED})}",
        )
    if running:
        yield (
            ngettext(
                "%(count)d audit you lead is in progress.",
                "%(count)d audits you lead are in progress.",
                len(running),
            )
            % {"count": len(running)},
            f"{url}?{urlencode({'lead_auditor': user.pk, 'status': Audit.Status.IN_PROGRESS})}",
        )


@work.register
def audit_work(user):
    for audit in led_audits(user):
        if audit.status == Audit.Status.PLANNED:
            text = _("Start the audit %(audit)s") % {"audit": audit}
            due = audit.planned_start
        else:
            text = _("Complete the checklist of %(audit)s and report") % {"audit": audit}
            due = audit.planned_end
        yield Item(AUDITS, text, audit.get_absolute_url(), due)
