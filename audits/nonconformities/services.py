"""State changes of nonconformities (10.2) and improvements (10.1): raising them from a finding
or an incident, and the life cycle open → correction done → actions planned → actions done →
effectiveness verified → closed."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aims.core.permissions import can
from audits.models import AIIncident, ChecklistItem, Improvement, Nonconformity


def _may_change(user, model, obj):
    return obj is not None and model.objects.restrict(user, "change").filter(pk=obj.pk).exists()


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
        or _may_change(user, ChecklistItem, checklist_item)
        or _may_change(user, AIIncident, incident)
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
    return nonconformity


def improvement_raise(*, user, title, description, source, checklist_item=None, owner=None):
    """A new opportunity for improvement, raised by someone who may add improvements or who may
    change the audit finding it comes from."""
    if not (can(user, "add", Improvement) or _may_change(user, ChecklistItem, checklist_item)):
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
