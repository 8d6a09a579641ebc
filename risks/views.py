"""Pages of the risk register beyond the generic registers: the heat map above the list,
criteria activation, treatment plan approval, acceptance and risks from the library."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.approvals import decision_state
from aims.core.forbidden import get_or_refuse
from aims.core.permissions import can
from aims.core.views import refused
from risks import services
from risks.approvals import ACCEPTANCE, CRITERIA, PLAN
from risks.forms import RiskFromLibraryForm
from risks.heatmap import CELL_PARAMS, heat_maps_html
from risks.models import LibraryRisk, Risk, RiskCriteria, RiskLevel


def risk_heat_maps(request, filtered):
    """Above the risk list: the heat maps of what it shows, whichever cell is chosen."""
    criteria = RiskCriteria.active()
    heat_maps = ""
    if criteria is not None:
        # Counted without the chosen cell: over the cell's own list, every other cell would
        # show 0 while its link (which replaces the cell) lists risks.
        params = request.GET.copy()
        for name in CELL_PARAMS:
            params.pop(name, None)
        list_url = reverse("risks:risk_list")
        heat_maps = heat_maps_html(criteria, filtered(params), list_url, request.GET)
    return render_to_string(
        "risks/risk_list_heat_maps.html", {"heat_maps": heat_maps}, request=request
    )


def risk_detail_context(risk, user):
    criteria = risk.criteria
    acceptance = risk.current_acceptance
    return {
        "source_impacts": risk.source_impacts.restrict(user).select_related("assessment"),
        "criteria": criteria,
        "assessments": [
            {
                "title": title,
                "level": getattr(risk, f"{stage}_level"),
                "level_label": getattr(risk, f"get_{stage}_level_display")(),
                "likelihood": criteria.likelihood_label(getattr(risk, f"{stage}_likelihood"))
                if criteria
                else "",
                "impact": criteria.impact_label(getattr(risk, f"{stage}_impact"))
                if criteria
                else "",
            }
            for stage, title in (("inherent", _("Inherent risk")), ("residual", _("Residual risk")))
        ],
        "acceptance": acceptance,
        "acceptance_current": acceptance is not None
        and not acceptance.expired
        and risk.residual_matches(acceptance),
        "decisions": [decision_state(approval, user, risk) for approval in (PLAN, ACCEPTANCE)],
        "outdated_criteria": criteria is not None and criteria.status != RiskCriteria.Status.ACTIVE,
    }


def risk_criteria_context(criteria, user):
    return {
        "decision": decision_state(CRITERIA, user, criteria),
        "matrix": [
            (
                criteria.likelihood_label(likelihood),
                [
                    (level, RiskLevel(level).label)
                    for level in (
                        criteria.level(likelihood, impact)
                        for impact in range(1, criteria.impact_levels + 1)
                    )
                ],
            )
            for likelihood in range(criteria.likelihood_levels, 0, -1)
        ],
        "impact_labels": [
            criteria.impact_label(impact) for impact in range(1, criteria.impact_levels + 1)
        ],
    }


def library_risk_context(entry, user):
    if not can(user, "add", Risk):
        return {}
    return {"create_form": RiskFromLibraryForm(user=user)}


def changeable(request, model, pk):
    return get_or_refuse(model.objects, request.user, "change", pk)


@login_required
@require_POST
def criteria_new_version(request, pk):
    if not can(request.user, "add", RiskCriteria):
        raise PermissionDenied
    criteria = get_object_or_404(RiskCriteria.objects.restrict(request.user), pk=pk)
    try:
        draft = services.risk_criteria_new_version(criteria=criteria, user=request.user)
    except ValidationError as error:
        refused(request, error)
        return redirect(criteria)
    messages.success(request, _("Draft %(criteria)s started.") % {"criteria": draft})
    return redirect("risks:riskcriteria_edit", pk=draft.pk)


@login_required
@require_POST
def from_library(request, pk):
    if not can(request.user, "add", Risk):
        raise PermissionDenied
    entry = get_object_or_404(LibraryRisk.objects.restrict(request.user), pk=pk)
    form = RiskFromLibraryForm(request.POST, user=request.user)
    if not form.is_valid():
        refused(request, ValidationError(form.errors["ai_systems"]))
        return redirect(entry)
    risk = services.risk_from_library(
        entry=entry, ai_systems=form.cleaned_data["ai_systems"], user=request.user
    )
    messages.success(
        request,
        _("Risk %(risk)s created from the library. Check its scores and treatment.")
        % {"risk": risk.reference},
    )
    return redirect(risk)
