"""Rows that repeat what the register holds already, and files whose content was imported before.

A row without a reference is matched on what names an entry (`ImportSpec.match_on`: the name, and
for a risk its AI systems) against the register — entries typed in and entries of earlier imports
alike — and against the rows above it in the same file. Each match gets an action the user may
change in the preview: skip the row, update the entry, or create a new entry anyway; an exact
match (every field the row fills already holds that value) is skipped unless the user says
otherwise, any other match updates its entry.

The fingerprint of a file is a hash of its parsed content (headers and cells), so the same
register uploaded as XLSX after CSV is recognised, though the bytes differ.
"""

import hashlib
import json
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aims.core.imports.proposals import normalize

SKIP, UPDATE, CREATE = "skip", "update", "create"
ACTIONS = {
    SKIP: _("Skip the row"),
    UPDATE: _("Update the existing entry"),
    CREATE: _("Create a new entry anyway"),
}


def fingerprint(table) -> str:
    """SHA-256 of the parsed register: headers and cells compared as normalized text, blank
    rows and row numbers left out."""
    content = [
        [normalize(header) for header in table.headers],
        *sorted([" ".join(cell.split()) for cell in cells] for _number, cells in table.rows),
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def earlier_import(spec, record):
    """An earlier import of the same content into the register (same fingerprint or the same
    file), if any."""
    Status = spec.record_model.Status
    earlier = spec.record_model.objects.filter(status=Status.IMPORTED).exclude(pk=record.pk)
    same = earlier.filter(sha256=record.sha256).first()
    if same or not getattr(record, "fingerprint", ""):
        return same
    return earlier.filter(fingerprint=record.fingerprint).first()


@dataclass
class Match:
    """A row that names an entry the register or the file holds already."""

    number: int  # the row's number in the file
    obj: object  # the row's object, not saved
    entry: object | None  # the existing entry; None for an earlier row of the same file
    earlier_row: int | None  # the earlier row of the file it repeats
    exact: bool
    action: str

    @property
    def actions(self):
        """The actions offered: updating needs an existing entry."""
        codes = [SKIP, CREATE] if self.entry is None else [SKIP, UPDATE, CREATE]
        return [(code, ACTIONS[code]) for code in codes]


def match_key(spec, obj):
    """What names the row's entry: the normalized name and, for a risk, its AI systems."""
    key = []
    for code in spec.match_on:
        model_field = spec.model_field(code)
        if model_field.many_to_many:
            linked = obj.import_deferred.get(code) or []
            key.append(frozenset(item.pk for item in linked))
        else:
            key.append(normalize(getattr(obj, model_field.attname) or ""))
    return tuple(key)


def entry_key(spec, entry):
    key = []
    for code in spec.match_on:
        model_field = spec.model_field(code)
        if model_field.many_to_many:
            key.append(frozenset(item.pk for item in getattr(entry, code).all()))
        else:
            key.append(normalize(getattr(entry, model_field.attname) or ""))
    return tuple(key)


def filled_codes(spec, record, obj):
    """The fields the row fills: mapped columns with a value."""
    codes = []
    for code in record.column_mapping.values():
        model_field = spec.model_field(code)
        if model_field.many_to_many:
            if obj.import_deferred.get(code):
                codes.append(code)
        elif getattr(obj, model_field.attname) not in (None, "", []):
            codes.append(code)
    return codes


def same_content(spec, record, obj, entry):
    for code in filled_codes(spec, record, obj):
        model_field = spec.model_field(code)
        if model_field.many_to_many:
            theirs = {item.pk for item in getattr(entry, code).all()}
            if theirs != {item.pk for item in obj.import_deferred[code]}:
                return False
        elif getattr(obj, model_field.attname) != getattr(entry, model_field.attname):
            return False
    return True


def find_matches(spec, record, valid, user=None):
    """The matches among the valid (row number, object) pairs, each with the action the user
    chose for its row (`record.duplicate_actions`) or the default one."""
    if not spec.match_on:
        return []
    queryset = spec.model._default_manager.all()
    if user is not None and hasattr(queryset, "restrict"):
        queryset = spec.model._default_manager.restrict(user, "change")
    many = [code for code in spec.match_on if spec.model_field(code).many_to_many]
    if many:
        queryset = queryset.prefetch_related(*many)
    existing = {}
    for entry in queryset:
        existing.setdefault(entry_key(spec, entry), entry)
    chosen = getattr(record, "duplicate_actions", None) or {}
    reference = spec.reference_field
    seen = {}
    matches = []
    for number, obj in valid:
        if reference and getattr(obj, reference):
            continue  # a row with its own reference is that entry, or a new one
        key = match_key(spec, obj)
        if not key[0]:
            continue
        entry = existing.get(key)
        earlier_row = None if entry else seen.get(key)
        seen.setdefault(key, number)
        if entry is None and earlier_row is None:
            continue
        exact = same_content(spec, record, obj, entry) if entry else False
        default = SKIP if exact or entry is None else UPDATE
        match = Match(number, obj, entry, earlier_row, exact, default)
        if chosen.get(str(number)) in dict(match.actions):
            match.action = chosen[str(number)]
        matches.append(match)
    return matches


def apply_update(spec, record, match, user):
    """Write the fields the row fills into its existing entry (blank cells leave a field as it
    is), in the importer's name; the entry as saved."""
    entry = match.entry
    for code in filled_codes(spec, record, match.obj):
        model_field = spec.model_field(code)
        if not model_field.many_to_many:
            setattr(entry, model_field.attname, getattr(match.obj, model_field.attname))
    entry._history_user = user
    entry.save()
    for code, linked in match.obj.import_deferred.items():
        getattr(entry, code).set(linked)
    return entry


def remember_fingerprint(record, table):
    """Keep the fingerprint of the table the record imports (its sheet, read as chosen)."""
    if not hasattr(record, "fingerprint"):
        return
    value = fingerprint(table)
    if record.fingerprint != value:
        record.fingerprint = value
        type(record).objects.filter(pk=record.pk).update(fingerprint=value)
