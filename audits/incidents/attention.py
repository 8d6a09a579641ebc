"""What of the incidents needs attention: on the dashboard (the panel of incidents awaiting a
report, nearest deadline first, and the attention list) and in My work."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aims.core.dashboard import counts
from aims.core.permissions import can
from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, has_role
from aims.core.work import Item, work
from audits.incidents.countdown import awaiting_report, deadline_state
from audits.models import AIIncident

REPORTS = gettext_lazy("Serious incidents to report")
PANEL_SIZE = 5


def awaiting(user):
    return awaiting_report(AIIncident.objects.restrict(user)).order_by("report_due_at", "pk")


def incident_attention(user):
    if not can(user, "view", AIIncident):
        return
    incidents = awaiting(user)
    register = reverse("audits:aiincident_list")
    numbers = counts(
        {
            "awaiting": incidents,
            "overdue": incidents.filter(report_due_at__lt=timezone.now()),
            "uninformed": AIIncident.objects.restrict(user)
            .serious()
            .filter(our_role=AIIncident.Role.DEPLOYER, provider_informed_at__isnull=True),
        }
    )
    if count := numbers["awaiting"]:
        yield (
            ngettext(
                "%(count)d serious incident awaits its report to the authority.",
                "%(count)d serious incidents await their report to the authority.",
                count,
            )
            % {"count": count},
            f"{register}?{urlencode({'awaiting_report': 'yes'})}",
        )
    if count := numbers["overdue"]:
        yield (
            ngettext(
                "%(count)d serious incident is overdue for its report.",
                "%(count)d serious incidents are overdue for their report.",
                count,
            )
            % {"count": count},
            f"{register}?{urlencode({'awaiting_report': 'yes'})}",
        )
    if count := numbers["uninformed"]:
        yield (
            ngettext(
                "%(count)d serious incident as deployer: the provider is not yet informed.",
                "%(count)d serious incidents as deployer: the provider is not yet informed.",
                count,
            )
            % {"count": count},
            f"{register}?{urlencode({'serious': 'true', 'our_role': 'deployer'})}",
        )


def incident_panel(request):
    if not can(request.user, "view", AIIncident):
        return ""
    incidents = list(
        awaiting(request.user).select_related("ai_system").prefetch_related("reports")[:PANEL_SIZE]
    )
    if not incidents:
        return ""
    return render_to_string(
        "audits/incident_panel.html",
        {
            "rows": [(incident, deadline_state(incident)) for incident in incidents],
            "list_url": f"{reverse('audits:aiincident_list')}?awaiting_report=yes",
        },
        request=request,
    )


@work.register
def incident_work(user):
    """Serious incidents awaiting their report, for those who report them."""
    if not (has_role(user, COMPLIANCE_OFFICER) or has_role(user, AI_OFFICER)):
        return
    for incident in awaiting(user):
        yield Item(
            REPORTS,
            _("Report the serious incident %(incident)s to the authority") % {"incident": incident},
            incident.get_absolute_url(),
            timezone.localdate(incident.report_due_at),
        )
