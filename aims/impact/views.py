"""Pages of the impact assessments beyond the registers: submit, decide, new version, impact
to risk, and the printable assessment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core import display, pdf
from aims.core.approvals import content_sha256, decision_state
from aims.core.forbidden import get_or_refuse
from aims.core.permissions import can, perm_name, permits
from aims.core.views import refused
from aims.impact import services
from aims.impact.approvals import ASSESSMENT
from aims.impact.forms import ConditionMetForm
from aims.impact.models import DecisionCondition, Impact, ImpactAssessment
from risks.models import Risk


def assessment_record(assessment, user):
    """What the page and the PDF show of the assessment beyond its fields: the impacts' risks
    and controls and the evidence of met conditions only as far as the user may view them."""
    decisions = list(
        assessment.decisions.select_related("decided_by").prefetch_related(
            "conditions__owner", "conditions__evidence"
        )
    )
    for decision in decisions:
        for condition in decision.conditions.all():
            condition.evidence = in_scope(user, condition.evidence)
    impacts = list(assessment.impacts.select_related("control", "risk"))
    for impact in impacts:
        impact.control = in_scope(user, impact.control)
        impact.risk = in_scope(user, impact.risk)
    return {
        "decisions": decisions,
        "impacts": impacts,
        "snapshot_sha256": content_sha256(ASSESSMENT, assessment),
    }


def in_scope(user, related):
    """The related object if the user may view it, else None: a page or document names only
    what the object's own page would show the user (not answer 404 for)."""
    if related is None or user.has_perm(perm_name(type(related), "view")):
        return related
    visible = type(related)._default_manager.restrict(user)
    return related if visible.filter(pk=related.pk).exists() else None


def assessment_detail_context(assessment, user):
    # Drafts are changed and submitted under the page's own `can_change`.
    return {
        **assessment_record(assessment, user),
        "may_start_version": assessment.status in ImpactAssessment.DECIDED
        and not assessment.system.impact_assessments.open().exists()
        and permits(user, "change", assessment),
        "decision": decision_state(ASSESSMENT, user, assessment),
        "may_create_risk": can(user, "add", Risk),
    }


def assessment_for(request, pk, action="view"):
    return get_or_refuse(ImpactAssessment.objects, request.user, action, pk)


@login_required
@require_POST
def submit(request, pk):
    assessment = assessment_for(request, pk, "change")
    try:
        services.impact_assessment_submit(assessment=assessment, user=request.user)
    except ValidationError as error:
        refused(request, error)
        if hasattr(error, "error_dict"):
            # Fields to fill in: the edit form shows each message at its field.
            return redirect("impact:impactassessment_edit", pk=assessment.pk)
    else:
        messages.success(request, _("Submitted; the AI officer has been told."))
    return redirect(assessment)


@login_required
@require_POST
def new_version(request, pk):
    assessment = assessment_for(request, pk, "change")
    try:
        draft = services.impact_assessment_new_version(assessment=assessment, user=request.user)
    except ValidationError as error:
        refused(request, error)
        return redirect(assessment)
    messages.success(
        request, _("Version %(number)s started as a draft.") % {"number": draft.number}
    )
    return redirect(draft)


@login_required
@require_POST
def impact_to_risk(request, pk):
    if not can(request.user, "add", Risk):
        raise PermissionDenied
    impact = get_object_or_404(Impact.objects.restrict(request.user), pk=pk)
    try:
        risk = services.impact_risk_create(impact=impact, user=request.user)
    except ValidationError as error:
        refused(request, error)
        return redirect(impact.assessment)
    messages.success(
        request, _("Risk %(risk)s created; score and treat it.") % {"risk": risk.reference}
    )
    return redirect(risk)


@login_required
def assessment_pdf(request, pk):
    assessment = assessment_for(request, pk)
    context = {
        "object": assessment,
        "rows": display.detail_rows(assessment),
        "printed": timezone.localtime(),
        **assessment_record(assessment, request.user),
    }
    content = pdf.render_pdf("impact/assessment_pdf.html", context)
    return pdf.pdf_response(content, f"{assessment.reference}-v{assessment.number}")


@login_required
def condition_met(request, pk):
    condition = get_object_or_404(
        DecisionCondition.objects.select_related("decision__assessment").filter(
            decision__assessment__in=ImpactAssessment.objects.restrict(request.user)
        ),
        pk=pk,
    )
    if not services.may_confirm_condition(request.user, condition):
        raise PermissionDenied
    form = ConditionMetForm(
        request.POST or None, user=request.user, initial={"met_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_condition_meet(
                condition=condition,
                user=request.user,
                met_on=form.cleaned_data["met_on"],
                evidence=form.cleaned_data["evidence"],
                note=form.cleaned_data["met_note"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(request, _("The condition is recorded as met."))
            return redirect(condition.decision.assessment)
    return render(request, "impact/condition_met.html", {"condition": condition, "form": form})
