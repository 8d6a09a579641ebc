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
from aims.core.digests import canonical_sha256
from aims.core.permissions import can
from aims.core.views import refused
from aims.impact import services
from aims.impact.forms import DecisionForm
from aims.impact.models import Impact, ImpactAssessment
from risks.models import Risk


def assessment_record(assessment):
    """What the page and the PDF show of the assessment beyond its fields."""
    return {
        "decisions": assessment.decisions.select_related("decided_by").prefetch_related(
            "conditions__owner"
        ),
        "impacts": assessment.impacts.select_related("control", "risk"),
        "snapshot_sha256": canonical_sha256(services.snapshot(assessment)),
    }


def assessment_detail_context(assessment, user):
    # Drafts are changed and submitted under the page's own `can_change`.
    return {
        **assessment_record(assessment),
        "may_start_version": assessment.status in ImpactAssessment.DECIDED
        and not assessment.system.impact_assessments.open().exists()
        and ImpactAssessment.objects.restrict(user, "change").filter(pk=assessment.pk).exists(),
        "decision_refusal": services.decision_refusal(user, assessment),
        "may_create_risk": can(user, "add", Risk),
    }


def assessment_for(request, pk, action="view"):
    return get_object_or_404(ImpactAssessment.objects.restrict(request.user, action), pk=pk)


@login_required
@require_POST
def submit(request, pk):
    assessment = assessment_for(request, pk, "change")
    try:
        services.impact_assessment_submit(assessment=assessment, user=request.user)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("Submitted; the AI officer has been told."))
    return redirect(assessment)


@login_required
def decide(request, pk):
    assessment = assessment_for(request, pk)
    if refusal := services.decision_refusal(request.user, assessment):
        messages.error(request, refusal)
        return redirect(assessment)
    form = DecisionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.impact_assessment_decide(
                assessment=assessment,
                user=request.user,
                outcome=form.cleaned_data["outcome"],
                comment=form.cleaned_data["comment"],
                conditions=form.cleaned_data["conditions"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect(assessment)
    return render(request, "impact/decide.html", {"assessment": assessment, "form": form})


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
        **assessment_record(assessment),
    }
    content = pdf.render_pdf("impact/assessment_pdf.html", context)
    return pdf.pdf_response(content, f"{assessment.reference}-v{assessment.number}")
