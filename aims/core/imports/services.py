"""Spreadsheet imports into any register: what a register declares (`ImportSpec`) and the
services the import wizard runs on it.

A register that imports declares, in its app's `imports.py`, one `ImportSpec`: its model, the
`ImportRecord` subclass that keeps each import, the fields a column may fill and the headers
they go by. Everything else follows from the model's fields: labels from `verbose_name`,
choices from `choices`, how a cell is read from the field's type. The app then adds
`*import_urlpatterns(SPEC)` (aims/core/imports/views.py) to its urls.py.

The wizard: `import_start` keeps the file and opens the record; the user maps columns
(`proposed_columns`, `column_mapping_save`) and choice values (`distinct_values`); `import_preview`
checks every row as it would be saved; `import_run` saves the valid rows in one transaction.
"""

import copy
import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from simple_history.utils import bulk_create_with_history

from aims.core.fields import MultipleChoiceField
from aims.core.forms import single_line
from aims.core.imports import matching, parsing, people, proposals, shapes
from aims.core.models import SavedColumnMapping
from aims.core.permissions import grant_owner_permissions_in_bulk
from aims.core.registry import registry
from aims.core.search_index import index_objects

logger = logging.getLogger(__name__)

NOT_QUEUED = gettext_lazy(
    "The import could not be queued: the background service is not available. "
    "Please try again later."
)


def spec_of(record_label):
    """The ImportSpec whose imports the record model keeps ("inventory.systemimport"), as an
    app declares it in its `imports` module."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        name = f"{config.name}.imports"
        if config.name == "aims.core" or find_spec(name) is None:
            continue
        for value in vars(import_module(name)).values():
            if (
                isinstance(value, ImportSpec)
                and value.record_model._meta.label_lower == record_label
            ):
                return value
    raise LookupError(f"No ImportSpec keeps its imports in {record_label}.")


# How a cell is read, by the kind of model field it fills (a `parsers` entry overrides).
TEXT, CHOICE, MULTI, BOOL, DATE, INT, USER, PARSER = (
    "text",
    "choice",
    "multi",
    "bool",
    "date",
    "int",
    "user",
    "parser",
)


class ImportSpec:
    """What a register's spreadsheet import needs to know; see CONTRIBUTING.md.

    - `model`: the register's model; `record_model`: its `ImportRecord` subclass. Each
      imported entry points to its import through `source_field` ("source_import" if the
      model has it; None: no link).
    - `fields`: the field codes a column may fill, in the order the wizard offers them; their
      labels are the model's verbose names, capitalised (a mapping code → label overrides).
    - `aliases`: field code → headers (English and German) the field goes by in the wild;
      `exact_only`: short or generic aliases that only count as the whole header.
    - `keywords`: choice field → code → words that mean the code in a cell; the codes and the
      labels (English and the reader's language) are keywords too. Choices come from the model
      field's `choices` (or a `MultipleChoiceField`'s options: a multi-valued cell); `choices`
      overrides them, or makes a plain text field a choice: field → {code: label}.
    - `parsers`: field code → callable(cell text) → value, raising ValueError with a message
      for the user (scales: `lambda text: parse_scale(text, LEVELS)`). Without one, booleans,
      dates and integers are parsed, a user foreign key is looked up by user name, e-mail or
      full name (a name that fits several users is an error), text is kept as it is. A
      many-to-many field needs a parser; its values wait in `obj.import_deferred[code]` for
      `after_create`, since they can only be set on saved objects.
    - `required`: fields whose column must be mapped besides those the model requires (not
      blank and without a default). Each row is then checked by the model (`full_clean`), as a
      form would.
    - `finish(obj)`: completes a row's object before it is checked (derived values), once
      every cell of the row could be read; a ValueError it raises is an error of the row, a
      ValidationError with a dict an error of the fields it names.
    - `after_create(objects, *, record, user)`: runs in the import's transaction after the bulk
      creation (links, follow-up records). Owners get their object permissions anyway, as when
      an entry is saved (bulk creation sends no post_save).
    - `reference_field`: a field that must be unique regardless of case ("reference" if the
      model has it; None: none); blank ones get the model's next references
      (`ReferencedModel.next_reference`).
    - `title`, `intro`: the upload page's heading ("Import <verbose_name_plural>" if not
      given) and explanation; `preview_fields`: the columns of the preview's sample rows (the
      first five fields if not given).
    - `update_by`: a field code whose cell names an existing entry (a foreign key or a unique
      field). The import then creates nothing: each row updates the entry it names, among
      `update_queryset(user)` (default: the entries the user may change); a row naming no such
      entry, or the same entry as another row, is an error. Blank cells leave a field as it is,
      and a row that changes nothing is not saved. Importing needs the "change" permission.
    - `match_on`: the fields that name an entry when a row has no reference (its name; for a
      risk also its AI systems): such rows are matched against the register and the rows above
      them, and the preview offers to skip, update or create (aims/core/imports/matching.py).
      The first one is the field a column of varied short text fills.
    - `description_fields`: the fields a long free-text column fills when no header says so.
    - `named_persons`: user field → (name field, e-mail field) that keep a person the cell
      names who is no portal user (aims/core/imports/people.py), instead of an error.
    - `notes(obj)`: remarks on a valid row the preview shows (e.g. a rating that differs).
    """

    def __init__(
        self,
        *,
        model,
        record_model,
        fields: Sequence[str] | Mapping[str, object],
        aliases: Mapping[str, Iterable[str]],
        exact_only: Iterable[str] = (),
        keywords: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
        choices: Mapping[str, Mapping[str, object]] | None = None,
        parsers: Mapping[str, Callable] | None = None,
        required: Sequence[str] = (),
        finish: Callable | None = None,
        after_create: Callable | None = None,
        reference_field: str | None = "reference",
        source_field: str = "source_import",
        title: str = "",
        intro: str = "",
        preview_fields: Sequence[str] = (),
        update_by: str | None = None,
        update_queryset: Callable | None = None,
        match_on: Sequence[str] = (),
        description_fields: Sequence[str] = (),
        named_persons: Mapping[str, tuple[str, str]] | None = None,
        notes: Callable | None = None,
    ):
        self.model = model
        self.record_model = record_model
        names = {f.name for f in model._meta.get_fields()}
        codes = list(fields)
        labels = fields if isinstance(fields, Mapping) else {}
        self.fields = {
            code: labels.get(code) or capfirst(model._meta.get_field(code).verbose_name)
            for code in codes
        }
        for what, listed in (("aliases", aliases), ("required", required)):
            if unknown := set(listed) - set(codes):
                raise ImproperlyConfigured(f"{what} of fields not imported: {sorted(unknown)}")
        self.aliases = proposals.HeaderAliases(
            {code: aliases.get(code, ()) for code in codes}, exact_only
        )
        self.parsers = dict(parsers or {})
        choices = choices or {}
        self.kinds = {code: self._kind(code, code in choices) for code in codes}
        self.choices = {
            code: dict(choices.get(code) or self._model_choices(code))
            for code, kind in self.kinds.items()
            if kind in (CHOICE, MULTI)
        }
        if unknown := set(keywords or {}) - set(self.choices):
            raise ImproperlyConfigured(f"keywords of fields without choices: {sorted(unknown)}")
        self.keywords = {code: dict((keywords or {}).get(code, {})) for code in self.choices}
        self.required = tuple(
            code for code in codes if code in required or self._model_requires(code)
        )
        self.finish = finish
        self.after_create = after_create
        # The defaults apply to models that have the field; a field named otherwise must exist.
        self.reference_field = self._optional_field(reference_field, "reference", names)
        self.source_field = self._optional_field(source_field, "source_import", names)
        self._title = title
        self.intro = intro
        self.preview_fields = tuple(preview_fields) or tuple(codes[:5])
        if update_by and update_by not in codes:
            raise ImproperlyConfigured(f"update_by of a field not imported: {update_by!r}")
        self.update_by = update_by
        self.update_queryset = update_queryset
        self.match_on = tuple(match_on)
        self.description_fields = tuple(description_fields)
        self.named_persons = dict(named_persons or {})
        self.notes = notes
        for code in (*self.match_on, *self.description_fields):
            if code not in codes:
                raise ImproperlyConfigured(f"match_on or description_fields: {code!r}")
        for names in self.named_persons.values():
            for name in names:
                self.model_field(name)  # FieldDoesNotExist for a typo
        for code in self.preview_fields:
            self.model_field(code)  # FieldDoesNotExist for a typo
        self._static_keywords = {}

    def _optional_field(self, name, default, names):
        if name and name not in names:
            if name != default:
                raise ImproperlyConfigured(f"{self.key} has no field {name!r}.")
            return None
        return name

    def __repr__(self):
        return f"<ImportSpec {self.key}>"

    @property
    def key(self):
        """The register's name, e.g. "inventory.aisystem" (keys its saved column mappings)."""
        return self.model._meta.label_lower

    @property
    def title(self):
        """The upload page's heading: "Import AI systems"."""
        return self._title or _("Import %(items)s") % {"items": self.verbose_name_plural}

    @property
    def verbose_name_plural(self):
        """What a row becomes, plural: "AI systems"."""
        return self.model._meta.verbose_name_plural

    @property
    def action(self):
        """What importing does to the register: "add" entries, or "change" them (`update_by`)."""
        return "change" if self.update_by else "add"

    def entries_to_update(self, user=None, lock=False):
        """The entries an update import may change, keyed by the value of `update_by`; with
        `lock`, their rows stay locked until the transaction ends."""
        if self.update_queryset:
            queryset = self.update_queryset(user)
        elif user is not None:
            queryset = self.model._default_manager.restrict(user, "change")
        else:
            queryset = self.model._default_manager.all()
        if lock:
            # Locked by primary key: a restricted queryset may join what cannot be locked.
            ids = list(queryset.values_list("pk", flat=True))
            queryset = self.model._default_manager.select_for_update(of=("self",)).filter(
                pk__in=ids
            )
        attname = self.model_field(self.update_by).attname
        return {getattr(obj, attname): obj for obj in queryset}

    def model_field(self, code):
        return self.model._meta.get_field(code)

    def label(self, code):
        """A field's label in the wizard, imported or not: "Purpose and intended use"."""
        return self.fields.get(code) or capfirst(self.model_field(code).verbose_name)

    def _kind(self, code, has_choices):
        if code in self.parsers:
            return PARSER
        model_field = self.model_field(code)
        if isinstance(model_field, MultipleChoiceField):
            return MULTI
        if model_field.choices or has_choices:
            return CHOICE
        if isinstance(model_field, models.BooleanField):
            return BOOL
        if isinstance(model_field, models.DateField) and not isinstance(
            model_field, models.DateTimeField
        ):
            return DATE
        if isinstance(model_field, models.IntegerField):
            return INT
        if model_field.many_to_one and model_field.related_model is get_user_model():
            return USER
        if isinstance(model_field, models.CharField | models.TextField):
            return TEXT
        raise ImproperlyConfigured(f"{self.key}: the import needs a parser for {code!r}.")

    def _model_requires(self, code):
        model_field = self.model_field(code)
        return not (model_field.blank or model_field.has_default())

    def _model_choices(self, code):
        model_field = self.model_field(code)
        if isinstance(model_field, MultipleChoiceField):
            return model_field.options
        return model_field.flatchoices

    # --- Guessing ----------------------------------------------------------------------------

    def propose_columns(self, headers, saved=None, rows=()):
        """Column index → field code for a file's headers and the cells of its `rows`; see
        proposals.propose_columns."""
        return proposals.propose_columns(headers, self.aliases, saved, rows, self.roles)

    @property
    def roles(self):
        """What the fields expect of a column's content (proposals.FieldRoles). The field that
        names the entry to update (`update_by`) is the register's reference, never its name."""
        return proposals.FieldRoles(
            reference=self.update_by or self.reference_field,
            name=self.match_on[0] if self.match_on else None,
            descriptions=self.description_fields,
            choices=frozenset(self.choices),
        )

    def value_keywords(self, code):
        """(normalized keyword, choice code) pairs of a choice field: its keywords, codes and
        labels in English and in the active language."""
        if code not in self._static_keywords:
            # Built on first use, not at import: lazy labels need the apps registry.
            with translation.override(None):  # untranslated: the English msgids
                self._static_keywords[code] = proposals.keyword_pairs(
                    self.keywords[code], {c: str(label) for c, label in self.choices[code].items()}
                )
        return self._static_keywords[code] + proposals.keyword_pairs(
            {c: [str(label)] for c, label in self.choices[code].items()}
        )

    def propose_value(self, code, text):
        """Best guess of the choice code for a cell text of a choice field, or None."""
        if code not in self.choices:
            return None
        return proposals.propose_value(self.value_keywords(code), text)

    def mapped_or_proposed(self, code, text, mapped):
        """The choice the user mapped a text to ("" for "not known"), else the guess.

        Only the spec's choices count: a posted code the wizard never offered (a status the
        import leaves out) is no choice.
        """
        choice = mapped[text] if text in mapped else self.propose_value(code, text)
        return choice if choice in self.choices[code] else None

    def choice_for(self, code, text, mapped):
        """The choice for a cell text; ValueError when there is none."""
        choice = self.mapped_or_proposed(code, text, mapped)
        if not choice:
            raise ValueError(_("“%(value)s” is not a known choice.") % {"value": text})
        return choice


# --- Services -----------------------------------------------------------------------------------


def import_start(*, spec, upload, user):
    """Keep the uploaded file privately, open an import record for it and have the worker read
    it (`parse_import`). With the broker down the record is marked failed and ValidationError
    says so."""
    if upload.size > parsing.MAX_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."))
    content = upload.read()
    # Refuses what is plainly no sheet before anything is stored; the worker reads the rest.
    parsing.check_file(content)
    name = PurePath(upload.name.replace("\\", "/")).name[:200] or "upload"
    record = spec.record_model(
        uploaded_by=user,
        file_name=name,
        sha256=hashlib.sha256(content).hexdigest(),
        status=spec.record_model.Status.PARSING,
    )
    # The stored name is ours; the user's file name is only ever displayed.
    suffix = ".xlsx" if content[:2] == b"PK" else ".csv"
    record.file.save(f"{uuid.uuid4().hex}{suffix}", ContentFile(content), save=False)
    record._history_user = user
    record.save()
    queue(spec, record, "parse_import")
    return record


def queue(spec, record, task_name):
    """Queue a task of the worker for the record, after the commit. The broker's refusal marks
    the record failed and is raised as a ValidationError."""
    from aims.core import tasks  # the task module imports this one

    task = getattr(tasks, task_name)

    try:
        # Called outside a transaction: the record is committed when the worker looks for it.
        task.delay(
            record.__class__._meta.label_lower, record.pk, language=translation.get_language()
        )
    except Exception:  # the broker's errors vary with the transport
        logger.exception("Import %s of %s not queued", task_name, record.pk)
        record_progress(record, status=record.Status.FAILED, message=NOT_QUEUED)
        raise ValidationError(NOT_QUEUED) from None


def record_progress(record, *, status=None, progress=None, message=None):
    """Write status, progress and message of an import at once (no history: bookkeeping)."""
    changes = {}
    if status is not None:
        changes["status"] = record.status = status
    if progress is not None:
        changes["progress"] = record.progress = max(0, min(100, int(progress)))
    if message is not None:
        changes["message"] = record.message = str(message)[:2000]
    type(record).objects.filter(pk=record.pk).update(**changes)


def import_parse(spec, record):
    """Read the record's file once (in the worker) and keep every sheet of it, the register's
    sheet proposed; a file that cannot be read, or passes the limits, fails the record with the
    reason."""
    Status = record.Status
    if record.status != Status.PARSING:
        return None  # read already, or imported meanwhile: a task that came twice changes nothing

    def progress(fraction):
        record_progress(record, progress=5 + 90 * fraction)

    record_progress(record, status=Status.PARSING, progress=0, message="")
    try:
        with record.file.open("rb") as f:
            content = f.read()
        parsed = parsing.read_file(content, record.file.name, spec.aliases, progress=progress)
        table = parsed.table(record.sheet or None, spec.aliases, transposed=is_transposed(record))
    except parsing.ImportFileError as refused:
        record_progress(record, status=Status.FAILED, message=str(refused))
        return None
    del content
    if record.parsed:
        record.parsed.delete(save=False)
    record.parsed.save(f"{uuid.uuid4().hex}.json", ContentFile(parsed.to_json()), save=False)
    record.sheet = table.sheet
    record.rows_total = len(table.rows)
    record.status, record.progress, record.message = Status.PARSED, 100, ""
    type(record).objects.filter(pk=record.pk).update(
        parsed=record.parsed.name,
        sheet=record.sheet,
        rows_total=record.rows_total,
        status=record.status,
        progress=100,
        message="",
    )
    return table


def imported_before(spec, record):
    """An earlier import of the very same file into the register, if any (the same SHA-256)."""
    return (
        spec.record_model.objects.filter(
            sha256=record.sha256, status=spec.record_model.Status.IMPORTED
        )
        .exclude(pk=record.pk)
        .first()
    )


def import_read(spec, record):
    """The table of the chosen sheet (read from its columns if the import is `transposed`),
    from the sheets read at upload (the upload itself is not read again). ValueError if what
    was kept is not a read file."""
    with record.parsed.open("rb") as f:
        parsed = parsing.ParsedFile.from_json(f.read())
    return parsed.table(record.sheet or None, spec.aliases, transposed=is_transposed(record))


def is_transposed(record):
    """Whether the import reads one record per column (only registers whose import records
    have the `transposed` flag offer it)."""
    return getattr(record, "transposed", False)


def sheet_choose(spec, record, sheet, transposed=False):
    """Import another sheet of the workbook, or the same one read from its columns
    (`transposed`): its table from the sheets kept at upload; the columns are mapped anew.
    Raises ImportFileError for a sheet the file lacks."""
    with record.parsed.open("rb") as f:
        parsed = parsing.ParsedFile.from_json(f.read())
    table = parsed.table(sheet, spec.aliases, transposed=transposed)
    if hasattr(record, "transposed"):
        record.transposed = transposed
    record.sheet = table.sheet
    record.rows_total = len(table.rows)
    record.column_mapping = {}
    record.save()
    return table


def proposed_columns(spec, table):
    """Column index → field code: what users saved for this register (a column they ignored
    stays ignored), then the aliases."""
    saved = remembered(spec.key)
    # The first rows are enough to tell repeated names, IDs and long text apart.
    rows = [cells for _number, cells in table.rows[:1000]]
    proposal = spec.propose_columns(table.headers, saved, rows)
    ignored = {header for header, code in saved.items() if not code}
    return {
        index: code
        for index, code in proposal.items()
        if proposals.normalize(table.headers[index]) not in ignored
    }


def column_mapping_save(*, spec, record, table, mapping, remember):
    """mapping: column index → field code. With `remember`, the headers are proposed next time
    (for this register only), and the columns left out are left out again (`remember_choices`)."""
    record.column_mapping = {str(index): code for index, code in mapping.items()}
    record.save()
    if remember:
        remember_choices(
            spec.key,
            {header: mapping.get(index, "") for index, header in enumerate(table.headers)},
        )


def remember_choices(register, choices):
    """Keep what the users chose for texts of a file (normalized text → code, "" for "none"),
    to propose it again: one mechanism for columns mapped or ignored and for values, each kept
    for the register the import fills — its columns under its key, the values of one of its
    fields under "<key>:<field>" (`remembered`). Users choose on each step whether to keep
    their choices."""
    limit = SavedColumnMapping._meta.get_field("header").max_length
    kept = {proposals.normalize(text): code for text, code in choices.items()}
    SavedColumnMapping.objects.bulk_create(
        [
            SavedColumnMapping(register=register, header=key, field=code)
            for key, code in kept.items()
            if key and len(key) <= limit
        ],
        update_conflicts=True,
        unique_fields=["register", "header"],
        update_fields=["field"],
    )


def remembered(register):
    """Normalized text → the code users chose for it before ("" for none); see
    `remember_choices`."""
    saved = SavedColumnMapping.objects.filter(register=register)
    return dict(saved.values_list("header", "field"))


def values_register(spec, code):
    """The key under which the value choices of a field of the register are remembered."""
    return f"{spec.key}:{code}"


def value_mapping_save(*, spec, record, mapping, remember):
    """mapping: field code → cell text → choice ("" for "not known"). With `remember`, the
    choices are proposed in the next import of the register too."""
    record.value_mapping = mapping
    record.save()
    if remember:
        for code, choices in mapping.items():
            remember_choices(values_register(spec, code), choices)


def distinct_values(spec, record, table):
    """For each mapped choice field: its distinct cell texts with the mapped or proposed code."""
    values = {}
    for index, code in record.column_mapping.items():
        if code not in spec.choices:
            continue
        multi = spec.kinds[code] == MULTI
        texts = set()
        for _number, cells in table.rows:
            text = cells[int(index)].strip()
            if text:
                texts.update(parsing.split_multi(text) if multi else [text])
        # This import's choices, else those made in earlier imports of the register.
        saved = remembered(values_register(spec, code))
        mapped = {
            text: saved[proposals.normalize(text)]
            for text in texts
            if proposals.normalize(text) in saved
        }
        mapped.update(record.value_mapping.get(code, {}))
        values[code] = {text: spec.mapped_or_proposed(code, text, mapped) for text in sorted(texts)}
    return values


def error_cells(spec, record, table, errors):
    """The preview's errors as [row, column in the file, its value, message]: the column and
    value of the field an error names, blank for an error of the whole row."""
    mapping = record.column_mapping.items()
    column_of = {str(spec.fields[code]): int(index) for index, code in mapping}
    cells_of = dict(table.rows)
    found = []
    for number, label, message in errors:
        index = column_of.get(str(label))
        if index is None:
            found.append([number, label, "", message])
        else:
            found.append([number, table.headers[index], cells_of[number][index], message])
    return found


@dataclass
class Preview:
    valid: list = field(default_factory=list)  # (row number, object not yet saved)
    errors: list = field(default_factory=list)  # (row number, field label, message)
    matches: list = field(default_factory=list)  # matching.Match of rows repeating entries
    notes: list = field(default_factory=list)  # (row number, remark) on valid rows
    earlier: object = None  # an earlier import of the same content

    @property
    def invalid_rows(self):
        return sorted({number for number, _label, _message in self.errors})


def import_preview(spec, record, table, *, user=None, lock=False, progress=None):
    """Every row checked as it would be imported: valid objects and per-field errors.

    An update import (`spec.update_by`) matches rows to the entries `user` may change, locked
    for the import with `lock`; two rows naming the same entry are both errors.
    `progress(fraction)` is called every few hundred rows.
    """
    existing = spec.entries_to_update(user, lock=lock) if spec.update_by else None
    users = {}
    if USER in spec.kinds.values():
        for active in get_user_model().objects.filter(is_active=True):
            for key in {active.username, active.email, active.get_full_name()}:
                if key:
                    users.setdefault(key.casefold(), []).append(active)
    taken = set()
    if spec.reference_field:
        references = spec.model._default_manager.values_list(spec.reference_field, flat=True)
        taken = {reference.casefold() for reference in references}
    preview = Preview()
    built = []
    for position, (number, cells) in enumerate(table.rows, start=1):
        if progress and position % 250 == 0:
            progress(position / len(table.rows))
        obj, errors = build(spec, record, cells, users, taken, existing)
        reference = not (errors or spec.update_by) and spec.reference_field
        if reference and getattr(obj, reference):
            # Taken at once: a later row of the file with the same reference is an error.
            taken.add(getattr(obj, reference).casefold())
        built.append((number, obj, errors))
    if spec.update_by:
        duplicate_rows(spec, built)
    for number, obj, errors in built:
        if errors:
            preview.errors.extend((number, label, message) for label, message in errors)
        else:
            preview.valid.append((number, obj))
    if not spec.update_by:
        matching.remember_fingerprint(record, table)
        preview.earlier = matching.earlier_import(spec, record)
        preview.matches = matching.find_matches(spec, record, preview.valid, user)
    if spec.notes:
        preview.notes = [
            (number, note) for number, obj in preview.valid for note in spec.notes(obj)
        ]
    return preview


def build(spec, record, cells, users, taken, existing=None):
    """The row's object, not saved, and its errors as (field label, message) pairs. An update
    import's object is the existing entry the row names (None if it names none), with the
    names of the fields the row changes in `import_changed`."""
    if spec.update_by:
        obj, error = entry_named(spec, record, cells, users, existing)
        if obj is None:
            return None, [(str(error[0]), error[1])]
    else:
        obj = spec.model(**({spec.source_field: record} if spec.source_field else {}))
    obj.import_deferred = {}
    obj.import_changed = []
    errors = []
    failed = set()  # fields with an error already: one cause, one error
    for index, code in record.column_mapping.items():
        if code == spec.update_by:
            continue
        model_field = spec.model_field(code)
        try:
            value = convert(spec, record, code, cells[int(index)].strip(), users)
        except ValueError as error:
            errors.append((spec.fields[code], str(error)))
            failed.add(code)
            continue
        if value is None:
            continue
        if isinstance(value, people.NamedPerson):
            name_field, email_field = spec.named_persons[code]
            setattr(obj, name_field, value.name)
            setattr(obj, email_field, value.email)
            continue
        if model_field.many_to_many:
            obj.import_deferred[code] = value
            continue
        stored = getattr(obj, model_field.attname)
        if stored != (value.pk if model_field.is_relation else value):
            obj.import_changed.append(code)
        setattr(obj, model_field.name if model_field.is_relation else model_field.attname, value)
    if spec.update_by and obj.import_changed and spec.source_field:
        setattr(obj, spec.source_field, record)
    reference = not spec.update_by and spec.reference_field and getattr(obj, spec.reference_field)
    if reference and reference.casefold() in taken:
        errors.append(
            (
                spec.label(spec.reference_field),
                _("The reference %(reference)s is already used.") % {"reference": reference},
            )
        )
        failed.add(spec.reference_field)
    if spec.finish and not errors:
        try:
            spec.finish(obj)
        except ValidationError as invalid:
            errors.extend(validation_errors(spec, invalid))
            failed.update(getattr(invalid, "error_dict", ()))
        except ValueError as error:
            errors.append(("", str(error)))
    for model_field in spec.model._meta.fields:
        # A TextField's max_length binds forms only; an import must keep to it too.
        text = getattr(obj, model_field.attname)
        if isinstance(model_field, models.TextField) and len(text or "") > model_field.max_length:
            errors.append(
                (
                    spec.label(model_field.name),
                    _("At most %(limit)d characters; this cell has %(length)d.")
                    % {"limit": model_field.max_length, "length": len(text)},
                )
            )
            failed.add(model_field.name)
    # Related objects set here come from our own look-ups; checking each would cost a query.
    # Fields with an error are not checked again ("This field cannot be blank" after "not a
    # known choice").
    related = [f.name for f in spec.model._meta.fields if f.is_relation and getattr(obj, f.attname)]
    exclude = [*related, *failed]
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as invalid:
        errors.extend(validation_errors(spec, invalid))
    return obj, [(str(label), message) for label, message in errors]


def entry_named(spec, record, cells, users, existing):
    """The existing entry a row of an update import names, as a copy of its own, or None and
    the (field label, message) saying why there is none."""
    code, label = spec.update_by, spec.fields[spec.update_by]
    index = next((int(i) for i, mapped in record.column_mapping.items() if mapped == code), None)
    text = cells[index].strip() if index is not None else ""
    if not text:
        return None, (label, _("Empty: the row must name the entry it updates."))
    try:
        value = convert(spec, record, code, text, users)
    except ValueError as error:
        return None, (label, str(error))
    entry = existing.get(getattr(value, "pk", value))
    if entry is None:
        return None, (
            label,
            _("“%(value)s” names no entry you may change.") % {"value": text},
        )
    return copy.copy(entry), None


def duplicate_rows(spec, built):
    """Rows of an update import that name the same entry are errors, each of them: which one
    is meant cannot be told, so neither is applied."""
    attname = spec.model_field(spec.update_by).attname
    rows = {}
    for number, obj, _errors in built:
        if obj is not None:
            rows.setdefault(getattr(obj, attname), []).append(number)
    for number, obj, errors in built:
        if obj is None or len(rows[getattr(obj, attname)]) < 2:
            continue
        others = [str(other) for other in rows[getattr(obj, attname)] if other != number]
        errors.append(
            (
                str(spec.fields[spec.update_by]),
                ngettext(
                    "Row %(rows)s names the same entry; keep one row per entry.",
                    "Rows %(rows)s name the same entry; keep one row per entry.",
                    len(others),
                )
                % {"rows": ", ".join(others)},
            )
        )


def validation_errors(spec, invalid):
    """(field label, message) pairs of a ValidationError; "" for errors of the whole row."""
    if not hasattr(invalid, "error_dict"):
        return [("", message) for message in invalid.messages]
    return [
        (spec.label(name) if name != NON_FIELD_ERRORS else "", message)
        for name, messages in invalid.message_dict.items()
        for message in messages
    ]


def convert(spec, record, code, text, users):
    """The cell's value for the model field, or ValueError with a message for the user."""
    shapes.refuse_formula(text)
    kind = spec.kinds[code]
    if kind == PARSER:
        return spec.parsers[code](text)
    if kind == BOOL:
        return parsing.parse_bool(text)
    if kind == DATE:
        return parsing.parse_date(text)
    if kind == INT:
        return parsing.parse_int(text)
    if not text:
        return None
    mapped = record.value_mapping.get(code, {})
    if kind == CHOICE:
        return spec.choice_for(code, text, mapped)
    if kind == MULTI:
        parts = parsing.split_multi(text)
        return list(dict.fromkeys(spec.choice_for(code, part, mapped) for part in parts))
    if kind == USER and code in spec.named_persons:
        return people.owner_or_person(text, users, user_named)
    if kind == USER:
        return user_named(text, users)
    if type(spec.model_field(code)) is models.CharField:  # single-line fields
        try:
            single_line(text)
        except ValidationError as invalid:
            raise ValueError(invalid.messages[0]) from None
    return text


def entries_named(queryset, text, *, fields, unknown):
    """The entries a multi-valued cell names ("AIS-001, Chatbot"), each once, in order; each
    name is looked up, ignoring case, in `fields` one after the other. For a parser of a
    reference: a name that fits no entry or several is a ValueError with `unknown` (a message
    with %(value)s) naming it, so an unknown reference is an error of its row, never dropped.
    None for an empty cell."""
    names = parsing.split_multi(text)
    if not names:
        return None
    entries = []
    for name in names:
        matches = []
        for field_name in fields:
            matches = list(queryset.filter(**{f"{field_name}__iexact": name})[:2])
            if matches:
                break
        if len(matches) != 1:
            raise ValueError(unknown % {"value": name})
        if matches[0] not in entries:
            entries.append(matches[0])
    return entries


def user_named(text, users):
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


def import_start_run(*, spec, record, user, skip_invalid):
    """Have the worker import the mapped file (`run_import`); the record shows its progress.
    Refuses an import that is running or done, and says so when the broker is down."""
    Status = record.Status
    with transaction.atomic():
        locked = spec.record_model.objects.select_for_update().get(pk=record.pk)
        if locked.status == Status.IMPORTED:
            raise ValidationError(_("This file has been imported already."))
        if locked.status == Status.IMPORTING:
            raise ValidationError(_("This file is being imported."))
        if locked.status != Status.PARSED:
            raise ValidationError(_("The file has not been read yet."))
        record_progress(record, status=Status.IMPORTING, progress=0, message="")
    from aims.core import tasks

    try:
        tasks.run_import.delay(
            record._meta.label_lower,
            record.pk,
            user.pk,
            bool(skip_invalid),
            language=translation.get_language(),
        )
    except Exception:  # the broker's errors vary with the transport
        logger.exception("Import %s not queued", record.pk)
        # Back to the preview: the user may try again once the broker is back.
        record_progress(record, status=Status.PARSED)
        raise ValidationError(NOT_QUEUED) from None


def import_in_worker(*, spec, record, user, skip_invalid):
    """The worker's part of an import: check every row (with progress), then save. A refusal
    goes back to the preview with its message; the result is the number saved."""
    Status = record.Status
    if record.status != Status.IMPORTING:
        return None  # a task that came twice, or an import no longer confirmed
    preview = None
    if not spec.update_by:
        # Checked before the transaction, so that the progress shows; an update import checks
        # inside it, with the entries locked.
        preview = import_preview(
            spec,
            record,
            import_read(spec, record),
            user=user,
            progress=lambda fraction: record_progress(record, progress=90 * fraction),
        )
    try:
        count = import_run(
            spec=spec, record=record, user=user, skip_invalid=skip_invalid, preview=preview
        )
    except ValidationError as refused:
        record_progress(record, status=Status.PARSED, message=" ".join(refused.messages))
        return None
    record_progress(record, progress=100)
    return count


def import_run(*, spec, record, user, skip_invalid, preview=None):
    """Create the valid rows' objects in one transaction (an update import: save the entries
    the rows change); refuse while invalid rows are not explicitly skipped. Returns the number
    of objects created or updated. `preview`: the rows of an import that creates entries,
    checked before."""
    with transaction.atomic():
        record = spec.record_model.objects.select_for_update().get(pk=record.pk)
        if record.status == record.Status.IMPORTED:
            raise ValidationError(_("This file has been imported already."))
        if preview is None or spec.update_by:
            table = import_read(spec, record)
            preview = import_preview(spec, record, table, user=user, lock=True)
        if preview.errors and not skip_invalid:
            raise ValidationError(
                _("Some rows are invalid. Skip them explicitly, or fix the file.")
            )
        if not preview.valid:
            raise ValidationError(_("No row can be imported."))
        matches = {match.number: match for match in preview.matches}
        updates = [match for match in matches.values() if match.action == matching.UPDATE]
        skipped = [match for match in matches.values() if match.action == matching.SKIP]
        objects = [
            obj
            for number, obj in preview.valid
            if number not in matches or matches[number].action == matching.CREATE
        ]
        if not (objects or updates):
            raise ValidationError(
                _("Every row repeats an entry of the register: there is nothing to import.")
            )
        updated = [matching.apply_update(spec, record, match, user) for match in updates]
        if spec.update_by:
            created = entries_update(objects, user)
        else:
            assign_references(spec, objects)
            try:
                with transaction.atomic():
                    created = bulk_create_with_history(
                        objects, spec.model, batch_size=500, default_user=user
                    )
            except IntegrityError:
                raise ValidationError(
                    _("Someone added %(items)s with the same references meanwhile. Import again.")
                    % {"items": spec.verbose_name_plural}
                ) from None
            grant_owner_permissions_in_bulk(spec.model, created)
        if spec.after_create:
            spec.after_create(created, record=record, user=user)
        if not spec.update_by and registry.get(spec.model):
            # Bulk creation sends no post_save: the global search learns of the new entries
            # here (updated entries are saved one by one and indexed by the signal).
            index_objects(spec.model, created)
        record.status = record.Status.IMPORTED
        record.progress = 100
        record.message = ""
        record.rows_imported = len(created) + len(updated)
        record.rows_skipped = len(preview.invalid_rows) + len(skipped)
        record.imported_at = timezone.now()
        record._history_user = user
        record.save()
    return len(created) + len(updated)


def entries_update(objects, user):
    """Save the entries an update import changes (one history record each, in the importer's
    name); rows that change nothing leave their entry as it is."""
    changed = [obj for obj in objects if obj.import_changed]
    for obj in changed:
        obj._history_user = user
        obj.save()
    return changed


def assign_references(spec, objects):
    """The next free references for the objects left without one, in row order."""
    prefix = getattr(spec.model, "reference_prefix", None)
    if not (spec.reference_field and prefix):
        return
    name = spec.reference_field
    used = set(spec.model._default_manager.values_list(name, flat=True))
    used.update(getattr(obj, name) for obj in objects)
    number = int(spec.model.next_reference().rsplit("-", 1)[1])
    for obj in objects:
        while not getattr(obj, name):
            candidate = f"{prefix}-{number:0{spec.model.reference_digits}d}"
            number += 1
            if candidate not in used:
                setattr(obj, name, candidate)
