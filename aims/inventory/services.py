"""State changes of the inventory: classifying a system and importing a spreadsheet."""

import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import PurePath

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from aims.core.forms import single_line
from aims.core.permissions import perm_name
from aims.core.roles import OWNER_ACTIONS
from aims.inventory import importing
from aims.inventory.classification import classify
from aims.inventory.models import (
    AISystem,
    AISystemUserObjectPermission,
    Classification,
    SavedColumnMapping,
    SystemImport,
)


def ai_system_classify(*, system, answers, user):
    """Record the next classification of the system; it no longer needs re-classification."""
    with transaction.atomic():
        system = AISystem.objects.select_for_update().get(pk=system.pk)
        # Stored in English, the language of the record; pages show it in the reader's language.
        with translation.override("en"):
            result = classify(answers)
            summary, trail = result.summary, list(result.trail)
        number = (system.classifications.aggregate(n=Max("number"))["n"] or 0) + 1
        record = Classification(
            system=system,
            number=number,
            classified_on=timezone.localdate(),
            classified_by=user,
            roles=result.roles(system.ai_act_roles),
            answers=answers.to_dict(),
            tier=result.tier,
            flags=list(result.flags),
            route=result.route,
            annex_iii_area=result.annex_iii_area,
            summary=summary,
            trail=trail,
        )
        record._history_user = user
        record.save()
        if system.reclassification_needed:
            system.reclassification_needed = False
            system._history_user = user
            system.save()
    return record


# --- Import ---------------------------------------------------------------------------------

CHOICE_FIELDS = ("lifecycle_stage", "automation_level", "status")
MULTI_FIELDS = tuple(importing.MULTI_VALUED)
BOOL_FIELDS = ("personal_data", "special_category_data", "in_scope")
DATE_FIELDS = ("next_review",)
INT_FIELDS = ("review_cadence_months",)


def system_import_start(*, upload, user):
    """Keep the uploaded file privately and open an import record for it."""
    if upload.size > importing.MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    content = upload.read()
    name = PurePath(upload.name.replace("\\", "/")).name[:200] or "upload"
    table = importing.read_table(content, name)  # refuses what is not a readable sheet
    system_import = SystemImport(
        uploaded_by=user,
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        sheet=table.sheet,
        rows_total=len(table.rows),
    )
    # The stored name is ours; the user's file name is only ever displayed.
    suffix = ".xlsx" if content[:2] == b"PK" else ".csv"
    system_import.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    system_import._history_user = user
    system_import.save()
    return system_import


def imported_before(system_import):
    """An earlier import of the very same file, if any (the same SHA-256)."""
    return (
        SystemImport.objects.filter(
            sha256=system_import.sha256, status=SystemImport.Status.IMPORTED
        )
        .exclude(pk=system_import.pk)
        .first()
    )


def read_import(system_import):
    with system_import.file.open("rb") as f:
        return importing.read_table(f.read(), system_import.file.name, system_import.sheet or None)


def proposed_columns(table):
    saved = dict(SavedColumnMapping.objects.values_list("header", "field"))
    return importing.propose_columns(table.headers, saved)


def save_column_mapping(*, system_import, table, mapping, remember):
    """mapping: column index → field code. With `remember`, the headers are proposed next time."""
    system_import.column_mapping = {str(index): code for index, code in mapping.items()}
    system_import.save()
    if remember:
        for index, code in mapping.items():
            header = importing.normalize(table.headers[index])
            if header and len(header) <= SavedColumnMapping._meta.get_field("header").max_length:
                SavedColumnMapping.objects.update_or_create(header=header, defaults={"field": code})


def distinct_values(system_import, table):
    """For each mapped choice field: its distinct cell texts with the proposed code."""
    values = {}
    for index, code in system_import.column_mapping.items():
        if code not in CHOICE_FIELDS + MULTI_FIELDS:
            continue
        texts = set()
        for _number, cells in table.rows:
            text = cells[int(index)].strip()
            if text:
                texts.update(importing.split_multi(text) if code in MULTI_FIELDS else [text])
        values[code] = {
            text: system_import.value_mapping.get(code, {}).get(text)
            or importing.propose_value(code, text)
            for text in sorted(texts)
        }
    return values


@dataclass
class Preview:
    valid: list = field(default_factory=list)  # (row number, AISystem not yet saved)
    errors: list = field(default_factory=list)  # (row number, field label, message)

    @property
    def invalid_rows(self):
        return sorted({number for number, _label, _message in self.errors})


def import_preview(system_import, table):
    """Every row checked as it would be imported: valid systems and per-field errors."""
    users = {}
    for user in get_user_model().objects.filter(is_active=True):
        for key in {user.username, user.email, user.get_full_name()}:
            if key:
                users.setdefault(key.casefold(), []).append(user)
    taken = {ref.casefold() for ref in AISystem.objects.values_list("reference", flat=True)}
    preview = Preview()
    for number, cells in table.rows:
        system, errors = build_system(system_import, cells, users, taken)
        if errors:
            preview.errors.extend((number, label, message) for label, message in errors)
        else:
            if system.reference:
                taken.add(system.reference.casefold())
            preview.valid.append((number, system))
    return preview


def build_system(system_import, cells, users, taken):
    system = AISystem(source_import=system_import)
    errors = []
    for index, code in system_import.column_mapping.items():
        text = cells[int(index)].strip()
        model_field = AISystem._meta.get_field(code)
        try:
            value = convert(system_import, code, text, users)
        except ValueError as error:
            errors.append((model_field.verbose_name, str(error)))
            continue
        if value is not None:
            setattr(system, model_field.attname if code != "owner" else "owner", value)
    if system.reference and system.reference.casefold() in taken:
        errors.append(
            (
                AISystem._meta.get_field("reference").verbose_name,
                _("The reference %(reference)s is already used.") % {"reference": system.reference},
            )
        )
    for model_field in AISystem._meta.fields:
        # A TextField's max_length binds forms only; an import must keep to it too.
        text = getattr(system, model_field.attname)
        if isinstance(model_field, models.TextField) and len(text or "") > model_field.max_length:
            errors.append(
                (
                    model_field.verbose_name,
                    _("At most %(limit)d characters; this cell has %(length)d.")
                    % {"limit": model_field.max_length, "length": len(text)},
                )
            )
    try:
        system.full_clean(exclude=["owner", "source_import"], validate_unique=False)
    except ValidationError as invalid:
        for name, messages in invalid.message_dict.items():
            label = AISystem._meta.get_field(name).verbose_name
            errors.extend((label, message) for message in messages)
    return system, [(str(label), message) for label, message in errors]


def convert(system_import, code, text, users):
    """The cell's value for the model field, or ValueError with a message for the user."""
    if code in BOOL_FIELDS:
        return importing.parse_bool(text)
    if code in DATE_FIELDS:
        return importing.parse_date(text)
    if code in INT_FIELDS:
        return importing.parse_int(text)
    if not text:
        return None
    mapped = system_import.value_mapping.get(code, {})
    if code in CHOICE_FIELDS:
        choice = mapped[text] if text in mapped else importing.propose_value(code, text)
        if not choice:
            raise ValueError(_("“%(value)s” is not a known choice.") % {"value": text})
        return choice
    if code in MULTI_FIELDS:
        codes = []
        for part in importing.split_multi(text):
            choice = mapped[part] if part in mapped else importing.propose_value(code, part)
            if not choice:
                raise ValueError(_("“%(value)s” is not a known choice.") % {"value": part})
            codes.append(choice)
        return list(dict.fromkeys(codes))
    if code == "owner":
        return owner_named(text, users)
    if type(AISystem._meta.get_field(code)) is models.CharField:  # single-line fields
        try:
            single_line(text)
        except ValidationError as invalid:
            raise ValueError(invalid.messages[0]) from None
    return text


def owner_named(text, users):
    """The one active user a cell names by username, e-mail or full name."""
    candidates = users.get(text.casefold(), [])
    exact = [
        u for u in candidates if text.casefold() in (u.username.casefold(), u.email.casefold())
    ]
    if len(exact) == 1:
        return exact[0]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise ValueError(_("No active user “%(value)s”.") % {"value": text})
    raise ValueError(
        _("“%(value)s” names several users: %(users)s. Use the user name.")
        % {"value": text, "users": ", ".join(sorted(u.username for u in candidates))}
    )


def system_import_run(*, system_import, user, skip_invalid):
    """Create the valid rows' systems in one transaction; refuse while invalid rows are not
    explicitly skipped. Returns the number of systems created."""
    with transaction.atomic():
        system_import = SystemImport.objects.select_for_update().get(pk=system_import.pk)
        if system_import.status == SystemImport.Status.IMPORTED:
            raise ValidationError(_("This file has been imported already."))
        preview = import_preview(system_import, read_import(system_import))
        if preview.errors and not skip_invalid:
            raise ValidationError(
                _("Some rows are invalid. Skip them explicitly, or fix the file.")
            )
        if not preview.valid:
            raise ValidationError(_("No row can be imported."))
        systems = [system for _number, system in preview.valid]
        used = set(AISystem.objects.values_list("reference", flat=True))
        used.update(system.reference for system in systems)
        number = int(AISystem.next_reference().rsplit("-", 1)[1])
        for system in systems:
            while not system.reference:
                candidate = f"{AISystem.reference_prefix}-{number:03d}"
                number += 1
                if candidate not in used:
                    system.reference = candidate
        try:
            with transaction.atomic():
                created = bulk_create_with_history(
                    systems, AISystem, batch_size=500, default_user=user
                )
        except IntegrityError:
            raise ValidationError(
                _("Someone added AI systems with the same references meanwhile. Import again.")
            ) from None
        grant_owners(created)
        system_import.status = SystemImport.Status.IMPORTED
        system_import.rows_imported = len(created)
        system_import.rows_skipped = len(preview.invalid_rows)
        system_import.imported_at = timezone.now()
        system_import._history_user = user
        system_import.save()
    return len(created)


def grant_owners(systems):
    """bulk_create sends no post_save: give the owners their object permissions here."""
    permissions = [
        Permission.objects.get_by_natural_key(
            perm_name(AISystem, action).split(".")[1], "inventory", "aisystem"
        )
        for action in OWNER_ACTIONS
    ]
    AISystemUserObjectPermission.objects.bulk_create(
        AISystemUserObjectPermission(content_object=s, user=s.owner, permission=p)
        for s in systems
        if s.owner is not None
        for p in permissions
    )
