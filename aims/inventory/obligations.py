"""The EU AI Act obligations shipped with the portal, from the versioned data file.

Migrations load them with the frozen models, which send no signals: the history record that a
save in the portal would write is written here, so that the first edit by an administrator shows
what the shipped value was.
"""

import json
from pathlib import Path

from django.utils import timezone

DATA = Path(__file__).resolve().parent / "data" / "ai_act_obligations.json"

LOADED = "Loaded from the shipped obligation data"
UPDATED = "Updated from the shipped obligation data"

# Corrections of shipped entries: code -> (field, shipped value, corrected value). A value that no
# longer is the shipped one was changed by an administrator and is left alone.
CORRECTIONS = {
    # Art. 86(1) excludes the critical infrastructure of Annex III, point 2.
    "annex3-art-86-explanation": ("condition", "high_risk_annex_iii", "high_risk_annex_iii_art_86"),
}


def shipped_obligations():
    return json.loads(DATA.read_text(encoding="utf-8"))


def _defaults(entry, model):
    """The field values of a shipped entry, for the fields `model` has (a migration's frozen
    model may predate some)."""
    values = {
        "article": entry["article"],
        "title": entry["title"],
        "title_de": entry.get("title_de", ""),
        "condition": entry["condition"],
        "roles": ",".join(entry["roles"]),
        "application_date": entry["application_date"],
        "date_source": entry["date_source"],
        "note": entry.get("note", ""),
    }
    known = {field.name for field in model._meta.get_fields()}
    return {name: value for name, value in values.items() if name in known}


def record_history(obligation, history_model, *, history_type, reason):
    """Write a history record of `obligation` as it is now (what simple-history's signal does)."""
    names = {field.attname for field in history_model._meta.concrete_fields}
    history_model.objects.create(
        **{
            field.attname: getattr(obligation, field.attname)
            for field in obligation._meta.concrete_fields
            if field.attname in names
        },
        history_date=timezone.now(),
        history_type=history_type,
        history_change_reason=reason,
        history_user=None,
    )


def load_obligations(model, history_model=None):
    """Create the shipped obligations that are missing; never change one that exists (its date
    may have been moved by an administrator). `model` is AIActObligation or its historical
    version in a migration; in a migration pass `history_model` (HistoricalAIActObligation) so
    that each new obligation gets its first history record."""
    for entry in shipped_obligations():
        obligation, created = model.objects.get_or_create(
            code=entry["code"], defaults=_defaults(entry, model)
        )
        if created and history_model is not None:
            record_history(obligation, history_model, history_type="+", reason=LOADED)


def update_shipped_obligations(model, history_model):
    """Bring the obligations of an installation up to the shipped data (in a migration).

    Missing obligations are created; the source of each date is filled in where the date is still
    the shipped one; CORRECTIONS are applied where the value is still the shipped one. Every
    obligation ends with a history record: a change to one that has a history is recorded as a
    change, one that had none gets its first record as it now stands.
    """
    recorded = set(history_model.objects.values_list("id", flat=True).distinct())
    existing = {obligation.code: obligation for obligation in model.objects.all()}
    for entry in shipped_obligations():
        obligation = existing.get(entry["code"])
        if obligation is None:
            obligation = model.objects.create(code=entry["code"], **_defaults(entry, model))
            record_history(obligation, history_model, history_type="+", reason=LOADED)
            recorded.add(obligation.pk)
            continue
        changed = False
        shipped_date = obligation.application_date.isoformat() == entry["application_date"]
        if shipped_date and obligation.date_source != entry["date_source"]:
            obligation.date_source = entry["date_source"]
            changed = True
        field, shipped, corrected = CORRECTIONS.get(entry["code"], (None, None, None))
        if field and getattr(obligation, field) == shipped:
            setattr(obligation, field, corrected)
            changed = True
        if changed:
            obligation.version += 1
            obligation.save()
            if obligation.pk in recorded:
                record_history(obligation, history_model, history_type="~", reason=UPDATED)
    for obligation in model.objects.exclude(pk__in=recorded):
        record_history(obligation, history_model, history_type="+", reason=LOADED)
