"""The import wizard, for every register with an `ImportSpec`: upload, map the columns, map
the values, check and import.

An app adds the wizard to its urls.py with `*import_urlpatterns(SPEC)`; the URL names are
`<app>:import_upload`, `<app>:import_columns`, `<app>:import_values` and
`<app>:import_preview`, and `<app>:import_status` for the worker's progress. Whoever may add
entries to the register may import; an import in progress is its uploader's only (others get
404), a finished one shows its record page.

The worker reads the file once after the upload and runs the import after the check
(aims/core/tasks.py); meanwhile the status page shows a progress bar that polls a fragment.
"""

from collections import Counter
from contextlib import suppress

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from aims.core.display import display_value
from aims.core.exports import export_rows
from aims.core.forms import style_widgets
from aims.core.imports import parsing, services
from aims.core.permissions import can
from aims.core.uploads import limit_upload

ERRORS_PER_PAGE = 100


def import_urlpatterns(spec, prefix="imports"):
    """The wizard's URLs for the register of `spec`, to include in the app's urlpatterns."""
    steps = (
        ("new/", import_upload, "import_upload"),
        ("<int:pk>/columns/", import_columns, "import_columns"),
        ("<int:pk>/values/", import_values, "import_values"),
        ("<int:pk>/preview/", import_preview, "import_preview"),
        ("<int:pk>/status/", import_status, "import_status"),
    )
    return [
        path(f"{prefix}/{route}", view, {"spec": spec}, name=name) for route, view, name in steps
    ]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy(
            "CSV (UTF-8 or Windows-1252, comma or semicolon) or XLSX, at most 10 MB."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.xlsx"


def require_importer(request, spec):
    # Adding entries, or (an update import) changing them.
    if not can(request.user, spec.action, spec.model):
        raise PermissionDenied


def step_url(request, step, record):
    """A wizard step's URL in the namespace the wizard was reached under."""
    return reverse(f"{request.resolver_match.namespace}:{step}", args=[record.pk])


def own_import(request, spec, pk):
    require_importer(request, spec)
    # An import is its uploader's until it is done; others see the record, not the wizard.
    records = spec.record_model.objects.restrict(request.user).filter(uploaded_by=request.user)
    return get_object_or_404(records, pk=pk)


def open_import(request, spec, pk):
    """The user's own import and its table, read at upload; (record, None) while the worker
    reads or imports it, or when it is done (`elsewhere` says where to go)."""
    record = own_import(request, spec, pk)
    Status = record.Status
    if record.status == Status.IMPORTED:
        messages.info(request, _("This file has been imported already."))
        return record, None
    if record.status != Status.PARSED:
        return record, None
    try:
        return record, services.import_read(spec, record)
    except (ValueError, FileNotFoundError, parsing.ImportFileError):
        # Kept in an older form, or lost: read the upload again.
        services.record_progress(record, status=Status.PARSING, progress=0)
        with suppress(ValidationError):  # the record says why
            services.queue(spec, record, "parse_import")
        return record, None


def elsewhere(request, record):
    """Where an import goes that the wizard's steps cannot show: its record page when done,
    else its progress."""
    if record.status == record.Status.IMPORTED:
        return redirect(record)
    return redirect(step_url(request, "import_status", record))


@login_required
@limit_upload(lambda: parsing.MAX_BYTES)
def import_upload(request, spec):
    require_importer(request, spec)

    def started(record):
        earlier = services.imported_before(spec, record)
        if earlier and not spec.update_by:
            messages.warning(
                request,
                _(
                    "This very file was imported before (%(import)s). Importing it again "
                    "creates the %(items)s a second time."
                )
                % {"import": earlier, "items": spec.verbose_name_plural},
            )
        return redirect(step_url(request, "import_status", record))

    return upload_step(request, spec, started)


def upload_step(request, spec, started):
    """The upload form: a valid file starts the import and `started(record)` answers; a refused
    one is named at the file field."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.import_start(
                spec=spec, upload=form.cleaned_data["file"], user=request.user
            )
        except (ValidationError, parsing.ImportFileError) as refused:
            form.add_error("file", " ".join(getattr(refused, "messages", [str(refused)])))
        else:
            return started(record)
    return render(request, "core/import_upload.html", {"form": form, "spec": spec})


@login_required
def import_columns(request, spec, pk):
    record, table = open_import(request, spec, pk)
    if table is None:
        return elsewhere(request, record)
    if request.method == "POST" and request.POST.get("sheet", record.sheet) != record.sheet:
        return choose_sheet(request, spec, record)
    if request.method == "POST" and "transpose" in request.POST:
        # Records in columns, or back in rows: the same sheet read the other way.
        services.sheet_choose(spec, record, table.sheet, transposed=not table.transposed)
        return redirect(step_url(request, "import_columns", record))
    fields = spec.fields
    proposed = services.proposed_columns(spec, table)
    error = ""
    if request.method == "POST":
        mapping = {
            index: request.POST.get(f"column-{index}", "") for index in range(len(table.headers))
        }
        mapping = {index: code for index, code in mapping.items() if code in fields}
        duplicates = [code for code, n in Counter(mapping.values()).items() if n > 1]
        missing = [code for code in spec.required if code not in mapping.values()]
        if duplicates:
            error = _("Each field can take one column only: %(fields)s.") % {
                "fields": ", ".join(str(fields[code]) for code in duplicates)
            }
        elif missing:
            error = _("Choose a column for: %(fields)s.") % {
                "fields": ", ".join(str(fields[code]) for code in missing)
            }
        else:
            services.column_mapping_save(
                spec=spec,
                record=record,
                table=table,
                mapping=mapping,
                remember=bool(request.POST.get("remember")),
            )
            return redirect(step_url(request, "import_values", record))
        proposed = mapping
    elif record.column_mapping:
        proposed = {int(k): v for k, v in record.column_mapping.items()}
    columns = [
        {
            "index": index,
            "header": header,
            "samples": [cells[index] for _number, cells in table.rows[:3]],
            "field": proposed.get(index, ""),
        }
        for index, header in enumerate(table.headers)
    ]
    return render(
        request,
        "core/import_columns.html",
        {
            "spec": spec,
            "record": record,
            "table": table,
            "columns": columns,
            "fields": fields.items(),
            # Every field the register needs, each marked whether a column fills it yet.
            "required": [(fields[code], code in proposed.values()) for code in spec.required],
            "error": error,
            # Only registers whose import records keep the flag read records from columns.
            "offer_transpose": hasattr(record, "transposed")
            and (table.transposed or table.looks_transposed),
        },
    )


def choose_sheet(request, spec, record):
    """Import another sheet of the workbook, from the sheets read at upload."""
    try:
        services.sheet_choose(spec, record, request.POST["sheet"])
    except parsing.ImportFileError as refused:
        messages.error(request, str(refused))
    return redirect(step_url(request, "import_columns", record))


@login_required
def import_values(request, spec, pk):
    record, table = open_import(request, spec, pk)
    if table is None:
        return elsewhere(request, record)
    values = services.distinct_values(spec, record, table)
    if not values:
        return redirect(step_url(request, "import_preview", record))
    if request.method == "POST":
        mapping = {
            code: {
                text: request.POST.get(f"value-{code}-{position}", "")
                for position, text in enumerate(texts)
            }
            for code, texts in values.items()
        }
        services.value_mapping_save(
            spec=spec, record=record, mapping=mapping, remember=bool(request.POST.get("remember"))
        )
        return redirect(step_url(request, "import_preview", record))
    groups = [
        {
            "code": code,
            "label": spec.fields[code],
            "values": [
                (position, text, proposed)
                for position, (text, proposed) in enumerate(texts.items())
            ],
            "choices": list(spec.choices[code].items()),
        }
        for code, texts in values.items()
    ]
    return render(
        request,
        "core/import_values.html",
        {"spec": spec, "record": record, "groups": groups},
    )


@login_required
def import_preview(request, spec, pk):
    record, table = open_import(request, spec, pk)
    if table is None:
        return elsewhere(request, record)
    if request.method == "POST":
        # What to do with each row that repeats an entry (matching.Match.actions).
        chosen = {
            key.removeprefix("duplicate-"): value
            for key, value in request.POST.items()
            if key.startswith("duplicate-")
        }
        if chosen and hasattr(record, "duplicate_actions"):
            record.duplicate_actions = chosen
            record.save()
        try:
            services.import_start_run(
                spec=spec,
                record=record,
                user=request.user,
                skip_invalid=bool(request.POST.get("skip_invalid")),
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            return redirect(step_url(request, "import_status", record))
    preview = services.import_preview(spec, record, table, user=request.user)
    if request.GET.get("errors") == "csv":
        # Every error, to fix the file with: row, column, value and message.
        rows = [[_("Row"), _("Column"), _("Value"), _("Problem")]]
        rows += services.error_cells(spec, record, table, preview.errors)
        return export_rows(rows, "csv", _("import-errors"))
    errors = Paginator(preview.errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    model_fields = [spec.model_field(code) for code in spec.preview_fields]
    return render(
        request,
        "core/import_preview.html",
        {
            "spec": spec,
            "record": record,
            "preview": preview,
            "sample_labels": [spec.fields.get(f.name, f.verbose_name) for f in model_fields],
            "sample": [
                (number, [display_value(f, getattr(obj, f.name)) for f in model_fields])
                for number, obj in preview.valid[:20]
            ],
            "errors": errors,
            "matches": preview.matches[:500],
            "notes": preview.notes[:500],
            "earlier": preview.earlier,
            "columns_url": step_url(request, "import_columns", record),
        },
    )


def done_message(spec, record):
    """What an import achieved: "12 AI systems imported." or "3 entries updated."."""
    count = record.rows_imported
    if spec.update_by:
        return ngettext("%(count)d entry updated.", "%(count)d entries updated.", count) % {
            "count": count
        }
    items = spec.model._meta.verbose_name if count == 1 else spec.verbose_name_plural
    return _("%(count)d %(items)s imported.") % {"count": count, "items": items}


@login_required
def import_status(request, spec, pk):
    """The worker's progress on an import: a page, and the fragment it polls every second
    until the work is done; then a link to the next step."""
    record = own_import(request, spec, pk)
    Status = record.Status
    if record.status == Status.PARSED and record.message:
        next_url, next_label = step_url(request, "import_preview", record), _("Back to the check")
    elif record.status == Status.PARSED:
        next_url, next_label = step_url(request, "import_columns", record), _("Map the columns")
    elif record.status == Status.IMPORTED:
        next_url, next_label = record.get_absolute_url(), _("Show the import")
    elif record.status == Status.FAILED:
        next_url = reverse(f"{request.resolver_match.namespace}:import_upload")
        next_label = _("Upload a file")
    else:
        next_url = next_label = ""
    context = {
        "spec": spec,
        "record": record,
        "running": record.status in (Status.PARSING, Status.IMPORTING),
        "failed": record.status == Status.FAILED,
        "done": done_message(spec, record) if record.status == Status.IMPORTED else "",
        "next_url": next_url,
        "next_label": next_label,
        "status_url": step_url(request, "import_status", record),
    }
    if request.headers.get("HX-Request"):
        return render(request, "core/import_progress.html", context)
    return render(request, "core/import_status.html", context)
