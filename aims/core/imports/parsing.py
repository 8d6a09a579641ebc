"""Reading a register from a spreadsheet (CSV or XLSX) and the values in its cells.

Pure parsing, no models: `read_table` turns the uploaded bytes into a header and text rows,
and the `parse_*` functions turn cell texts into Python values. Messages for the user are
translated at call time; parse errors are ValueErrors whose message names the offending value.
"""

import codecs
import csv
import datetime
import io
import json
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from aims.core.imports import shapes
from aims.core.imports.proposals import HeaderAliases, fold, normalize

MAX_BYTES = 10 * 1024 * 1024
HEADER_SEARCH_ROWS = 20


class ImportFileError(Exception):
    """The upload cannot be read as a table; the message is meant for the user."""


@dataclass
class Table:
    """The register found in a file; header_row is its 1-based row number (title rows above)."""

    headers: list[str]
    # (1-based row number as Excel shows it, cell texts padded to len(headers))
    rows: list[tuple[int, list[str]]]
    sheet_names: list[str]
    sheet: str
    header_row: int = 1
    # Row numbers of the totals and notes below the data that were left out.
    summary_rows: list[int] = field(default_factory=list)
    # Every sheet of the file as (name, data rows, columns), to choose from.
    sheets: list[tuple[str, int, int]] = field(default_factory=list)
    # Read with rows and columns swapped (one record per column), or looking as if it should be.
    transposed: bool = False
    looks_transposed: bool = False


@dataclass
class Sheet:
    """A sheet's filled rows as read, with what its register looks like: data rows under the
    header, columns, and how many fields its headers name (0 where no header was found)."""

    name: str
    grid: list[tuple[int, list[str]]]
    rows: int = 0
    columns: int = 0
    named_fields: int = 0


@dataclass
class ParsedFile:
    """Every visible sheet of a file (a CSV file is one sheet named ""), read once at upload
    and kept as JSON, so that the later steps and another choice of sheet need not read it."""

    sheets: list[Sheet]

    @property
    def names(self) -> list[str]:
        return [sheet.name for sheet in self.sheets if sheet.name]

    @property
    def proposed_sheet(self) -> str:
        """The sheet that most looks like the register: the one whose header names the most
        fields, of those the one with the most data rows. Cover pages and notes, often in
        front, name a field or two at most."""
        best = max(self.sheets, key=lambda sheet: (sheet.named_fields, sheet.rows))
        return best.name

    def table(
        self,
        sheet: str | None = None,
        aliases: HeaderAliases | None = None,
        limits: "Limits | None" = None,
        transposed: bool = False,
    ) -> Table:
        """The register on `sheet` (the proposed one if None), read from its columns if
        `transposed` (a register with one record per column). Raises ImportFileError."""
        name = self.proposed_sheet if sheet is None else sheet
        found = next((each for each in self.sheets if each.name == name), None)
        if found is None:
            raise ImportFileError(
                _("The workbook has no sheet “%(sheet)s”. Its sheets are: %(sheets)s.")
                % {"sheet": sheet, "sheets": ", ".join(self.names)}
            )
        grid = shapes.transpose(found.grid) if transposed else found.grid
        table = _table(grid, self.names, found.name, aliases)
        table.transposed = transposed
        table.looks_transposed = not transposed and shapes.looks_transposed(found.grid, aliases)
        table.sheets = [(each.name, each.rows, each.columns) for each in self.sheets if each.name]
        limits = limits or Limits.configured()
        if len(table.rows) > limits.rows:
            raise limits.too_many_rows()
        return table

    def to_json(self) -> bytes:
        return json.dumps(
            [vars(sheet) for sheet in self.sheets], ensure_ascii=False, separators=(",", ":")
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "ParsedFile":
        kept = json.loads(data)
        if not isinstance(kept, list):
            raise ValueError("Not a parsed file: kept before every sheet was kept.")
        sheets = [Sheet(**each) for each in kept]
        for sheet in sheets:
            sheet.grid = [(number, cells) for number, cells in sheet.grid]
        return cls(sheets)


# --- Reading files -----------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
# Legacy .xls and password-protected .xlsx are both OLE compound files.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
_DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"sep=(.)\r?\n?", re.IGNORECASE)


def read_file(
    content: bytes,
    filename: str,
    aliases: HeaderAliases | None = None,
    limits: "Limits | None" = None,
    progress=None,
) -> ParsedFile:
    """Every visible sheet of an uploaded CSV or XLSX file, each measured as a register: its
    header row found (the register's `aliases` help to tell it from title rows), its data rows
    and columns counted.

    Reading stops, with an error, once the file passes the `limits` (rows of a sheet, filled
    cells of the file; by default the configured ones). `progress(fraction)` is called now and
    then while a workbook is read.

    Raises ImportFileError with a message for the user.
    """
    limits = limits or Limits.configured()
    check_file(content)
    # The content decides, not the name: a renamed workbook is still a workbook.
    if content.startswith(_ZIP_MAGIC):
        grids = _read_xlsx(content, limits, progress)
    else:
        grids = [("", _read_csv(content, limits))]
    sheets = []
    for name, grid in grids:
        sheet = Sheet(name, grid, columns=max((len(cells) for _n, cells in grid), default=0))
        try:
            table = _table(grid, [], name, aliases)
        except ImportFileError:
            pass  # no register on this sheet: 0 rows
        else:
            sheet.rows, sheet.columns = len(table.rows), len(table.headers)
            named = (
                {aliases.field(normalize(header)) for header in table.headers} if aliases else set()
            )
            sheet.named_fields = len(named - {None})
        sheets.append(sheet)
    return ParsedFile(sheets)


def read_table(
    content: bytes,
    filename: str,
    sheet: str | None = None,
    aliases: HeaderAliases | None = None,
    limits: "Limits | None" = None,
    progress=None,
) -> Table:
    """The table on `sheet` of an uploaded file (the proposed sheet if None): header row found,
    empty rows and the totals below the data dropped. See `read_file`."""
    parsed = read_file(content, filename, aliases, limits, progress)
    return parsed.table(sheet, aliases, limits)


def check_file(content: bytes) -> None:
    """The quick checks of an upload, before it is kept: not empty, not too large, not a legacy
    or encrypted workbook, a readable archive of a sensible size or a text file.

    Raises ImportFileError with a message for the user.
    """
    if not content:
        raise ImportFileError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MB. Please remove unneeded sheets or split it.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if content.startswith(_OLE_MAGIC):
        raise ImportFileError(
            _(
                "Old Excel files (.xls) and password-protected workbooks cannot be read. "
                "Please save the file as .xlsx or CSV without a password."
            )
        )
    if content.startswith(_ZIP_MAGIC):
        _check_archive(content)
    elif _looks_binary(content):
        raise ImportFileError(_("This file is neither a CSV file nor an Excel workbook (.xlsx)."))


def _read_csv(content: bytes, limits: "Limits") -> list[tuple[int, list[str]]]:
    if _looks_binary(content):
        raise ImportFileError(_("This file is neither a CSV file nor an Excel workbook (.xlsx)."))
    text = _decode(content).replace("\r\n", "\n").replace("\r", "\n")
    delimiter = None
    # Excel writes and honours a first line "sep=;"; it is not shown as a row.
    if sep := _SEP_LINE.match(text):
        delimiter, text = sep.group(1), text[sep.end() :]
    delimiter = delimiter or _detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    grid = []
    cells = number = 0
    try:
        for number, record in enumerate(reader, start=1):
            cells_of_row = [cell.strip() for cell in record]
            filled = sum(1 for cell in cells_of_row if cell)
            if not filled:
                continue
            grid.append((number, cells_of_row))
            cells += filled
            if cells > limits.cells:
                raise limits.too_many_cells()
            if len(grid) > limits.rows + HEADER_SEARCH_ROWS:
                raise limits.too_many_rows()
    except csv.Error as error:
        # Typically an opening quotation mark without its closing one swallowing the rest.
        raise ImportFileError(
            _("The CSV file could not be read near row %(row)s. Is a quotation mark missing?")
            % {"row": number + 1}
        ) from error
    width = max((len(cells) for _number, cells in grid), default=0)
    return [(number, cells + [""] * (width - len(cells))) for number, cells in grid]


def _looks_binary(content: bytes) -> bool:
    if content.startswith(_BINARY_MAGIC):
        return True
    sample = content[:8192]
    if b"\x00" in sample:  # also UTF-16, which spreadsheet tools offer but we do not read
        return True
    control = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 12, 13))
    return control > len(sample) // 50


def _decode(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the ANSI code page; latin-1 for its five unused bytes.
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError:
            return content.decode("latin-1")


def _detect_delimiter(text: str) -> str:
    """The delimiter that splits most of the first records into the same number of cells.

    Consistency rather than frequency: a comma inside a German text or a decimal number in
    a semicolon file varies from row to row, the real delimiter does not.
    """
    best, best_key = ",", (0, 0)
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            widths = [len(record) for record in islice(reader, 30) if any(record)]
        except csv.Error:
            continue
        counts = Counter(width for width in widths if width > 1)
        if not counts:
            continue
        width, rows = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (rows, width) > best_key:
            best, best_key = delimiter, (rows, width)
    return best


def _read_xlsx(
    content: bytes, limits: "Limits", progress
) -> list[tuple[str, list[tuple[int, list[str]]]]]:
    from openpyxl import load_workbook  # import on use: a cost only for workbook uploads

    _check_archive(content)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about extensions it drops (data validation, slicers); irrelevant.
            warnings.simplefilter("ignore")
            # Read-only: the sheet is streamed row by row, never held as cell objects.
            # Formulas as the values Excel calculated (shapes.cached_value_parser).
            workbook = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
    except Exception as error:  # openpyxl raises all kinds (BadZipFile, KeyError, ...) on bad parts
        raise ImportFileError(
            _("The file could not be read as an Excel workbook (.xlsx). Is it damaged?")
        ) from error
    try:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if not visible:
            raise ImportFileError(_("The workbook has no visible sheet."))
        grids = []
        cells = 0  # the limit of filled cells holds for the whole file
        for position, worksheet in enumerate(visible):

            def sheet_progress(fraction, position=position):
                progress((position + fraction) / len(visible))

            try:
                grid = _stream_grid(worksheet, limits, progress and sheet_progress, cells)
            except ImportFileError:
                raise
            except Exception as error:  # a damaged sheet part
                raise ImportFileError(
                    _("The file could not be read as an Excel workbook (.xlsx). Is it damaged?")
                ) from error
            cells += sum(1 for _number, row in grid for cell in row if cell)
            grids.append((worksheet.title, grid))
        return grids
    finally:
        workbook.close()


# A workbook is a zip archive: refuse archives that unpack to far more than a register needs.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_COLUMNS = 500


@dataclass(frozen=True)
class Limits:
    """How much of a file is read: data rows and filled cells (AIMS_IMPORT_MAX_ROWS and
    AIMS_IMPORT_MAX_CELLS in the settings)."""

    rows: int = 20_000
    cells: int = 1_000_000

    @classmethod
    def configured(cls) -> "Limits":
        from django.conf import settings

        return cls(rows=settings.AIMS_IMPORT_MAX_ROWS, cells=settings.AIMS_IMPORT_MAX_CELLS)

    def too_many_rows(self) -> ImportFileError:
        return ImportFileError(
            _(
                "The file has more than %(max_rows)s rows; at most %(max_rows)s rows can be "
                "imported at once. Please split the file."
            )
            % {"max_rows": number_format(self.rows, force_grouping=True)}
        )

    def too_many_cells(self) -> ImportFileError:
        return ImportFileError(
            _(
                "The file has more than %(max_cells)s filled cells; at most %(max_cells)s cells "
                "can be imported at once. Please remove unneeded columns or split the file."
            )
            % {"max_cells": number_format(self.cells, force_grouping=True)}
        )


def _check_archive(content: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise ImportFileError(
            _("The file could not be read as an Excel workbook (.xlsx). Is it damaged?")
        ) from error
    if unpacked > MAX_UNPACKED:
        raise ImportFileError(_("The workbook unpacks to more than 200 MB; it cannot be read."))


def _stream_grid(worksheet, limits: Limits, progress, cells: int = 0) -> list[list[str]]:
    """The sheet's filled cells, read row by row from the sheet's XML, up to the last one that
    holds a value; merged ranges filled in. Reading stops as soon as a limit is passed
    (`cells`: the filled cells of the sheets read before).

    Built from the cells that exist, not from the sheet's dimensions: one formatted cell at
    XFD1048576 would otherwise make a grid of billions of empty cells.
    """
    from openpyxl.worksheet.cell_range import CellRange

    workbook = worksheet.parent
    try:
        expected = worksheet.max_row or 0  # from the sheet's dimension, if it declares one
    except Exception:  # a dimension openpyxl cannot read
        expected = 0
    rows: dict[int, dict[int, str]] = {}
    columns = 0
    with worksheet._get_source() as source:
        parser = shapes.cached_value_parser(
            source,
            worksheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, row in parser.parse():
            filled = {}
            for cell in row:
                value = cell["value"]
                if value is None or value == "":
                    continue
                text = _cell_text(value)
                if text:
                    filled[cell["column"]] = text
            if not filled:
                continue
            rows[number] = filled
            cells += len(filled)
            columns = max(columns, max(filled))
            if cells > limits.cells:
                raise limits.too_many_cells()
            # Title rows above the header and the header itself come on top of the data.
            if len(rows) > limits.rows + HEADER_SEARCH_ROWS:
                raise limits.too_many_rows()
            if columns > MAX_COLUMNS:
                raise ImportFileError(
                    _(
                        "The sheet has values in column %(columns)d; at most %(max_columns)d "
                        "columns can be imported."
                    )
                    % {"columns": columns, "max_columns": MAX_COLUMNS}
                )
            if progress and expected and len(rows) % 1000 == 0:
                progress(min(number / expected, 1))
        merged = parser.merged_cells.mergeCell if parser.merged_cells else []
    if not rows:
        return []
    _fill_merged(rows, [CellRange(item.ref) for item in merged], max(rows), columns)
    if len(rows) > limits.rows + HEADER_SEARCH_ROWS:
        raise limits.too_many_rows()
    grid = []
    for number in sorted(rows):
        cells_of_row = [""] * columns
        for column, text in rows.pop(number).items():
            cells_of_row[column - 1] = text
        grid.append((number, cells_of_row))
    return grid


def _fill_merged(rows: dict[int, dict[int, str]], ranges, last: int, columns: int) -> None:
    """Every cell of a merged range shows its top-left value, as the user sees it in Excel."""
    for merged in ranges:
        value = rows.get(merged.min_row, {}).get(merged.min_col)
        if not value or merged.min_col > columns:
            continue
        for number in range(merged.min_row, min(merged.max_row, last) + 1):
            row = rows.setdefault(number, {})
            for column in range(merged.min_col, min(merged.max_col, columns) + 1):
                row[column] = value


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, bool):  # before int: bool is an int
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    # Array and data-table formulas: keep their formula text like plain formulas.
    text = getattr(value, "text", None)
    return str(text if isinstance(text, str) else value).strip()


def _header_score(cells: list[str], aliases: HeaderAliases | None) -> int:
    # Distinct texts: a title merged across all columns must not outscore the header row.
    filled = {cell for cell in cells if cell}
    matches = sum(1 for cell in cells if cell and _known_header(cell, aliases))
    return 10 * matches + len(filled)


def _known_header(cell: str, aliases: HeaderAliases | None) -> bool:
    return bool(aliases and aliases.field(normalize(cell)))


def _table(
    grid: list[tuple[int, list[str]]],
    sheet_names: list[str],
    sheet: str,
    aliases: HeaderAliases | None,
) -> Table:
    """The table of the filled rows of a sheet: (1-based row number, cells of equal width)."""
    candidates = [cells for number, cells in grid if number <= HEADER_SEARCH_ROWS]
    scores = [_header_score(cells, aliases) for cells in candidates]
    if not scores or max(scores) == 0:
        raise ImportFileError(_("No header row found: the first rows of the file are empty."))
    header_index = scores.index(max(scores))  # index() finds the earliest of equal scores
    header_number = grid[header_index][0]
    raw_headers = candidates[header_index]
    filled = [cell for cell in raw_headers if cell]
    # One column is enough when it is a known header (a plain list of system names).
    if len(filled) < 2 and not (filled and _known_header(filled[0], aliases)):
        raise ImportFileError(
            _(
                "No header row found: the first %(count)s rows contain no row with at least "
                "two filled cells."
            )
            % {"count": HEADER_SEARCH_ROWS}
        )

    data = grid[header_index + 1 :]
    # Totals and notes under the data are left out (the wizard names their rows). A row with one
    # filled cell only counts as a note under a wider header and below a row of several cells,
    # so that a plain list of names keeps its last name.
    last_wide = max(
        (i for i, (_n, cells) in enumerate(data) if sum(1 for cell in cells if cell) > 1),
        default=-1,
    )
    summary = []
    while data and _is_summary(data[-1][1], len(filled) >= 3 and 0 <= last_wide < len(data) - 1):
        summary.insert(0, data.pop()[0])
    # As wide as the header or the widest filled data cell, so no value is lost; trailing
    # columns that Excel reports only because of formatting are dropped.
    width = max([_filled_width(raw_headers)] + [_filled_width(cells) for _n, cells in data])
    headers = _unique_headers(raw_headers[:width] + [""] * (width - len(raw_headers)))
    rows = [(number, (cells + [""] * width)[:width]) for number, cells in data]
    return Table(headers, rows, sheet_names, sheet, header_row=header_number, summary_rows=summary)


# The first word of a total under the data: "Total", "Summe:", "Gesamt 12", "Anzahl Systeme".
_TOTAL_WORDS = frozenset(
    {"total", "totals", "sum", "summe", "gesamt", "gesamtsumme", "anzahl", "count"}
)
_SUM_SIGNS = ("Σ", "∑")  # Greek capital sigma, n-ary summation


def _is_summary(cells: list[str], one_cell_is_note: bool) -> bool:
    """A row under the data that sums it up, or a note ("As of 01.07.2025") in one cell."""
    filled = [cell for cell in cells if cell]
    words = normalize(filled[0]).split()
    if filled[0].startswith(_SUM_SIGNS) or (words and words[0] in _TOTAL_WORDS):
        return True
    return one_cell_is_note and len(filled) == 1


def _filled_width(cells: list[str]) -> int:
    for index in range(len(cells) - 1, -1, -1):
        if cells[index]:
            return index + 1
    return 0


def _unique_headers(cells: list[str]) -> list[str]:
    headers: list[str] = []
    for index, cell in enumerate(cells, start=1):
        base = " ".join(cell.split()) or _("Column %(number)s") % {"number": index}
        name, copy = base, 1
        while name in headers:
            copy += 1
            name = f"{base} ({copy})"
        headers.append(name)
    return headers


# --- Values ------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "januar", "jaen", "jaenner"),
            ("feb", "february", "februar"),
            ("mar", "march", "maer", "maerz", "mrz"),
            ("apr", "april"),
            ("may", "mai"),
            ("jun", "june", "juni"),
            ("jul", "july", "juli"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october", "okt", "oktober"),
            ("nov", "november"),
            ("dec", "december", "dez", "dezember"),
        ],
        start=1,
    )
    for name in names
}
_TIME = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO_DATE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME)
# European order throughout: 01.07.2025, 1/7/2025 and 01-07-25 are all the 1st of July.
_DMY_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_MONTH_YEAR = re.compile(r"(\d{1,2})[./](\d{4})")
_YEAR_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})")
_NAMED_MONTH = re.compile(r"(?:(\d{1,2})\.?\s*)?([a-z]+)\.?[\s/'-]*(\d{4}|\d{2})")
_YEAR = re.compile(r"\d{4}")
_EXCEL_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # day 0 of Excel's 1900 system, leap-year bug included


def _year(digits: str) -> int:
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def parse_date(text: str) -> datetime.date | None:
    """A date from the many ways registers write one; a month alone means its first day."""
    folded = fold(str(text)).strip()
    if not folded:
        return None
    try:
        if match := _ISO_DATE.fullmatch(folded):
            year, month, day = match.groups()
            return datetime.date(int(year), int(month), int(day))
        if match := _DMY_DATE.fullmatch(folded):
            day, _sep, month, year = match.groups()
            return datetime.date(_year(year), int(month), int(day))
        if match := _MONTH_YEAR.fullmatch(folded):
            return datetime.date(int(match.group(2)), int(match.group(1)), 1)
        if match := _YEAR_MONTH.fullmatch(folded):
            return datetime.date(int(match.group(1)), int(match.group(2)), 1)
        if (match := _NAMED_MONTH.fullmatch(folded)) and match.group(2) in _MONTHS:
            day, month, year = match.groups()
            return datetime.date(_year(year), _MONTHS[month], int(day or 1))
        if _YEAR.fullmatch(folded) and 1900 <= int(folded) <= 2200:
            return datetime.date(int(folded), 1, 1)
        if (match := _EXCEL_SERIAL.fullmatch(folded)) and 20000 <= int(match.group(1)) <= 80000:
            return _EXCEL_EPOCH + datetime.timedelta(days=int(match.group(1)))
    except ValueError:
        pass  # e.g. 31.02.2025: the shape is right, the date does not exist
    raise ValueError(
        _("“%(value)s” is not a date. Please write it like 2025-07-01 or 01.07.2025.")
        % {"value": str(text).strip()}
    )


_TRUE = frozenset({"yes", "y", "ja", "j", "x", "true", "wahr", "1", "✓", "✔", "☑"})
_FALSE = frozenset({"no", "n", "nein", "false", "falsch", "0", "-", "–"})
# Answers that say the answer is not known: the field stays unknown (None), never "no".
_UNKNOWN = frozenset(
    {"?", "unknown", "not known", "n a", "na", "tbd", "tbc", "unclear", "unbekannt", "unklar",
     "k a", "keine angabe", "offen"}
)  # fmt: skip
# "Yes (customer names)", "Nein – nur Pseudonyme": the leading answer counts.
_QUALIFIED_BOOL = re.compile(r"(yes|ja|no|nein)\s*[,;:(\-–—]")


def parse_bool(text: str) -> bool | None:
    """True or False for a yes/no answer; None for a blank cell or one saying "unknown"."""
    value = str(text).strip().lower()
    if not value or value == "?" or normalize(value) in _UNKNOWN:
        return None
    if match := _QUALIFIED_BOOL.match(value):
        value = match.group(1)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(
        _("“%(value)s” is not a yes/no answer. Please write yes or no.")
        % {"value": str(text).strip()}
    )


_INT = re.compile(r"[+-]?\d+(?:[.,]0+)?")


def parse_int(text) -> int | None:
    """A whole number: 12, "12", "12.0", "12,0"; None for an empty cell."""
    if isinstance(text, bool):
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
    if isinstance(text, int):
        return text
    if isinstance(text, float) and text.is_integer():
        return int(text)
    value = str(text).strip()
    if not value:
        return None
    if _INT.fullmatch(value):
        return int(re.split(r"[.,]", value)[0])
    raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})


# "3", "3.0", "3 - likely", "3 (wahrscheinlich)", "12 (12)": the leading number counts.
_LEADING_NUMBER = re.compile(r"(\d+)(?:[.,]0+)?(?=$|[\s\-–—:;(/)]|\.(?:\s|$))")


def parse_scale(text, labels: Sequence) -> int | None:
    """The position (1 to n) on a scale of n levels that a cell names.

    `labels` holds one entry per level, lowest first: a label or a sequence of labels for the
    level (its names in several languages: ("High", "hoch")). The cell may give the number,
    with a label after it ("3 - likely"), or a label alone; labels are compared normalized,
    and a label followed by an explanation ("High (once a year)") counts too. None for an
    empty cell; ValueError for anything else.
    """
    value = str(text).strip()
    if not value:
        return None
    count = len(labels)
    if match := _LEADING_NUMBER.match(value):
        position = int(match.group(1))
        if not 1 <= position <= count:
            raise ValueError(
                _("“%(value)s” is not on the scale 1–%(count)d.") % {"value": value, "count": count}
            )
        return position
    names = [
        (normalize(str(name)), position)
        for position, level in enumerate(labels, start=1)
        for name in _level_names(level)
        if normalize(str(name))
    ]
    folded = normalize(value)
    for name, position in names:
        if name == folded:
            return position
    # The longest label the text starts with: "Very high (weekly)" is "very high", not "high".
    for name, position in sorted(names, key=lambda pair: len(pair[0]), reverse=True):
        if folded.startswith(f"{name} "):
            return position
    raise ValueError(
        _(
            "“%(value)s” is not on the scale. Please write a number from 1 to %(count)d "
            "or one of: %(labels)s."
        )
        % {
            "value": value,
            "count": count,
            "labels": ", ".join(str(_level_names(level)[0]) for level in labels),
        }
    )


def _level_names(level) -> Sequence:
    """A level's names: one label (a str or a lazy translation) or a sequence of them."""
    return level if isinstance(level, Sequence) and not isinstance(level, str) else [level]


_MULTI_SEPARATORS = re.compile(r"[,;/|+&\n•]|\s+(?:and|und)\s+", re.IGNORECASE)


def split_multi(text: str) -> list[str]:
    """The items of a multi-valued cell: "Provider, Deployer", "Anbieter und Betreiber", lines."""
    items = (item.strip().lstrip("-–*• ").strip() for item in _MULTI_SEPARATORS.split(str(text)))
    return [item for item in items if item]
