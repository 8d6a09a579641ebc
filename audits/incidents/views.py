"""Pages of the incident register beyond the generic ones: what the incident page shows (the
countdown, the deployer's duty, the reports, linked nonconformities and risks) and the one-step
nonconformity and risk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.permissions import can, perm_name, permits
from aims.core.views import refused
from audits.incidents import services
from audits.incidents.countdown import deadline_state
from audits.models import AIIncident, IncidentReport, Nonconformity
from risks.models import Risk


def incident_detail_context(incident, user):
    may_change = permits(user, "change", incident)
    deployer = incident.our_role == AIIncident.Role.DEPLOYER
    return {
        "deadline": deadline_state(incident),
        "deployer": deployer,
        "provider_not_informed": deployer
        and incident.serious
        and not incident.provider_informed_at,
        "reports": incident.reports.restrict(user).select_related("document").order_by("sent_at"),
        # Reports hang off the incident: whoever may change it logs them.
        "can_log_report": may_change or user.has_perm(perm_name(IncidentReport, "add")),
        "report_add_url": f"{reverse('audits:incidentreport_add')}?incident={incident.pk}",
        "nonconformities": incident.nonconformities.restrict(user).order_by("reference"),
        "linked_risks": incident.risks.restrict(user).order_by("reference"),
        "can_open_nonconformity": may_change or can(user, "add", Nonconformity),
        "can_create_risk": can(user, "add", Risk),
    }


def incident_in_scope(request, pk):
    return get_object_or_404(AIIncident.objects.restrict(request.user), pk=pk)


@login_required
@require_POST
def incident_nonconformity_open(request, pk):
    incident = incident_in_scope(request, pk)
    try:
        nonconformity = services.incident_nonconformity_open(incident=incident, user=request.user)
    except ValidationError as error:
        refused(request, error)
        return redirect(incident)
    messages.success(
        request, _("Nonconformity %(nc)s opened from this incident.") % {"nc": nonconformity}
    )
    return redirect(nonconformity)


@login_required
@require_POST
def incident_risk_create(request, pk):
    incident = incident_in_scope(request, pk)
    try:
        risk = services.incident_risk_create(incident=incident, user=request.user)
    except ValidationError as error:
        refused(request, error)
        return redirect(incident)
    messages.success(
        request, _("Risk %(risk)s created from this incident; assess it now.") % {"risk": risk}
    )
    return redirect("risks:risk_edit", pk=risk.pk)
