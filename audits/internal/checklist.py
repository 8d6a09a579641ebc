"""The audit checklist (9.2.1), generated from the scope when the audit starts: one item per
leaf clause in scope, one per Annex A control in scope, one per AI system in scope whose records
are sampled, in catalogue order. Subjects that already have an item (added by hand before the
start) get no second one."""

from django.db.models import Max
from django.utils.translation import gettext as _

from audits.models import ChecklistItem

QUESTION_LENGTH = ChecklistItem._meta.get_field("question").max_length


def system_question(system):
    return _(
        "Sampled records of %(system)s: risks, impact assessments, SoA entries and evidence "
        "are complete, current and consistent with each other."
    ) % {"system": f"{system.reference} {system.name}"}


def planned_items(audit):
    """Unsaved items for the audit's scope, in catalogue order."""
    items = [
        ChecklistItem(audit=audit, clause=clause, question=clause.localized_title)
        for clause in audit.clauses.filter(leaf=True).order_by("position")
    ]
    items += [
        ChecklistItem(audit=audit, control=control, question=control.localized_title)
        for control in audit.controls.filter(framework="iso42001").order_by("position", "code")
    ]
    items += [
        ChecklistItem(audit=audit, ai_system=system, question=system_question(system))
        for system in audit.ai_systems.order_by("reference")
    ]
    for item in items:
        item.question = item.question[:QUESTION_LENGTH]
    return items


def generate_checklist(audit, *, user):
    """Create the items the scope asks for and the checklist lacks; return the new items."""
    existing = audit.checklist.all()
    have = {("clause", pk) for pk in existing.exclude(clause=None).values_list("clause", flat=True)}
    have |= {
        ("control", pk) for pk in existing.exclude(control=None).values_list("control", flat=True)
    }
    have |= {
        ("ai_system", pk)
        for pk in existing.exclude(ai_system=None).values_list("ai_system", flat=True)
    }
    position = existing.aggregate(last=Max("position"))["last"] or 0
    created = []
    for item in planned_items(audit):
        kind = next(k for k in ("clause", "control", "ai_system") if getattr(item, f"{k}_id"))
        if (kind, getattr(item, f"{kind}_id")) in have:
            continue
        position += 1
        item.position = position
        item._history_user = user
        item.save()
        created.append(item)
    return created


def next_position(audit):
    return (audit.checklist.aggregate(last=Max("position"))["last"] or 0) + 1


def progress(audit):
    """(items with a result, all items, percent) of the checklist."""
    items = list(audit.checklist.values_list("result", flat=True))
    done = sum(1 for result in items if result)
    return done, len(items), round(100 * done / len(items)) if items else 0
