"""The change log of the pack's period (7.5.3): who created, changed or deleted which entry
of which register, and when, read from the history every register keeps. Only entries the
reader may see are listed; a deleted entry only to readers of the whole register."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.display import tracked_fields
from aims.core.permissions import restrict_history
from aims.core.registry import registry
from aims.inventory.models import AISystem
from audits.packs.sections import section

# The fields by which a register's entries belong to AI systems.
SYSTEM_FIELDS = ("ai_systems", "ai_system", "system")
ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    action: str
    register: str
    entry: str
    fields: tuple


def entry_labels(model, ids):
    """How the log names entries without a reference, title or name of their own (an SoA
    entry: its control and scope): the entries as they are now, read at once with what
    their names show; a deleted one keeps its number."""
    if any(hasattr(model, name) for name in ("reference", "title", "name")):
        return {}
    related = [f.name for f in model._meta.concrete_fields if f.many_to_one]
    entries = model._base_manager.select_related(*related).filter(pk__in=ids)
    return {entry.pk: str(entry) for entry in entries}


def entry_label(record, labels):
    """The entry as the log names it, from the historical row (no query per row)."""
    reference = getattr(record, "reference", "")
    title = getattr(record, "title", "") or getattr(record, "name", "")
    return f"{reference} {title}".strip() or labels.get(record.id) or f"#{record.id}"


def system_path(model):
    """How entries of `model` belong to AI systems ("pk" for the systems themselves), or None
    for what belongs to the whole AIMS (policy, controls), which a pack of chosen AI systems
    lists in full."""
    if model is AISystem:
        return "pk"
    for name in SYSTEM_FIELDS:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.is_relation and field.related_model is AISystem:
            return name
    return None


def register_changes(register, scope):
    """The changes of one register in the period, oldest first, each with the fields it
    changed compared with the entry's record before it."""
    model = register.model
    history = restrict_history(model, scope.user)
    path = system_path(model)
    if path and not scope.whole_aims:
        condition = Q(**{f"{path}__in": [system.pk for system in scope.systems]})
        if path != "pk" and model._meta.get_field(path).null:
            condition |= Q(**{f"{path}__isnull": True})  # no system: organization-wide
        history = history.filter(id__in=model._default_manager.filter(condition).values("pk"))
    in_period = scope.in_period(history, "history_date")
    touched = set(in_period.values_list("id", flat=True))
    if not touched:
        return []
    rows = history.filter(id__in=touched).select_related("history_user")
    if scope.until:
        rows = rows.filter(history_date__date__lte=scope.until)
    fields = tracked_fields(model)
    labels = entry_labels(model, touched)
    previous, changes = {}, []
    for record in rows.order_by("id", "history_date", "history_id").iterator(chunk_size=2000):
        before = previous.get(record.id)
        previous[record.id] = record
        if scope.since and timezone.localdate(record.history_date) < scope.since:
            continue
        changed = ()
        if record.history_type == "~" and before is not None:
            changed = tuple(
                str(f.verbose_name)
                for f in fields
                if getattr(record, f.attname) != getattr(before, f.attname)
            )
        changes.append(
            Change(
                when=record.history_date,
                who=str(record.history_user or _("system")),
                action=str(ACTIONS.get(record.history_type, record.history_type)),
                register=str(model._meta.verbose_name),
                entry=entry_label(record, labels),
                fields=changed,
            )
        )
    return changes


@section("changelog", gettext_lazy("Change log of the period"), order=950)
def change_log(scope):
    changes = [
        change
        for register in registry
        if hasattr(register.model, "history")
        for change in register_changes(register, scope)
    ]
    if not changes:
        return None
    changes.sort(key=lambda change: change.when)
    return {"changes": changes}
