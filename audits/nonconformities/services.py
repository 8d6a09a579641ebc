"""State changes of nonconformities (10.2) and improvements (10.1): raising them from a finding
or an incident, and the life cycle open → correction done → actions planned → actions done →
effectiveness verified → closed."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core.approvals import WORKFLOW, workflow_save
from aims.core.notifications import notify
from aims.core.permissions import can, permits
from aims.core.roles import may_verify_effectiveness
from audits.models import (
    ChecklistItem,
    CorrectiveAction,
    EffectivenessCheck,
    Improvement,
    Nonconformity,
)


def _may_change(user, obj):
    return obj is not None and permits(user, "change", obj)


def _locked_item(checklist_item):
    """The checklist item under a row lock, so that two raises at once cannot both pass."""
    if checklist_item is None:
        return None
    return ChecklistItem.objects.select_for_update().get(pk=checklist_item.pk)


def nonconformity_raise(
    *,
    user,
    title,
    description,
    source,
    grade,
    clause=None,
    control=None,
    audit=None,
    checklist_item=None,
    incident=None,
    ai_systems=(),
    owner=None,
):
    """A new nonconformity, raised by someone who may add nonconformities or who may change the
    audit finding or incident it comes from."""
    if not (
        can(user, "add", Nonconformity)
        or _may_change(user, checklist_item)
        or _may_change(user, incident)
    ):
        raise PermissionDenied(_("You may not raise a nonconformity here."))
    with transaction.atomic():
        item = _locked_item(checklist_item)
        if item is not None and Nonconformity.objects.filter(checklist_item=item).exists():
            raise ValidationError(_("A nonconformity has already been raised from this finding."))
        nonconformity = Nonconformity(
            title=title,
            description=description,
            source=source,
            grade=grade,
            clause=clause,
            control=control,
            audit=audit,
            checklist_item=item,
            incident=incident,
            owner=owner,
        )
        nonconformity.full_clean(exclude=["reference"])
        nonconformity._history_user = user
        nonconformity.save()
        nonconformity.ai_systems.set(ai_systems)
        if owner is not None and owner != user:
            notify(
                recipients=[owner],
                message=_("You own the new nonconformity %(nc)s.") % {"nc": nonconformity},
                url=nonconformity.get_absolute_url(),
                key=f"nonconformity-owner:{nonconformity.pk}:{owner.pk}",
            )
    return nonconformity


def improvement_raise(*, user, title, description, source, checklist_item=None, owner=None):
    """A new opportunity for improvement, raised by someone who may add improvements or who may
    change the audit finding it comes from."""
    if not (can(user, "add", Improvement) or _may_change(user, checklist_item)):
        raise PermissionDenied(_("You may not record an improvement here."))
    with transaction.atomic():
        item = _locked_item(checklist_item)
        if item is not None and Improvement.objects.filter(checklist_item=item).exists():
            raise ValidationError(_("An improvement has already been recorded from this finding."))
        improvement = Improvement(
            title=title,
            description=description,
            source=source,
            checklist_item=item,
            owner=owner,
        )
        improvement.full_clean(exclude=["reference"])
        improvement._history_user = user
        improvement.save()
    return improvement


# The life cycle ---------------------------------------------------------------------------

Status = Nonconformity.Status
ActionStatus = CorrectiveAction.Status


def _locked(nonconformity):
    return Nonconformity.objects.select_for_update(of=("self",)).get(pk=nonconformity.pk)


def _require_state(nonconformity, *states):
    if nonconformity.status not in states:
        raise ValidationError(
            _("This step is not possible while the nonconformity is “%(status)s”.")
            % {"status": nonconformity.get_status_display()}
        )


def _require_change(user, nonconformity):
    if not _may_change(user, nonconformity):
        raise PermissionDenied(_("You may not change this nonconformity."))


def action_owner_refusal(user, nonconformity):
    """Four-eyes (10.2 d): who owns a corrective action does not judge that the actions worked."""
    if nonconformity.actions.filter(owner=user).exists():
        return _(
            "You own a corrective action of this nonconformity: someone who owns none of its "
            "actions verifies the effectiveness and closes it."
        )
    return ""


def _require_verifier(user, nonconformity):
    if not may_verify_effectiveness(user):
        raise PermissionDenied(
            _(
                "Only a compliance officer, an administrator or an internal auditor verifies "
                "effectiveness and closes nonconformities."
            )
        )
    if refusal := action_owner_refusal(user, nonconformity):
        raise ValidationError(refusal)


def nonconformity_record_correction(*, nonconformity, user, correction, correction_date):
    """The immediate correction that contained the nonconformity (10.2 a)."""
    _require_change(user, nonconformity)
    with transaction.atomic():
        nonconformity = _locked(nonconformity)
        _require_state(nonconformity, Status.OPEN)
        errors = {}
        if not (correction or "").strip():
            errors["correction"] = _("Describe the correction that was made.")
        if correction_date is None:
            errors["correction_date"] = _("Give the date of the correction.")
        elif correction_date > timezone.localdate():
            errors["correction_date"] = _("The correction date cannot be in the future.")
        if errors:
            raise ValidationError(errors)
        nonconformity.correction = correction.strip()
        nonconformity.correction_date = correction_date
        nonconformity.status = Status.CORRECTED
        workflow_save(nonconformity, user, reason=f"{WORKFLOW}: correction recorded")
    return nonconformity


def nonconformity_plan_actions(*, nonconformity, user, root_cause=None, cause_category=None):
    """The root cause is known and corrective actions address it (10.2 b, c)."""
    _require_change(user, nonconformity)
    with transaction.atomic():
        nonconformity = _locked(nonconformity)
        _require_state(nonconformity, Status.CORRECTED)
        if root_cause is not None:
            nonconformity.root_cause = root_cause.strip()
        if cause_category is not None:
            nonconformity.cause_category = cause_category
        if not nonconformity.root_cause:
            raise ValidationError(
                {"root_cause": _("Record the root-cause analysis before planning actions.")}
            )
        if not nonconformity.actions.open().exists():
            raise ValidationError(
                _("Add at least one open corrective action (owner and due date) first.")
            )
        nonconformity.status = Status.ACTIONS_PLANNED
        # The root cause is content: the user who gave it here is its author.
        nonconformity._history_user = user
        nonconformity._change_reason = f"{WORKFLOW}: actions planned"
        nonconformity.save()
    return nonconformity


def nonconformity_complete_actions(*, nonconformity, user):
    """Every corrective action is done (or cancelled, with at least one done)."""
    _require_change(user, nonconformity)
    with transaction.atomic():
        nonconformity = _locked(nonconformity)
        _require_state(nonconformity, Status.ACTIONS_PLANNED)
        actions = nonconformity.actions.all()
        if actions.open().exists():
            raise ValidationError(_("Some corrective actions are still open."))
        if not actions.filter(status=ActionStatus.DONE).exists():
            raise ValidationError(_("At least one corrective action must be done."))
        nonconformity.status = Status.ACTIONS_DONE
        workflow_save(nonconformity, user, reason=f"{WORKFLOW}: actions done")
    return nonconformity


def nonconformity_verify_effectiveness(*, nonconformity, user, result, notes, new_action=None):
    """Record the result of the pending effectiveness check (10.2 d). "Not effective" sends the
    nonconformity back to planned actions with a new action: `new_action` is a dict of title,
    owner and due_date."""
    _require_verifier(user, nonconformity)
    with transaction.atomic():
        nonconformity = _locked(nonconformity)
        _require_state(nonconformity, Status.ACTIONS_DONE)
        _require_verifier(user, nonconformity)
        check = nonconformity.effectiveness_checks.pending().select_for_update().first()
        if check is None:
            raise ValidationError(
                _("Plan an effectiveness check (method and due date) before verifying.")
            )
        if result not in EffectivenessCheck.Result.values:
            raise ValidationError({"result": _("Choose effective or not effective.")})
        if not (notes or "").strip():
            raise ValidationError({"notes": _("Say what the check found.")})
        action = None
        if result == EffectivenessCheck.Result.NOT_EFFECTIVE:
            action = _new_action(nonconformity, new_action or {}, user)
        check.result = result
        check.notes = notes.strip()
        check.checked_by = user
        check.checked_on = timezone.localdate()
        check._history_user = user
        check.save()
        nonconformity.status = Status.VERIFIED if action is None else Status.ACTIONS_PLANNED
        workflow_save(nonconformity, user, reason=f"{WORKFLOW}: effectiveness {result}")
    if action is not None:
        _tell_action_owner(action)
    return nonconformity


def _new_action(nonconformity, data, user):
    errors = {}
    if not (data.get("title") or "").strip():
        errors["action_title"] = _("Name the new corrective action.")
    if data.get("owner") is None:
        errors["action_owner"] = _("Choose who owns the new corrective action.")
    if data.get("due_date") is None:
        errors["action_due_date"] = _("Give the new action a due date.")
    if errors:
        raise ValidationError(
            {
                **errors,
                "result": _(
                    "The actions were not effective: plan a new corrective action with it."
                ),
            }
        )
    action = CorrectiveAction(
        nonconformity=nonconformity,
        title=data["title"].strip(),
        owner=data["owner"],
        due_date=data["due_date"],
    )
    action._history_user = user
    action.save()
    return action


def _tell_action_owner(action):
    notify(
        recipients=[action.owner],
        message=_("New corrective action for %(nc)s: %(title)s")
        % {"nc": action.nonconformity.reference, "title": action.title},
        url=action.get_absolute_url(),
        key=f"corrective-action-assigned:{action.pk}",
    )


def closure_refusal(user, nonconformity):
    """Why the user may not close the nonconformity now ("" when they may)."""
    if nonconformity.status != Status.VERIFIED:
        return _("Only a nonconformity whose effectiveness was verified can be closed.")
    if not may_verify_effectiveness(user):
        return _(
            "Only a compliance officer, an administrator or an internal auditor closes "
            "nonconformities."
        )
    if refusal := action_owner_refusal(user, nonconformity):
        return refusal
    if nonconformity.actions.open().exists():
        return _("Some corrective actions are still open.")
    latest = nonconformity.effectiveness_checks.exclude(result="").order_by("checked_on", "pk")
    latest = latest.last()
    if latest is None or latest.result != EffectivenessCheck.Result.EFFECTIVE:
        return _("The latest effectiveness check must have found the actions effective.")
    return ""


def nonconformity_close(*, nonconformity, user):
    """Close: every action done and the latest check effective, by someone who owns no action."""
    if not may_verify_effectiveness(user):
        raise PermissionDenied(closure_refusal(user, nonconformity))
    with transaction.atomic():
        nonconformity = _locked(nonconformity)
        if refusal := closure_refusal(user, nonconformity):
            raise ValidationError(refusal)
        nonconformity.status = Status.CLOSED
        nonconformity.closed_by = user
        nonconformity.closed_on = timezone.localdate()
        workflow_save(nonconformity, user, reason=f"{WORKFLOW}: closed")
    return nonconformity


def nonconformity_actions_changed(*, nonconformity, user):
    """A corrective action was added or opened again after the actions were done or verified:
    the nonconformity goes back to planned actions, and effectiveness is verified anew."""
    with transaction.atomic():
        nonconformity = _locked(nonconformity)
        if nonconformity.status not in (Status.ACTIONS_DONE, Status.VERIFIED):
            return nonconformity
        if not nonconformity.actions.open().exists():
            return nonconformity
        nonconformity.status = Status.ACTIONS_PLANNED
        workflow_save(nonconformity, user, reason=f"{WORKFLOW}: actions reopened")
    return nonconformity


def corrective_action_complete(*, action, user):
    """The action's owner (or whoever may change the nonconformity) reports it done."""
    if action.owner_id != user.pk and not _may_change(user, action.nonconformity):
        raise PermissionDenied(_("Only the action's owner reports it done."))
    with transaction.atomic():
        _locked(action.nonconformity)
        action = CorrectiveAction.objects.select_for_update().get(pk=action.pk)
        if action.lock_reason:
            raise ValidationError(action.lock_reason)
        if action.status not in CorrectiveAction.OPEN:
            raise ValidationError(_("This action is not open."))
        action.status = ActionStatus.DONE
        action.done_on = timezone.localdate()
        action._history_user = user
        action.save()
    return action
