"""Reading an AI-system register from a spreadsheet (CSV or XLSX) and guessing what it means.

Pure parsing, no database: `read_table` turns the uploaded bytes into a header and text rows,
`propose_columns` and `propose_value` guess the target field and choice code, and the
`parse_*` functions turn cell texts into Python values. Messages for the user are translated
at call time; parse errors are ValueErrors whose message names the offending value.
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass
from itertools import islice

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

MAX_BYTES = 10 * 1024 * 1024
HEADER_SEARCH_ROWS = 20

# The labels reuse the model's verbose names so that they share one translation.
FIELDS = {
    "reference": gettext_lazy("reference"),
    "name": gettext_lazy("name"),
    "purpose": gettext_lazy("purpose and intended use"),
    "foreseeable_misuse": gettext_lazy("reasonably foreseeable misuse"),
    "business_unit": gettext_lazy("business unit"),
    "owner": gettext_lazy("system owner"),
    "lifecycle_stage": gettext_lazy("life-cycle stage"),
    "ai_act_roles": gettext_lazy("our EU AI Act role"),
    "area_of_use": gettext_lazy("area of use"),
    "deployment_environment": gettext_lazy("deployment environment"),
    "geography": gettext_lazy("geography"),
    "automation_level": gettext_lazy("level of automation"),
    "human_oversight": gettext_lazy("human oversight mechanism"),
    "affected_persons": gettext_lazy("affected persons"),
    "vulnerable_groups": gettext_lazy("vulnerable groups"),
    "personal_data": gettext_lazy("processes personal data"),
    "special_category_data": gettext_lazy("processes special-category data"),
    "in_scope": gettext_lazy("in AIMS scope"),
    "review_cadence_months": gettext_lazy("review every (months)"),
    "next_review": gettext_lazy("next review"),
    "status": gettext_lazy("status"),
}

# field → {code: label}; iterating a field's dict gives its codes. ai_act_roles is multi-valued.
CHOICES = {
    "lifecycle_stage": {
        "idea": gettext_lazy("Idea"),
        "design": gettext_lazy("Design and development"),
        "verification": gettext_lazy("Verification and validation"),
        "deployment": gettext_lazy("Deployment"),
        "operation": gettext_lazy("Operation and monitoring"),
        "retired": pgettext_lazy("life-cycle stage", "Retired"),
    },
    "automation_level": {
        "assistive": gettext_lazy("Decision support: a person decides"),
        "human_in_loop": gettext_lazy("Human in the loop: a person confirms each output"),
        "human_on_loop": gettext_lazy("Human on the loop: a person monitors and can intervene"),
        "autonomous": gettext_lazy("Fully automated"),
    },
    "status": {
        "planned": gettext_lazy("Planned"),
        "in_use": gettext_lazy("In use"),
        "suspended": gettext_lazy("Suspended"),
        "decommissioned": gettext_lazy("Decommissioned"),
    },
    "ai_act_roles": {
        "provider": gettext_lazy("Provider"),
        "deployer": gettext_lazy("Deployer"),
        "importer": gettext_lazy("Importer"),
        "distributor": gettext_lazy("Distributor"),
        "product_manufacturer": gettext_lazy("Product manufacturer"),
        "authorised_representative": gettext_lazy("Authorised representative"),
    },
}
MULTI_VALUED = frozenset({"ai_act_roles"})


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


# --- Normalising -------------------------------------------------------------------------------

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# "1.", "1)", "1.2", "a)", "(b)", "iv." in front of a header or value, followed by a space.
_ENUMERATION = re.compile(
    r"^\(?(?:\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2}[.)]|[a-z][.)]|[ivx]{1,4}[.)])\s+"
)
_NON_WORD = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    """Lowercase with German umlauts spelt out and other accents dropped (é → e)."""
    text = unicodedata.normalize("NFC", text).lower().translate(_UMLAUTS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize(text: str) -> str:
    """Comparable form of a header or value: "1. Nächste Prüfung:" → "naechste pruefung"."""
    text = _ENUMERATION.sub("", _fold(str(text)).strip())
    return " ".join(_NON_WORD.sub(" ", text).split())


# --- Header aliases ----------------------------------------------------------------------------

# fmt: off
_RAW_ALIASES = {
    "reference": [
        "reference", "ref", "ref no", "reference number", "reference no", "id", "system id",
        "ai system id", "inventory id", "inventory number", "no", "nr", "number", "referenz",
        "referenznummer", "kennung", "lfd nr", "laufende nummer", "nummer", "inventarnummer",
        "system nr", "code",
    ],
    "name": [
        "name", "system name", "ai system", "ai system name", "name of the ai system", "system",
        "title", "application", "ai application", "use case", "ai use case", "tool",
        "bezeichnung", "systemname", "name des ki systems", "ki system", "titel", "anwendung",
        "ki anwendung", "anwendungsfall", "ki anwendungsfall", "name des systems",
    ],
    "purpose": [
        "purpose", "intended use", "intended purpose", "purpose and intended use",
        "description", "use case description", "system description", "objective",
        "zweck", "zweckbestimmung", "verwendungszweck", "einsatzzweck", "beschreibung",
        "zielsetzung", "systembeschreibung", "bestimmungsgemaesse verwendung",
    ],
    "foreseeable_misuse": [
        "foreseeable misuse", "reasonably foreseeable misuse", "misuse", "potential misuse",
        "vorhersehbare fehlanwendung", "vernuenftigerweise vorhersehbare fehlanwendung",
        "fehlanwendung", "missbrauch", "vorhersehbarer missbrauch", "fehlgebrauch",
    ],
    "business_unit": [
        "business unit", "department", "unit", "division", "team", "organisational unit",
        "organizational unit", "business area", "geschaeftsbereich", "abteilung", "fachbereich",
        "organisationseinheit", "bereich", "einheit", "fachabteilung",
    ],
    "owner": [
        "owner", "system owner", "responsible", "responsible person", "accountable",
        "accountable person", "contact", "contact person", "owner name", "verantwortlich",
        "verantwortliche person", "verantwortlicher", "verantwortliche", "systemverantwortlicher",
        "systemverantwortliche", "systemverantwortung", "eigentuemer", "systemeigentuemer",
        "ansprechpartner", "ansprechperson", "owner des systems",
    ],
    "lifecycle_stage": [
        "lifecycle stage", "life cycle stage", "lifecycle", "life cycle", "lifecycle phase",
        "life cycle phase", "stage", "phase", "development stage", "status im lebenszyklus",
        "lebenszyklusphase", "lebenszyklus", "lebenszyklusstatus", "phase im lebenszyklus",
        "projektphase",
    ],
    "ai_act_roles": [
        "ai act role", "ai act roles", "role", "roles", "role under the ai act",
        "eu ai act role", "our role", "our ai act role", "rolle", "rollen", "rolle nach ki vo",
        "rolle ki verordnung", "rolle nach ki verordnung", "rolle gemaess ki vo", "ki vo rolle",
        "rolle nach ai act", "ai act rolle", "unsere rolle",
    ],
    "area_of_use": [
        "area of use", "area of application", "application area", "domain", "use area",
        "field of application", "business process", "einsatzbereich", "anwendungsbereich",
        "anwendungsgebiet", "einsatzgebiet", "verwendungsbereich", "domaene", "geschaeftsprozess",
    ],
    "deployment_environment": [
        "deployment environment", "environment", "hosting", "deployment", "deployment model",
        "platform", "infrastructure", "einsatzumgebung", "betriebsumgebung", "umgebung",
        "bereitstellung", "plattform", "infrastruktur", "betriebsmodell",
    ],
    "geography": [
        "geography", "region", "regions", "country", "countries", "jurisdiction",
        "jurisdictions", "location", "locations", "markets", "geographic scope", "geografie",
        "geographie", "land", "laender", "standort", "standorte", "rechtsraum", "maerkte",
        "geografischer geltungsbereich",
    ],
    "automation_level": [
        "automation level", "level of automation", "degree of automation", "automation",
        "autonomy", "autonomy level", "level of autonomy", "automatisierungsgrad",
        "automatisierungsstufe", "grad der automatisierung", "autonomiegrad", "autonomie",
        "automatisierung",
    ],
    "human_oversight": [
        "human oversight", "oversight", "oversight measures", "human oversight mechanism",
        "human review", "human control", "menschliche aufsicht", "aufsicht",
        "menschliche ueberwachung", "ueberwachung durch menschen", "aufsichtsmassnahmen",
        "menschliche kontrolle",
    ],
    "affected_persons": [
        "affected persons", "affected people", "affected parties", "affected individuals",
        "affected groups", "data subjects", "impacted persons", "betroffene",
        "betroffene personen", "betroffene personengruppen", "betroffenengruppen",
        "betroffene gruppen", "zielgruppe",
    ],
    "vulnerable_groups": [
        "vulnerable groups", "vulnerable persons", "vulnerable people", "vulnerable",
        "vulnerable groups affected", "children", "minors", "schutzbeduerftige gruppen",
        "schutzbeduerftige personen", "vulnerable gruppen", "besonders schutzbeduerftige",
        "besonders schutzbeduerftige gruppen", "schutzbeduerftig", "kinder", "minderjaehrige",
    ],
    "personal_data": [
        "personal data", "processes personal data", "personal data processed", "pii", "gdpr",
        "personenbezogene daten", "verarbeitung personenbezogener daten",
        "verarbeitet personenbezogene daten", "personenbezug", "dsgvo",
    ],
    "special_category_data": [
        "special category data", "special categories", "special category",
        "special categories of personal data", "special category personal data",
        "processes special category data", "sensitive data", "sensitive personal data", "art 9",
        "art 9 data", "art 9 gdpr", "article 9 data", "besondere kategorien",
        "besondere kategorien personenbezogener daten", "art 9 daten", "art 9 dsgvo",
        "sensible daten", "sensible personenbezogene daten",
    ],
    "in_scope": [
        "in scope", "aims scope", "scope", "in aims scope", "within scope", "in scope of aims",
        "im geltungsbereich", "im scope", "geltungsbereich", "im aims scope", "aims relevant",
        "relevant fuer aims", "im anwendungsbereich des aims",
    ],
    "review_cadence_months": [
        "review cadence", "review cadence months", "review cadence in months",
        "review every months", "review every", "review interval", "review frequency",
        "review cycle", "ueberpruefungsintervall", "pruefintervall", "pruefzyklus",
        "ueberpruefungsrhythmus", "ueberpruefungszyklus", "review intervall", "intervall",
        "turnus", "pruefturnus",
    ],
    "next_review": [
        "next review", "next review date", "review date", "review due", "due date",
        "next assessment", "naechste ueberpruefung", "naechste pruefung", "wiedervorlage",
        "naechster review", "naechste ueberpruefung am", "prueftermin", "naechster prueftermin",
        "faellig am", "wiedervorlagedatum",
    ],
    "status": [
        "status", "system status", "operational status", "state", "betriebsstatus", "zustand",
        "systemstatus", "einsatzstatus",
    ],
}
# fmt: on

HEADER_ALIASES = {
    code: list(dict.fromkeys(normalize(alias) for alias in aliases))
    for code, aliases in _RAW_ALIASES.items()
}
_ALIAS_FIELD = {alias: code for code, aliases in HEADER_ALIASES.items() for alias in aliases}
# Short or generic words only count as the whole header: "unit" may sit inside "business unit
# owner", but "no" must not be found in "personal data yes no", nor "system" in "operating system".
_EXACT_ONLY = frozenset({"system", "code", "tool", "number", "nummer", "state", "land"})
_CONTAINED_ALIASES = sorted(
    (alias for alias in _ALIAS_FIELD if len(alias) >= 4 and alias not in _EXACT_ONLY),
    key=len,
    reverse=True,
)


def _contains(haystack: str, needle: str) -> bool:
    """Whole-word containment of normalized texts."""
    return f" {needle} " in f" {haystack} "


def _alias_field(header: str, exact: bool) -> str | None:
    """Field whose alias is the normalized header (exact) or the longest one inside it."""
    if exact:
        return _ALIAS_FIELD.get(header)
    for alias in _CONTAINED_ALIASES:
        if _contains(header, alias):
            return _ALIAS_FIELD[alias]
    return None


def _header_field(header: str) -> str | None:
    return _alias_field(header, exact=True) or _alias_field(header, exact=False)


def propose_columns(headers: list[str], saved: dict[str, str] | None = None) -> dict[int, str]:
    """Column index → field code, each field at most once.

    Mappings the users saved earlier win, then exact aliases, then aliases inside the header;
    within each pass the first column wins.
    """
    normalized = [normalize(header) for header in headers]
    saved = {normalize(key): code for key, code in (saved or {}).items() if code in FIELDS}
    passes = [saved.get, lambda h: _alias_field(h, exact=True), lambda h: _alias_field(h, False)]
    proposal: dict[int, str] = {}
    for lookup in passes:
        for index, header in enumerate(normalized):
            if index in proposal or not header:
                continue
            code = lookup(header)
            if code and code not in proposal.values():
                proposal[index] = code
    return dict(sorted(proposal.items()))


# --- Reading files -----------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
# Legacy .xls and password-protected .xlsx are both OLE compound files.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
_DELIMITERS = (",", ";", "\t")
_SEP_LINE = re.compile(r"sep=(.)\r?\n?", re.IGNORECASE)


def read_table(content: bytes, filename: str, sheet: str | None = None) -> Table:
    """The table in an uploaded CSV or XLSX file: header row found, empty rows dropped.

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
    # The content decides, not the name: a renamed workbook is still a workbook.
    if content.startswith(_ZIP_MAGIC):
        grid, sheet_names, sheet = _read_xlsx(content, sheet)
    else:
        grid, sheet_names, sheet = _read_csv(content), [], ""
    return _table(grid, sheet_names, sheet)


def _read_csv(content: bytes) -> list[list[str]]:
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
    try:
        for record in reader:
            grid.append([cell.strip() for cell in record])
    except csv.Error as error:
        # Typically an opening quotation mark without its closing one swallowing the rest.
        raise ImportFileError(
            _("The CSV file could not be read near row %(row)s. Is a quotation mark missing?")
            % {"row": len(grid) + 1}
        ) from error
    return grid


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


def _read_xlsx(content: bytes, sheet: str | None) -> tuple[list[list[str]], list[str], str]:
    from openpyxl import load_workbook  # import on use: a cost only for workbook uploads

    _check_archive(content)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about extensions it drops (data validation, slicers); irrelevant.
            warnings.simplefilter("ignore")
            # Not read-only: merged ranges and sheet visibility are only available this way.
            workbook = load_workbook(io.BytesIO(content), data_only=False, read_only=False)
    except Exception as error:  # openpyxl raises all kinds (BadZipFile, KeyError, ...) on bad parts
        raise ImportFileError(
            _("The file could not be read as an Excel workbook (.xlsx). Is it damaged?")
        ) from error
    try:
        visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
        names = [ws.title for ws in visible]
        if not visible:
            raise ImportFileError(_("The workbook has no visible sheet."))
        if sheet is None:
            worksheet = visible[0]
        elif sheet in names:
            worksheet = visible[names.index(sheet)]
        else:
            raise ImportFileError(
                _("The workbook has no sheet “%(sheet)s”. Its sheets are: %(sheets)s.")
                % {"sheet": sheet, "sheets": ", ".join(names)}
            )
        grid = _grid(worksheet)
        _fill_merged(grid, worksheet.merged_cells.ranges)
        return grid, names, worksheet.title
    finally:
        workbook.close()


# A workbook is a zip archive: refuse archives that unpack to far more than a register needs.
MAX_UNPACKED = 200 * 1024 * 1024
MAX_ROWS, MAX_COLUMNS = 100_000, 500


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


def _grid(worksheet) -> list[list[str]]:
    """The sheet's cells up to the last one that holds a value.

    Built from the cells that exist, not from the sheet's dimensions: one formatted cell at
    XFD1048576 would otherwise make a grid of billions of empty cells.
    """
    cells = [
        (row, column, cell.value)
        for (row, column), cell in worksheet._cells.items()
        if cell.value is not None and cell.value != ""
    ]
    if not cells:
        return []
    rows = max(row for row, _column, _value in cells)
    columns = max(column for _row, column, _value in cells)
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise ImportFileError(
            _(
                "The sheet has values in row %(rows)d or column %(columns)d; at most %(max_rows)d "
                "rows and %(max_columns)d columns can be imported."
            )
            % {"rows": rows, "columns": columns, "max_rows": MAX_ROWS, "max_columns": MAX_COLUMNS}
        )
    grid = [[""] * columns for _ in range(rows)]
    for row, column, value in cells:
        grid[row - 1][column - 1] = _cell_text(value)
    return grid


def _fill_merged(grid: list[list[str]], ranges) -> None:
    """Every cell of a merged range shows its top-left value, as the user sees it in Excel."""
    for merged in ranges:
        if merged.min_row > len(grid) or merged.min_col > len(grid[0]):
            continue
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for row in grid[merged.min_row - 1 : merged.max_row]:
            for column in range(merged.min_col - 1, min(merged.max_col, len(row))):
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


def _header_score(cells: list[str]) -> int:
    # Distinct texts: a title merged across all columns must not outscore the header row.
    filled = {cell for cell in cells if cell}
    matches = sum(1 for cell in cells if cell and _header_field(normalize(cell)))
    return 10 * matches + len(filled)


def _table(grid: list[list[str]], sheet_names: list[str], sheet: str) -> Table:
    candidates = grid[:HEADER_SEARCH_ROWS]
    scores = [_header_score(cells) for cells in candidates]
    if not scores or max(scores) == 0:
        raise ImportFileError(_("No header row found: the first rows of the file are empty."))
    header_index = scores.index(max(scores))  # index() finds the earliest of equal scores
    raw_headers = candidates[header_index]
    filled = [cell for cell in raw_headers if cell]
    # One column is enough when it is a known header (a plain list of system names).
    if len(filled) < 2 and not (filled and _header_field(normalize(filled[0]))):
        raise ImportFileError(
            _(
                "No header row found: the first %(count)s rows contain no row with at least "
                "two filled cells."
            )
            % {"count": HEADER_SEARCH_ROWS}
        )

    data = [
        (number, cells)
        for number, cells in enumerate(grid[header_index + 1 :], start=header_index + 2)
        if any(cells)
    ]
    # As wide as the header or the widest filled data cell, so no value is lost; trailing
    # columns that Excel reports only because of formatting are dropped.
    width = max([_filled_width(raw_headers)] + [_filled_width(cells) for _n, cells in data])
    headers = _unique_headers(raw_headers[:width] + [""] * (width - len(raw_headers)))
    rows = [(number, (cells + [""] * width)[:width]) for number, cells in data]
    return Table(headers, rows, sheet_names, sheet, header_row=header_index + 1)


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
    folded = _fold(str(text)).strip()
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
# "Yes (customer names)", "Nein – nur Pseudonyme": the leading answer counts.
_QUALIFIED_BOOL = re.compile(r"(yes|ja|no|nein)\s*[,;:(\-–—]")


def parse_bool(text: str) -> bool | None:
    value = str(text).strip().lower()
    if not value:
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


_INT = re.compile(
    r"(?:(?:every|alle)\s+)?([+-]?\d+)(?:[.,]0+)?\s*"
    r"(?:months?|mos?\.?|m|monate?n?|mon\.?)?"
)
# review_cadence_months is the only number field, so cadence words are read as months.
# fmt: off
_CADENCE_WORDS = {
    "monthly": 1, "monatlich": 1,
    "quarterly": 3, "vierteljaehrlich": 3, "quartalsweise": 3,
    "half yearly": 6, "semi annually": 6, "semiannually": 6, "halbjaehrlich": 6,
    "yearly": 12, "annually": 12, "annual": 12, "jaehrlich": 12,
    "every two years": 24, "biennial": 24, "zweijaehrlich": 24, "alle zwei jahre": 24,
}
# fmt: on


def parse_int(text) -> int | None:
    """A whole number, optionally with a months unit: "12", "12.0", "12 months", "12 Monate"."""
    if isinstance(text, bool):
        raise ValueError(_("“%(value)s” is not a whole number.") % {"value": text})
    if isinstance(text, int):
        return text
    if isinstance(text, float) and text.is_integer():
        return int(text)
    value = _fold(str(text)).strip()
    if not value:
        return None
    if match := _INT.fullmatch(value):
        return int(match.group(1))
    if (words := normalize(value)) in _CADENCE_WORDS:
        return _CADENCE_WORDS[words]
    raise ValueError(_("“%(value)s” is not a whole number.") % {"value": str(text).strip()})


# field → code → normalized keywords, English and German. The longest keyword found in a value
# decides, so "deployed – in use" is operation although it starts like "deployment".
# fmt: off
_RAW_VALUE_KEYWORDS = {
    "lifecycle_stage": {
        "idea": ["idea", "idee", "konzept", "concept", "inception", "ideation", "proposal",
                 "vorschlag", "konzeption", "planung", "planning"],
        "design": ["design", "development", "in development", "under development",
                   "design and development", "entwicklung", "in entwicklung", "build",
                   "building", "prototype", "prototyp", "aufbau"],
        "verification": ["test", "testing", "in test", "validation", "verification",
                         "verification and validation", "validierung", "verifizierung",
                         "pilot", "piloting", "pilotphase", "pilotierung", "poc",
                         "proof of concept", "erprobung", "testphase", "evaluation", "evaluierung"],
        "deployment": ["rollout", "roll out", "deployment", "deploy", "einfuehrung", "go live",
                       "bereitstellung", "inbetriebnahme", "implementation", "implementierung",
                       "launch"],
        "operation": ["deployed", "in use", "operation", "operations", "in operation",
                      "operation and monitoring", "operational", "production", "in production",
                      "produktiv", "produktion", "produktivbetrieb", "betrieb", "im betrieb",
                      "in betrieb", "im einsatz", "live", "monitoring", "active", "aktiv",
                      "running"],
        "retired": ["retired", "retirement", "decommissioned", "abgeschaltet", "stillgelegt",
                    "ausser betrieb", "eingestellt", "abgeloest", "not in use", "no longer used",
                    "nicht im einsatz", "nicht mehr im einsatz", "sunset", "archived",
                    "archiviert", "ausgemustert"],
    },
    "automation_level": {
        "assistive": ["assistive", "assistance", "decision support", "advisory", "recommendation",
                      "recommendations", "entscheidungsunterstuetzung", "assistenz",
                      "assistierend", "unterstuetzend", "empfehlung", "beratend",
                      "assistenzsystem", "a person decides", "mensch entscheidet selbst"],
        "human_in_loop": ["human in the loop", "human in loop", "hitl", "mensch entscheidet",
                          "menschliche freigabe", "freigabe durch menschen", "human approval",
                          "manual approval", "semi automated", "partially automated",
                          "teilautomatisiert", "teilautomatisch", "mensch in der schleife"],
        "human_on_loop": ["human on the loop", "human on loop", "hotl", "ueberwacht",
                          "supervised", "monitored", "human oversight",
                          "menschliche ueberwachung", "mit menschlicher ueberwachung",
                          "mensch ueberwacht"],
        "autonomous": ["fully automated", "autonomous", "fully autonomous", "autonom",
                       "vollautomatisch", "vollautomatisiert", "automatisiert", "automated",
                       "automatic", "automatisch", "human out of the loop",
                       "ohne menschliche beteiligung"],
    },
    "status": {
        "planned": ["planned", "geplant", "in planung", "planning", "proposed", "beantragt",
                    "vorgesehen"],
        "in_use": ["active", "in use", "aktiv", "im einsatz", "in betrieb", "im betrieb",
                   "live", "productive", "produktiv", "in production", "operational", "running"],
        "suspended": ["suspended", "paused", "on hold", "ausgesetzt", "pausiert", "inactive",
                      "inaktiv", "gestoppt", "stopped", "deaktiviert", "disabled"],
        "decommissioned": ["decommissioned", "retired", "abgeschaltet", "ausser betrieb",
                           "stillgelegt", "eingestellt", "discontinued", "abgeloest",
                           "not in use", "nicht im einsatz", "nicht mehr im einsatz",
                           "archived", "archiviert"],
    },
    "ai_act_roles": {
        "provider": ["provider", "anbieter", "hersteller", "developer", "entwickler",
                     "ki anbieter", "ai provider"],
        "deployer": ["deployer", "betreiber", "user", "nutzer", "anwender", "verwender",
                     "betreiberin"],
        "importer": ["importer", "einfuehrer", "importeur"],
        "distributor": ["distributor", "haendler", "vertreiber", "reseller",
                        "wiederverkaeufer"],
        "product_manufacturer": ["product manufacturer", "produkthersteller",
                                 "produkt hersteller", "hersteller des produkts"],
        "authorised_representative": ["authorised representative", "authorized representative",
                                      "bevollmaechtigter", "bevollmaechtigte",
                                      "bevollmaechtigter vertreter", "eu representative",
                                      "representative"],
    },
}
# fmt: on

_static_keywords: dict[str, list[tuple[str, str]]] = {}


def _keywords(field: str) -> list[tuple[str, str]]:
    """(normalized keyword, code): synonyms, codes, labels in English and the active language."""
    if field not in _static_keywords:
        pairs = [
            (normalize(word), code)
            for code, words in _RAW_VALUE_KEYWORDS[field].items()
            for word in words
        ]
        # Built on first use, not at import: lazy labels need the apps registry.
        with translation.override(None):  # untranslated: the English msgids
            for code, label in CHOICES[field].items():
                pairs += [(normalize(code), code), (normalize(str(label)), code)]
        _static_keywords[field] = pairs
    return _static_keywords[field] + [
        (normalize(str(label)), code) for code, label in CHOICES[field].items()
    ]


def propose_value(field: str, text: str) -> str | None:
    """Best guess of the choice code for a cell text, or None.

    For the multi-valued ai_act_roles, pass the items of split_multi one at a time.
    """
    if field not in CHOICES:
        return None
    value = normalize(text)
    if not value:
        return None
    best: tuple[int, int] | None = None
    best_code = None
    for keyword, code in _keywords(field):
        if keyword == value:
            return code
        if keyword and _contains(value, keyword):
            # Longest keyword first; for equal length, the one that comes first in the text.
            key = (len(keyword), -f" {value} ".index(f" {keyword} "))
            if best is None or key > best:
                best, best_code = key, code
    return best_code


_MULTI_SEPARATORS = re.compile(r"[,;/|+&\n•]|\s+(?:and|und)\s+", re.IGNORECASE)


def split_multi(text: str) -> list[str]:
    """The items of a multi-valued cell: "Provider, Deployer", "Anbieter und Betreiber", lines."""
    items = (item.strip().lstrip("-–*• ").strip() for item in _MULTI_SEPARATORS.split(str(text)))
    return [item for item in items if item]
