"""CSV and XLSX export of a register table, safe to open in a spreadsheet."""

import csv
import io
from datetime import date, datetime

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.encoding import force_str
from django.utils.text import capfirst
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from aims.core.permissions import perm_name

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    """Cell text: dates and times in the reader's format, '' for nothing."""
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


def export_table(table, fmt, filename, user=None):
    """The table as a download; with `user`, the cells name related objects only as far as
    the user may view them (the rows are the user's already)."""
    rows = list(table.as_values()) if user is None else scoped_values(table, user)
    # A header is the field's verbose name, capitalised as the list page shows it.
    rows[0] = [capfirst(force_str(header)) for header in rows[0]]
    return export_rows(rows, fmt, filename)


def scoped_values(table, user):
    """`table.as_values()` for `user`: a many-to-many column lists only the objects the user
    may view, and a cell showing one related object (a foreign key) stays empty when the user
    may not view it, as the object's own page would answer 404."""
    columns = [
        column for column in table.columns.iterall() if not column.column.exclude_from_export
    ]
    for column in columns:
        if isinstance(column.column, tables.ManyToManyColumn):
            # The table's columns are its own copies: changing one changes no other table.
            column.column.filter = scoped_filter(column.column.filter, user)
    model = getattr(table._meta, "model", None)
    keys = {column.name: related_field(model, column.accessor) for column in columns}
    visible = VisibleObjects(user)
    values = [[force_str(column.header, strings_only=True) for column in columns]]
    for row in table.rows:
        values.append(
            [
                ""
                if keys[column.name] is not None
                and not visible.may_view(row.record, keys[column.name])
                else force_str(row.get_cell_value(column.name), strings_only=True)
                for column in columns
            ]
        )
    return values


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


def scoped_filter(original, user):
    def scoped(related_manager):
        queryset = original(related_manager)
        visible = queryset.model._default_manager.restrict(user)
        return queryset.filter(pk__in=visible.values("pk"))

    return scoped


class VisibleObjects:
    """Which related objects the user may view, asked once per model and object."""

    def __init__(self, user):
        self.user = user
        self.answers = {}

    def may_view(self, record, field):
        pk = getattr(record, field.attname, None)
        if pk is None:
            return True  # an empty cell names nothing
        model = field.related_model
        if self.user.has_perm(perm_name(model, "view")):
            return True
        if (model, pk) not in self.answers:
            visible = model._default_manager.restrict(self.user)
            self.answers[model, pk] = visible.filter(pk=pk).exists()
        return self.answers[model, pk]


def export_rows(rows, fmt, filename):
    """Rows (the first one the headers) as a CSV or XLSX download."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerows([neutralize(v) for v in row] for row in rows)
        # The BOM lets Excel detect UTF-8 (umlauts) when the file is opened directly.
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
    """A date cell in the reader's date format for a date; otherwise a cell typed as text, so
    that '=…' is stored as a string and never as a formula."""
    if isinstance(value, datetime):
        # A spreadsheet has no time zones: the local time the page shows.
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
