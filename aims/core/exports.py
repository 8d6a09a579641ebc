"""CSV and XLSX export of a register table, safe to open in a spreadsheet, streamed row by
row: memory stays flat however long the register, and a CSV file's first bytes leave at once."""

import csv
import io
import tempfile
from datetime import date, datetime
from functools import lru_cache

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_str
from django.utils.html import conditional_escape
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES

from aims.core.permissions import perm_name
from aims.core.table_rows import (
    CompiledRow,
    RelatedItems,
    cells_of,
    label_of,
    with_related_lists,
)

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Records read (and their other relations prefetched) per query while an export streams.
CHUNK_SIZE = 1000
CSV_CHUNK_BYTES = 64 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def as_text(value):
    """Cell text: dates and times in the reader's format, '' for nothing."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return short_date(value, translation.get_language())
    return str(value)


@lru_cache(maxsize=4096)
def short_date(value, language):
    """A date in the reader's short format (`language` is the active one, keying the cache):
    a register's rows repeat few dates, and formatting one costs more than the rest of a cell."""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def neutralize(value):
    text = value if type(value) is str else as_text(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def export_table(table, fmt, filename, user=None):
    """The table as a download; with `user`, the cells name related objects only as far as
    the user may view them (the rows are the user's already)."""
    return export_rows(table_rows(table, user), fmt, filename)


def table_rows(table, user=None):
    """`table.as_values()` read from the database in chunks, a header row first, each header
    the field's verbose name capitalised as the list page shows it. With `user`, a
    many-to-many column lists only the objects the user may view, and a cell showing one
    related object (a foreign key) stays empty when the user may not view it, as the object's
    own page would answer 404."""
    columns = [
        column for column in table.columns.iterall() if not column.column.exclude_from_export
    ]
    model = getattr(table._meta, "model", None)
    keys = [None] * len(columns)
    visible = None
    if user is not None:
        visible = VisibleObjects(user)
        for column in columns:
            if isinstance(column.column, tables.ManyToManyColumn):
                # The table's columns are its own copies: changing one changes no other table.
                column.column.filter = scoped_filter(column.column.filter, visible)
        keys = [related_field(model, column.accessor) for column in columns]
    yield [capfirst(force_str(column.header)) for column in columns]
    readers = {}  # record class -> a reader per column
    for row in streamed_rows(table):
        record = row.record
        if type(row) is CompiledRow and isinstance(record, models.Model):
            cls = type(record)
            if cls not in readers:
                # Compiled with the first record, in the language the export is written in.
                readers[cls] = [
                    visible_only(cell_reader(table, column, record), key, visible)
                    for column, key in zip(columns, keys, strict=True)
                ]
            values = [read(record, row) for read in readers[cls]]
        else:
            values = [
                ""
                if key is not None and not visible.may_view_key(record, key)
                else row.get_cell_value(column.name)
                for column, key in zip(columns, keys, strict=True)
            ]
        yield [
            value if type(value) is str else force_str(value, strings_only=True) for value in values
        ]


def cell_reader(table, bound_column, record):
    """A function (record, row) -> the row's export value of the column, as
    `row.get_cell_value` gives it: for the common columns (a field, a choice's label, a
    many-to-many list) worked out once per export rather than per cell; for the others the
    row's own `get_cell_value`."""
    name = bound_column.name
    cell = cells_of(table)[name]
    plan, column = cell.plan, cell.column

    def from_row(record, row):
        return row.get_cell_value(name)

    export = exported(table, cell)
    # A record read by index first (as the accessor would) is left to the row.
    if not plan.simple or plan.path or hasattr(type(record), "__getitem__"):
        return from_row
    empty_values = column.empty_values
    if plan.listed is not None:
        listed = plan.listed
        export = related_text(column) if is_plain_many_to_many(cell) else export

        def many(record, row):
            items = record.__dict__.get(listed)
            if items is None:
                return from_row(record, row)
            return export(RelatedItems(items), record, row) if items else None

        return many
    if plan.many:
        return from_row
    if plan.shows_label(record, record):
        labels = plan.choice_labels(type(record))
        if labels is None:
            return from_row
        attname, choices = labels

        def label(record, row):
            text = label_of(choices, getattr(record, attname))
            return None if text in empty_values else export(text, record, row)

        return label
    if plan.text_link and column.text is not None:
        return from_row
    attribute = plan.remainder

    def field(record, row):
        try:
            value = getattr(record, attribute)
        except Exception:  # as the row's cell: an accessor that fails shows nothing
            return None
        if callable(value):
            return from_row(record, row)
        return None if value in empty_values else export(value, record, row)

    return field


def exported(table, cell):
    """The column's export of a cell's value, a function (value, record, row)."""
    plan = cell.plan
    if plan.exports_value:
        return lambda value, record, row: value
    function = cell.export_function
    if plan.value.value_only:
        return lambda value, record, row: function(value=value)
    column, bound_column = cell.column, cell.bound_column

    def export(value, record, row):
        arguments = {
            "value": value,
            "record": record,
            "column": column,
            "bound_column": bound_column,
            "bound_row": row,
            "table": table,
        }
        return plan.value(function, arguments)

    return export


def is_plain_many_to_many(cell):
    column = cell.column
    return (
        cell.plan.exports_render
        and isinstance(column, tables.ManyToManyColumn)
        and type(column).render is tables.ManyToManyColumn.render
        and "render" not in vars(column)
        and not hasattr(column, "linkify_item")
    )


def related_text(column):
    """ManyToManyColumn.render without a link per item, each related object's text escaped
    once per export: the same objects are named by many rows."""
    separator = conditional_escape(column.separator)
    texts = {}  # id(object) -> (object, its escaped text)

    def render(items, record, row):
        parts = []
        for item in column.filter(items):
            known = texts.get(id(item))
            if known is None or known[0] is not item:
                known = texts[id(item)] = (item, conditional_escape(column.transform(item)))
            parts.append(known[1])
        return separator.join(parts)

    return render


def visible_only(read, key, visible):
    """The reader of a column naming one related object: '' where the user may not view it."""
    if key is None:
        return read

    def scoped(record, row):
        return read(record, row) if visible.may_view_key(record, key) else ""

    return scoped


def streamed_rows(table):
    """`table.rows` (of the table's own row class) over the records fetched a chunk at a time
    rather than all at once, with the objects of many-to-many columns in lists."""
    data = table.data.data
    is_query = isinstance(data, QuerySet)
    records = with_related_lists(data, table, CHUNK_SIZE) if is_query else data
    rows = table.rows
    return type(rows)(data=records, table=table, pinned_data=rows.pinned_data)


def related_field(model, accessor):
    """The foreign key the column's accessor starts with, if it leads to a scoped model."""
    if model is None or not accessor:
        return None
    try:
        field = model._meta.get_field(str(accessor).replace("__", ".").split(".")[0])
    except FieldDoesNotExist:
        return None
    if not (field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)):
        return None
    return field if hasattr(field.related_model._default_manager, "restrict") else None


def scoped_filter(original, visible):
    def scoped(related_manager):
        # Filtered in Python: the prefetched objects, without a query per row.
        return [item for item in original(related_manager) if visible.may_view(type(item), item.pk)]

    return scoped


class VisibleObjects:
    """Which related objects the user may view: all of a model they may view as a whole, else
    those in their scope, asked once per model, however many rows an export has."""

    def __init__(self, user):
        self.user = user
        self.scopes = {}

    def may_view_key(self, record, field):
        return self.may_view(field.related_model, getattr(record, field.attname, None))

    def may_view(self, model, pk):
        if pk is None:
            return True  # an empty cell names nothing
        if model not in self.scopes:
            self.scopes[model] = (
                None
                if self.user.has_perm(perm_name(model, "view"))
                else set(model._default_manager.restrict(self.user).values_list("pk", flat=True))
            )
        scope = self.scopes[model]
        return scope is None or pk in scope


def export_rows(rows, fmt, filename):
    """Rows (the first one the headers) as a CSV or XLSX download, read one at a time: a CSV
    file streams while the rows are read, an XLSX file is written to a temporary file first
    (a ZIP archive is complete only at its end) and streamed from there."""
    if fmt == "csv":
        response = StreamingHttpResponse(
            in_request_locale(csv_chunks(rows)), content_type="text/csv; charset=utf-8"
        )
    else:
        response = FileResponse(xlsx_file(rows), content_type=XLSX_CONTENT_TYPE)
        response.block_size = CSV_CHUNK_BYTES
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def csv_chunks(rows):
    """UTF-8 CSV text of about CSV_CHUNK_BYTES a piece; the header row leaves on its own."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The BOM lets Excel detect UTF-8 (umlauts) when the file is opened directly.
    buffer.write("\ufeff")
    for number, row in enumerate(rows):
        writer.writerow([neutralize(value) for value in row])
        if number == 0 or buffer.tell() >= CSV_CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def in_request_locale(chunks):
    """`chunks` advanced in the language and time zone of the request, which are no longer
    active while a streamed response is sent, after the view has returned."""
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def advanced():
        while True:
            with translation.override(language), timezone.override(zone):
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    return advanced()


def xlsx_file(rows):
    """The rows as an XLSX workbook in a temporary file, at its start. openpyxl's write-only
    mode keeps no row in memory once it is appended."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in rows:
        sheet.append([text_cell(sheet, value) for value in row])
    file = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it, which deletes it)
    workbook.save(file)
    file.seek(0)
    return file


def text_cell(sheet, value):
    """A date cell in the reader's date format for a date; otherwise text, typed as text where
    openpyxl would take it for a formula ('=…') or an error code, so that it is stored as a
    string. Other text is left to openpyxl as a plain string, which it stores as the same
    cell without making one per value."""
    if isinstance(value, datetime):
        # A spreadsheet has no time zones: the local time the page shows.
        cell = WriteOnlyCell(sheet, value=timezone.localtime(value).replace(tzinfo=None))
        cell.number_format = formats.get_format("XLSX_DATETIME_FORMAT")
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = formats.get_format("XLSX_DATE_FORMAT")
        return cell
    text = as_text(value)
    if not (text.startswith("=") or text in ERROR_CODES):
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    return cell
