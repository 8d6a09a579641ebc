"""What about objectives and KPIs needs attention: the dashboard, its panel and My work."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aims.core.dashboard import counts
from aims.core.permissions import can
from aims.core.work import Item, work
from aims.objectives.models import KPI, AIObjective, Status
from aims.objectives.tables import status_badge

MEASUREMENTS = gettext_lazy("KPI measurements due")


def listed(url_name, **params):
    return f"{reverse(url_name)}?{urlencode(params)}"


def objectives_attention(user):
    if not can(user, "view", KPI):
        return
    numbers = counts(
        {
            "off_target": KPI.objects.restrict(user).off_target(),
            "overdue": AIObjective.objects.restrict(user).filter(
                status__in=AIObjective.OPEN, due_date__lt=timezone.localdate()
            ),
        }
    )
    if count := numbers["off_target"]:
        yield (
            ngettext("%(count)d KPI is off target.", "%(count)d KPIs are off target.", count)
            % {"count": count},
            listed("objectives:kpi_list", current_status=Status.OFF_TARGET),
        )
    if count := numbers["overdue"]:
        yield (
            ngettext(
                "%(count)d AI objective is past its due date.",
                "%(count)d AI objectives are past their due date.",
                count,
            )
            % {"count": count},
            reverse("objectives:aiobjective_list"),
        )


def kpis_off_target_panel(request):
    if not can(request.user, "view", KPI):
        return ""
    kpis = KPI.objects.restrict(request.user).off_target().select_related("owner")
    kpis = list(kpis.order_by("reference"))
    return render_to_string(
        "objectives/dashboard_panel.html",
        {
            "kpis": [(kpi, status_badge(kpi.status())) for kpi in kpis],
            "list_url": listed("objectives:kpi_list", current_status=Status.OFF_TARGET),
        },
        request=request,
    )


@work.register
def kpi_work(user):
    """Entered KPIs the user owns whose last complete period has no measurement yet."""
    add_url = reverse("objectives:measurement_add")
    for kpi in KPI.objects.restrict(user).entered().filter(owner=user).order_by("reference"):
        if not kpi.measurement_due():
            continue
        start, end = kpi.period_due()
        yield Item(
            MEASUREMENTS,
            _("Enter the measurement of %(kpi)s for %(start)s – %(end)s")
            % {"kpi": kpi, "start": start, "end": end},
            f"{add_url}?{urlencode({'kpi': kpi.pk, 'period_start': start.isoformat()})}",
            end,
        )
