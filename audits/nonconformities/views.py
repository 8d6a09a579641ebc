"""Pages of this area beyond the generic registers: the nonconformity's life-cycle steps and
findings raised in one step from a checklist item."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core import display
from aims.core.permissions import permits
from aims.core.registry import registry
from aims.core.roles import may_verify_effectiveness
from aims.core.views import RegisterDetailView, refused
from audits.models import (
    Audit,
    AuditResult,
    ChecklistItem,
    CorrectiveAction,
    Improvement,
    Nonconformity,
)
from audits.nonconformities import forms, services

Status = Nonconformity.Status

# step: (state it starts from, form, service, message on success)
STEPS = {
    "record_correction": (
        Status.OPEN,
        forms.CorrectionForm,
        lambda nc, user, data: services.nonconformity_record_correction(
            nonconformity=nc, user=user, **data
        ),
    ),
    "plan_actions": (
        Status.CORRECTED,
        forms.PlanActionsForm,
        lambda nc, user, data: services.nonconformity_plan_actions(
            nonconformity=nc, user=user, **data
        ),
    ),
    "complete_actions": (
        Status.ACTIONS_PLANNED,
        None,
        lambda nc, user, data: services.nonconformity_complete_actions(nonconformity=nc, user=user),
    ),
    "verify_effectiveness": (
        Status.ACTIONS_DONE,
        forms.VerificationForm,
        lambda nc, user, data: services.nonconformity_verify_effectiveness(
            nonconformity=nc,
            user=user,
            result=data["result"],
            notes=data["notes"],
            new_action={
                "title": data.get("action_title", ""),
                "owner": data.get("action_owner"),
                "due_date": data.get("action_due_date"),
            },
        ),
    ),
    "close": (
        Status.VERIFIED,
        None,
        lambda nc, user, data: services.nonconformity_close(nonconformity=nc, user=user),
    ),
}


def step_refusal(step, user, nonconformity, may_change):
    """Why the user may not take this step now ("" when they may): the page shows only the
    steps the user may take, and the services check the same again. `may_change`: whether
    the permission layer lets the user change the nonconformity and it is not locked."""
    state = STEPS[step][0]
    if nonconformity.status != state:
        return _("Not in this state.")
    if step == "close":
        return services.closure_refusal(user, nonconformity)
    if step == "verify_effectiveness":
        if not may_verify_effectiveness(user):
            return _("You may not verify effectiveness.")
        if refusal := services.action_owner_refusal(user, nonconformity):
            return refusal
        if not nonconformity.effectiveness_checks.pending().exists():
            return _("Plan an effectiveness check (method and due date) before verifying.")
        return ""
    if not may_change:
        return _("You may not change this nonconformity.")
    if step == "complete_actions" and nonconformity.actions.open().exists():
        return _("Some corrective actions are still open.")
    return ""


def nonconformity_detail_context(nonconformity, user, bound=None):
    """The detail page's steps (only those the user may take now), actions and checks."""
    may_change = not nonconformity.lock_reason and permits(user, "change", nonconformity)
    steps = []
    for step, (_state, form_class, _service) in STEPS.items():
        if step_refusal(step, user, nonconformity, may_change):
            continue
        if bound and bound[0] == step:
            form = bound[1]
        elif form_class is not None:
            form = form_class(
                nonconformity=nonconformity, user=user, initial=step_initial(step, nonconformity)
            )
        else:
            form = None
        steps.append(
            {
                "key": step,
                "url": reverse(f"audits:nonconformity_{step}", args=[nonconformity.pk]),
                "form": form,
            }
        )
    return {
        "steps": steps,
        "actions": nonconformity.actions.select_related("owner"),
        "checks": nonconformity.effectiveness_checks.select_related("checked_by"),
        # Actions and checks hang off the nonconformity: added by whoever may change it.
        "may_add_parts": may_change,
        "add_action_url": reverse("audits:correctiveaction_add")
        + f"?nonconformity={nonconformity.pk}",
        "add_check_url": reverse("audits:effectivenesscheck_add")
        + f"?nonconformity={nonconformity.pk}",
        "step_hint": step_hint(user, nonconformity, may_change) if not steps else "",
        "checklist_item": nonconformity.checklist_item
        if nonconformity.checklist_item_id
        and ChecklistItem.objects.restrict(user).filter(pk=nonconformity.checklist_item_id).exists()
        else None,
    }


def step_hint(user, nonconformity, may_change):
    """Why the next step cannot be taken yet, for those who would take it."""
    step = next((key for key, spec in STEPS.items() if spec[0] == nonconformity.status), None)
    if step is None:
        return ""
    if (
        step == "verify_effectiveness"
        and not nonconformity.effectiveness_checks.pending().exists()
        and (may_change or may_verify_effectiveness(user))
    ):
        return _(
            "All actions are done. Plan an effectiveness check (method and due date); its "
            "result is recorded here."
        )
    takes_it = (
        may_verify_effectiveness(user) if step in ("verify_effectiveness", "close") else may_change
    )
    return step_refusal(step, user, nonconformity, may_change) if takes_it else ""


def step_initial(step, nonconformity):
    if step == "record_correction":
        return {
            "correction": nonconformity.correction,
            "correction_date": nonconformity.correction_date,
        }
    if step == "plan_actions":
        return {
            "root_cause": nonconformity.root_cause,
            "cause_category": nonconformity.cause_category,
        }
    return {}


def detail_page(request, nonconformity, bound, status):
    """The detail page again, with the step's form as the user filled it in and its errors."""
    register = registry[Nonconformity]
    view = RegisterDetailView(register=register)
    view.setup(request, pk=nonconformity.pk)
    context = view.object_context(
        nonconformity,
        rows=display.detail_rows(nonconformity),
        related=[],
        **nonconformity_detail_context(nonconformity, request.user, bound=bound),
    )
    return render(request, register.templates("detail"), context, status=status)


@login_required
@require_POST
def nonconformity_step(request, pk, step):
    nonconformity = get_object_or_404(Nonconformity.objects.restrict(request.user), pk=pk)
    _state, form_class, service = STEPS[step]
    form = None
    data = {}
    if form_class is not None:
        form = form_class(request.POST, nonconformity=nonconformity, user=request.user)
        if not form.is_valid():
            return detail_page(request, nonconformity, (step, form), status=400)
        data = form.cleaned_data
    try:
        service(nonconformity, request.user, data)
    except ValidationError as error:
        if form is None or not hasattr(error, "error_dict"):
            refused(request, error)
            return redirect(nonconformity)
        form.add_error(None, error)
        return detail_page(request, nonconformity, (step, form), status=400)
    nonconformity.refresh_from_db()
    messages.success(
        request,
        _("%(nc)s: %(status)s.")
        % {"nc": nonconformity.reference, "status": nonconformity.get_status_display()},
    )
    return redirect(nonconformity)


def step_view(step):
    def view(request, pk):
        return nonconformity_step(request, pk, step)

    view.__name__ = f"nonconformity_{step}"
    return view


def corrective_action_detail_context(action, user):
    may_complete = (
        action.status in CorrectiveAction.OPEN
        and not action.lock_reason
        and (
            action.owner_id == user.pk
            or Nonconformity.objects.restrict(user, "change")
            .filter(pk=action.nonconformity_id)
            .exists()
        )
    )
    return {"may_complete": may_complete}


@login_required
@require_POST
def correctiveaction_complete(request, pk):
    action = get_object_or_404(CorrectiveAction.objects.restrict(request.user), pk=pk)
    try:
        services.corrective_action_complete(action=action, user=request.user)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("Action reported done."))
    return redirect(action)


# Findings raised in one step ---------------------------------------------------------------

EXTERNAL_AUDITS = (Audit.Type.STAGE_1, Audit.Type.STAGE_2, Audit.Type.SURVEILLANCE)


def changeable_item(request, pk):
    return get_object_or_404(
        ChecklistItem.objects.restrict(request.user, "change").select_related(
            "audit", "clause", "control", "ai_system"
        ),
        pk=pk,
    )


def finding_title(item):
    title = _("Finding on %(subject)s: %(question)s") % {
        "subject": item.subject_code or item.audit.reference,
        "question": item.question,
    }
    return title[:200]


@login_required
@require_POST
def checklistitem_raise_nonconformity(request, pk):
    item = changeable_item(request, pk)
    if item.result not in AuditResult.nonconformities():
        messages.error(request, _("Only a major or minor nonconformity result raises one."))
        return redirect(item)
    source = (
        Nonconformity.Source.EXTERNAL_AUDIT
        if item.audit.audit_type in EXTERNAL_AUDITS
        else Nonconformity.Source.INTERNAL_AUDIT
    )
    try:
        nonconformity = services.nonconformity_raise(
            user=request.user,
            title=finding_title(item),
            description=item.notes or item.question,
            source=source,
            grade=Nonconformity.Grade(item.result),
            clause=item.clause,
            control=item.control,
            audit=item.audit,
            checklist_item=item,
            ai_systems=[item.ai_system] if item.ai_system_id else [],
        )
    except ValidationError as error:
        refused(request, error)
        return redirect(item)
    messages.success(request, _("Nonconformity %(nc)s raised.") % {"nc": nonconformity.reference})
    if permits(request.user, "view", nonconformity):
        return redirect(nonconformity)
    return redirect(item)


@login_required
@require_POST
def checklistitem_raise_improvement(request, pk):
    item = changeable_item(request, pk)
    if item.result not in AuditResult.improvements():
        messages.error(
            request,
            _("Only an observation or an opportunity for improvement is recorded as one."),
        )
        return redirect(item)
    try:
        improvement = services.improvement_raise(
            user=request.user,
            title=finding_title(item),
            description=item.notes or item.question,
            source=Improvement.Source.AUDIT,
            checklist_item=item,
        )
    except ValidationError as error:
        refused(request, error)
        return redirect(item)
    messages.success(
        request, _("Improvement %(improvement)s recorded.") % {"improvement": improvement.reference}
    )
    if permits(request.user, "view", improvement):
        return redirect(improvement)
    return redirect(item)
