"""Reminders of overdue corrective actions and effectiveness checks, each sent once per
recipient (the key names the action or check and its due date: a new due date reminds again)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from aims.core.notifications import remind_once
from aims.core.roles import COMPLIANCE_OFFICER
from audits.models import CorrectiveAction, EffectivenessCheck, Nonconformity


def nonconformity_reminders():
    """Daily sweep; returns how many reminders went out now."""
    sent = 0
    actions = CorrectiveAction.objects.overdue().select_related("owner", "nonconformity__owner")
    for action in actions:
        nonconformity = action.nonconformity
        sent += remind_once(
            key=f"corrective-action-overdue:{action.pk}:{action.due_date}",
            recipients=[action.owner, nonconformity.owner],
            subject=_("Corrective action overdue: %(action)s") % {"action": action},
            body=_(
                "The corrective action “%(title)s” of the nonconformity %(nc)s was due on "
                "%(date)s and is not done yet.\n\n%(url)s"
            )
            % {
                "title": action.title,
                "nc": nonconformity,
                "date": action.due_date,
                "url": settings.PORTAL_URL + action.get_absolute_url(),
            },
        )
    officers = list(
        get_user_model().objects.filter(groups__name=COMPLIANCE_OFFICER, is_active=True)
    )
    checks = (
        EffectivenessCheck.objects.overdue()
        .exclude(nonconformity__status=Nonconformity.Status.CLOSED)
        .select_related("nonconformity__owner")
    )
    for check in checks:
        nonconformity = check.nonconformity
        sent += remind_once(
            key=f"effectiveness-check-overdue:{check.pk}:{check.due_date}",
            recipients=[nonconformity.owner, *officers],
            subject=_("Effectiveness check overdue: %(nc)s") % {"nc": nonconformity},
            body=_(
                "The check whether the corrective actions of %(nc)s worked was due on "
                "%(date)s and has no result yet.\n\n%(url)s"
            )
            % {
                "nc": nonconformity,
                "date": check.due_date,
                "url": settings.PORTAL_URL + nonconformity.get_absolute_url(),
            },
        )
    return sent
