"""The change log of the pack's period (7.5.3): who created, changed or deleted which entry
of which register, and when, read from the history every register keeps. Only entries the
reader may see are listed; a deleted entry only to readers of the whole register."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.display import tracked_fields
from aims.core.permissions import perm_name
from aims.core.registry import registry
from audits.packs.sections import section

ACTIONS = {"+": gettext_lazy("created"), "~": gettext_lazy("changed"), "-": gettext_lazy("deleted")}


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    action: str
    register: str
    entry: str
    fields: tuple


def entry_label(record):
    """The entry as the log names it, from the historical row alone (no query per row)."""
    reference = getattr(record, "reference", "")
    title = getattr(record, "title", "") or getattr(record, "name", "")
    return f"{reference} {title}".strip() or f"#{record.id}"


def register_changes(register, scope):
    """The changes of one register in the period, oldest first, each with the fields it
    changed compared with the entry's record before it."""
    model = register.model
    history = model.history.model.objects.all()
    if not scope.user.has_perm(perm_name(model, "view")):
        history = history.filter(id__in=scope.visible(model).values("pk"))
    in_period = scope.in_period(history, "history_date")
    touched = set(in_period.values_list("id", flat=True))
    if not touched:
        return []
    rows = history.filter(id__in=touched).select_related("history_user")
    if scope.until:
        rows = rows.filter(history_date__date__lte=scope.until)
    fields = tracked_fields(model)
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
                entry=entry_label(record),
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
