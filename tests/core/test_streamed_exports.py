"""Register exports are streamed row by row, and what they hold is what the exports held when
they were built in memory: byte for byte in CSV, cell for cell (and part for part of the
file, but for its timestamps) in XLSX, for every register of the demo data, as the compliance
officer and as a scoped system owner, in English and German. The reference below is the
in-memory export it replaced, kept here as the oracle."""

import csv
import io
import zipfile
from datetime import date, datetime

import django_tables2 as tables
import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.management import call_command
from django.db import connection
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_str
from django.utils.text import capfirst
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from aims.core import activity
from aims.core.models import User
from aims.core.permissions import perm_name
from aims.core.registry import registry
from aims.core.views import RegisterExportView
from tests.conftest import REGISTER_IDS, REGISTERS
from tests.factories import REGISTER_FACTORIES, ContextIssueFactory

# Text a spreadsheet program would run as a formula, each start OWASP lists.
FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1",
    "-2",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]
LANGUAGES = ["en", "de"]
PERSONAS = ["compliance", "owner"]  # seed_demo's compliance officer and system owner

# The in-memory export (the oracle) ---------------------------------------------------------

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def neutralize(value):
    text = as_text(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def reference_export_table(table, fmt, filename, user):
    rows = scoped_values(table, user)
    rows[0] = [capfirst(force_str(header)) for header in rows[0]]
    return reference_export_rows(rows, fmt, filename)


def scoped_values(table, user):
    columns = [
        column for column in table.columns.iterall() if not column.column.exclude_from_export
    ]
    for column in columns:
        if isinstance(column.column, tables.ManyToManyColumn):
            column.column.filter = scoped_filter(column.column.filter, user)
    model = getattr(table._meta, "model", None)
    keys = {column.name: related_field(model, column.accessor) for column in columns}
    values = [[force_str(column.header, strings_only=True) for column in columns]]
    for row in table.rows:
        values.append(
            [
                ""
                if keys[column.name] is not None
                and not may_view(user, row.record, keys[column.name])
                else force_str(row.get_cell_value(column.name), strings_only=True)
                for column in columns
            ]
        )
    return values


def related_field(model, accessor):
    if model is None or not accessor:
        return None
    try:
        field = model._meta.get_field(str(accessor).replace("__", ".").split(".")[0])
    except FieldDoesNotExist:
        return None
    if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
        return None
    return field if hasattr(field.related_model._default_manager, "restrict") else None


def scoped_filter(original, user):
    def scoped(related_manager):
        queryset = original(related_manager)
        visible = queryset.model._default_manager.restrict(user)
        return queryset.filter(pk__in=visible.values("pk"))

    return scoped


def may_view(user, record, field):
    pk = getattr(record, field.attname, None)
    if pk is None:
        return True
    model = field.related_model
    if user.has_perm(perm_name(model, "view")):
        return True
    return model._default_manager.restrict(user).filter(pk=pk).exists()


def reference_export_rows(rows, fmt, filename):
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows([neutralize(v) for v in row] for row in rows)
        content = "\ufeff" + buffer.getvalue()
        content_type = "text/csv; charset=utf-8"
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows:
            sheet.append([text_cell(sheet, v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def text_cell(sheet, value):
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = formats.get_format("XLSX_DATETIME_FORMAT")
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = formats.get_format("XLSX_DATE_FORMAT")
        return cell
    cell = WriteOnlyCell(sheet, value=as_text(value))
    cell.data_type = "s"
    return cell


def reference_register_export(register, user, fmt, language):
    """What the export view answered before: the same table the view builds, in memory."""
    request = RequestFactory().get("/")
    request.user = user
    view = RegisterExportView(register=register)
    view.setup(request, fmt=fmt)
    with translation.override(language):
        table, _filterset = view.filtered_table()
        filename = f"{register.url_prefix or register.model_name}-{timezone.localdate()}"
        return reference_export_table(table, fmt, filename, user)


def reference_activity_export(user, fmt, language):
    with translation.override(language):
        rows = activity.activity(user, {})
        headers = ["When", "Who", "What", "Register", "Entry", "Changes"]
        table = [[translation.gettext(header) for header in headers]]
        total = rows.count()
        for start in range(0, total, activity.EXPORT_CHUNK):
            for entry in activity.describe(list(rows[start : start + activity.EXPORT_CHUNK]), user):
                changes = "; ".join(
                    f"{capfirst(label)}: {old} → {new}" for label, old, new in entry["changes"]
                )
                keys = ("when", "who", "action", "register", "entry")
                table.append([entry[key] for key in keys] + [changes])
        return reference_export_rows(table, fmt, "activity-log")


# Comparing ---------------------------------------------------------------------------------


def body(response):
    assert response.streaming, "an export is streamed"
    return b"".join(response.streaming_content)


def parts(content):
    """The XLSX file's parts but for docProps/core.xml, which holds the time it was written."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name) for name in archive.namelist() if name != "docProps/core.xml"
        }


def cells(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [
        [(cell.value, cell.data_type, cell.number_format) for cell in row]
        for row in sheet.iter_rows()
    ]


def differences(streamed, reference, fmt):
    """What differs between the streamed response and the reference one (empty: nothing)."""
    found = []
    for header in ("Content-Type", "Content-Disposition"):
        if streamed[header] != reference[header]:
            found.append((header, streamed[header], reference[header]))
    content = body(streamed)
    if fmt == "csv":
        if content != reference.content:
            found.append(("bytes", content[:300], reference.content[:300]))
    else:
        if cells(content) != cells(reference.content):
            found.append(("cells", cells(content)[:3], cells(reference.content)[:3]))
        if parts(content) != parts(reference.content):
            found.append(("parts", sorted(parts(content)), sorted(parts(reference.content))))
    return found


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())
    # Text that looks like formulas, among the demo data.
    for title in FORMULAS:
        ContextIssueFactory(title=title, description=title)
    return {user.username: user for user in User.objects.filter(username__in=PERSONAS)}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_register_exports_what_it_exported_before(client, demo, persona, language):
    user = demo[persona]
    client.force_login(user)
    found = {}
    for register in registry:
        for fmt in ("csv", "xlsx"):
            streamed = client.get(
                reverse(register.url_name("export"), args=[fmt]), HTTP_ACCEPT_LANGUAGE=language
            )
            assert streamed.status_code == 200, (register.model_name, fmt)
            reference = reference_register_export(register, user, fmt, language)
            if difference := differences(streamed, reference, fmt):
                found[register.model_name, fmt] = difference
    assert found == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_activity_log_exports_what_it_exported_before(client, compliance_officer, language):
    for title in FORMULAS:
        issue = ContextIssueFactory(title="Issue", description="x")
        issue.title = title  # a change, with a formula in its new value
        issue.save()
    client.force_login(compliance_officer)
    for fmt in ("csv", "xlsx"):
        streamed = client.get(
            reverse("core:activity_export", args=[fmt]), HTTP_ACCEPT_LANGUAGE=language
        )
        reference = reference_activity_export(compliance_officer, fmt, language)
        assert differences(streamed, reference, fmt) == []


@pytest.mark.parametrize("title", FORMULAS, ids=repr)
def test_formulas_are_neutralised_in_both_formats(client, compliance_officer, title):
    ContextIssueFactory(title=title)
    client.force_login(compliance_officer)
    url = reverse("context:contextissue_export", args=["csv"])
    text = body(client.get(url)).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["'" + title]
    content = body(client.get(reverse("context:contextissue_export", args=["xlsx"])))
    cell = load_workbook(io.BytesIO(content)).active.cell(row=2, column=2)
    # Text, not a formula (XML reads a carriage return back as a line feed).
    assert (cell.value, cell.data_type) == (title.replace("\r", "\n"), "s")


def test_csv_is_a_streaming_response_and_xlsx_a_streamed_file(client, compliance_officer):
    ContextIssueFactory()
    client.force_login(compliance_officer)
    csv_response = client.get(reverse("context:contextissue_export", args=["csv"]))
    assert isinstance(csv_response, StreamingHttpResponse)
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    xlsx_response = client.get(reverse("context:contextissue_export", args=["xlsx"]))
    assert isinstance(xlsx_response, FileResponse)
    assert xlsx_response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    disposition = f'attachment; filename="issues-{timezone.localdate()}.xlsx"'
    assert xlsx_response["Content-Disposition"] == disposition
    assert load_workbook(io.BytesIO(body(xlsx_response))).active.max_row == 2


def test_the_header_row_leaves_before_any_row_is_read(client, compliance_officer):
    ContextIssueFactory(title="Energy use")
    client.force_login(compliance_officer)
    response = client.get(reverse("context:contextissue_export", args=["csv"]))
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as captured:
        first = next(chunks)
    assert first.decode("utf-8").startswith("\ufeffReference,Title,")
    assert len(captured) == 0
    assert b"Energy use" in b"".join(chunks)


def export_queries(client, register, fmt):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(register.url_name("export"), args=[fmt]))
        assert response.status_code == 200
        body(response)
    return len(captured)


def entries(register, count, user):
    """`count` entries of the register; the user owns them where the register has owners."""
    owner_field = getattr(register.model, "owner_field", None)
    owned = {owner_field: user} if owner_field else {}
    return REGISTER_FACTORIES[register.model].create_batch(count, **owned)


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_export_queries_do_not_grow_with_rows(client, compliance_officer, system_owner, register):
    """One row or thirty, as the compliance officer and as a system owner who sees their own
    entries but not all related objects (their cells stay empty)."""
    entries(register, 1, system_owner)
    readers = [compliance_officer]
    client.force_login(system_owner)
    if client.get(reverse(register.url_name("export"), args=["csv"])).status_code == 200:
        readers.append(system_owner)
    counts = {}
    for user in readers:
        client.force_login(user)
        export_queries(client, register, "csv")  # fills the process's caches (content types)
        counts[user.username] = [export_queries(client, register, "csv")]
    entries(register, 29, system_owner)
    for user in readers:
        client.force_login(user)
        counts[user.username].append(export_queries(client, register, "csv"))
        counts[user.username].append(export_queries(client, register, "xlsx"))
    for user, (one_row, thirty_rows, thirty_rows_xlsx) in counts.items():
        assert one_row == thirty_rows == thirty_rows_xlsx, user
