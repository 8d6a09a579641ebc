"""CSV and XLSX export of a register table, safe to open in a spreadsheet."""

import csv
import io
from datetime import date

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    """Cell text: ISO dates, '' for nothing (timestamps come formatted from the table)."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def neutralize(value):
    text = as_text(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def export_table(table, fmt, filename):
    return export_rows(list(table.as_values()), fmt, filename)


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
    """A cell typed as text, so that '=…' is stored as a string and never as a formula."""
    cell = WriteOnlyCell(sheet, value=as_text(value))
    cell.data_type = "s"
    return cell
