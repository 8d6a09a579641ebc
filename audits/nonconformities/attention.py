"""What about nonconformities needs attention: the dashboard, its panel and My work."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aims.core.dashboard import counts
from aims.core.permissions import can
from aims.core.roles import may_verify_effectiveness
from aims.core.work import Item, review_horizon, work
from audits.models import CorrectiveAction, EffectivenessCheck, Nonconformity

CORRECTIVE_ACTIONS = gettext_lazy("Corrective actions you own")
CHECKS = gettext_lazy("Effectiveness checks to verify")


def listed(url_name, **params):
    return f"{reverse(url_name)}?{urlencode(params)}"


def nonconformity_attention(user):
    if not can(user, "view", Nonconformity):
        return
    numbers = counts(
        {
            "overdue": CorrectiveAction.objects.restrict(user).overdue(),
            "checks": EffectivenessCheck.objects.restrict(user)
            .pending()
            .filter(due_date__lte=timezone.localdate()),
        }
    )
    if count := numbers["overdue"]:
        yield (
            ngettext(
                "%(count)d corrective action is overdue.",
                "%(count)d corrective actions are overdue.",
                count,
            )
            % {"count": count},
            listed("audits:correctiveaction_list", overdue="yes"),
        )
    if count := numbers["checks"]:
        yield (
            ngettext(
                "%(count)d effectiveness check is due.",
                "%(count)d effectiveness checks are due.",
                count,
            )
            % {"count": count},
            listed("audits:effectivenesscheck_list", due="yes"),
        )


def nonconformity_panel(request):
    user = request.user
    if not can(user, "view", Nonconformity):
        return ""
    open_ones = Nonconformity.objects.restrict(user).open()
    numbers = counts(
        {grade: open_ones.filter(grade=grade) for grade in Nonconformity.Grade.values}
        | {"overdue": CorrectiveAction.objects.restrict(user).overdue()}
    )
    grades = [
        (label, numbers[grade], listed("audits:nonconformity_list", state="open", grade=grade))
        for grade, label in Nonconformity.Grade.choices
    ]
    return render_to_string(
        "audits/nonconformity_panel.html",
        {
            "grades": grades,
            "overdue": numbers["overdue"],
            "overdue_url": listed("audits:correctiveaction_list", overdue="yes"),
        },
        request=request,
    )


@work.register
def nonconformity_work(user):
    """Open corrective actions the user owns, and due checks the user may verify."""
    actions = CorrectiveAction.objects.restrict(user).open().filter(owner=user)
    for action in actions.select_related("nonconformity"):
        yield Item(CORRECTIVE_ACTIONS, str(action), action.get_absolute_url(), action.due_date)
    if not may_verify_effectiveness(user):
        return
    checks = (
        EffectivenessCheck.objects.restrict(user)
        .pending()
        .filter(
            due_date__lte=review_horizon(),
            nonconformity__status=Nonconformity.Status.ACTIONS_DONE,
        )
        .exclude(nonconformity__actions__owner=user)
        .select_related("nonconformity")
        .distinct()
    )
    for check in checks:
        yield Item(
            CHECKS,
            _("Verify the effectiveness for %(nc)s") % {"nc": check.nonconformity},
            check.nonconformity.get_absolute_url(),
            check.due_date,
        )
