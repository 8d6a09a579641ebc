"""Reading registers from CSV and XLSX files and parsing cell values (no models, no database)."""

import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from aims.core.imports.parsing import (
    ImportFileError,
    parse_bool,
    parse_date,
    parse_int,
    parse_scale,
    read_table,
    split_multi,
)
from aims.core.imports.proposals import (
    HeaderAliases,
    keyword_pairs,
    normalize,
    propose_columns,
    propose_value,
)
from aims.core.imports.shapes import UNCALCULATED

# A small register's headers, enough to tell a header row from title rows.
ALIASES = HeaderAliases(
    {"name": ["name", "bezeichnung"], "purpose": ["purpose", "zweck"], "owner": ["owner"]}
)


def xlsx(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_with_rows(*rows, title="Register") -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    return workbook


# --- CSV ---------------------------------------------------------------------------------------


def test_a_utf8_csv_is_read_with_row_numbers_as_excel_shows_them():
    content = (
        "Name,Purpose,Owner\nChatbot,Answers customers,Anna Müller\n,,\nCV screener,Ranks,Bo\n"
    )

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert table.headers == ["Name", "Purpose", "Owner"]
    assert table.rows == [
        (2, ["Chatbot", "Answers customers", "Anna Müller"]),
        (4, ["CV screener", "Ranks", "Bo"]),
    ]
    assert table.sheet_names == []
    assert table.sheet == ""


def test_a_utf8_csv_with_byte_order_mark_has_a_clean_first_header():
    content = "\ufeffName;Zweck\nBot;Prüfung\n".encode()

    table = read_table(content, "register.csv", aliases=ALIASES)

    assert table.headers == ["Name", "Zweck"]
    assert table.rows == [(2, ["Bot", "Prüfung"])]


def test_an_excel_csv_in_the_windows_code_page_keeps_its_euro_signs_dashes_and_quotes():
    # Excel on a German Windows saves "CSV (Trennzeichen-getrennt)" in Windows-1252, whose
    # bytes 0x80-0x9F are printable characters (latin-1 has control characters there).
    content = (
        "KI-Register Stand 07/2025;;\r\n"
        "Name;Zweck;Kosten\r\n"
        "Chatbot „Max“;Beantwortet Anfragen – rund um die Uhr;1.200 € p. a.\r\n"
        "Scoring;Bewertet Kunden’ Anträge…;\r\n"
    ).encode("cp1252")

    table = read_table(content, "register.csv", aliases=ALIASES)

    assert table.headers == ["Name", "Zweck", "Kosten"]
    assert table.rows == [
        (3, ["Chatbot „Max“", "Beantwortet Anfragen – rund um die Uhr", "1.200 € p. a."]),
        (4, ["Scoring", "Bewertet Kunden’ Anträge…", ""]),
    ]


def test_a_csv_with_bytes_unused_in_the_windows_code_page_is_still_read():
    content = b"Name;Zweck\r\nBot\x81;Pr\xfcfung\r\n"

    table = read_table(content, "register.csv", aliases=ALIASES)

    assert table.rows == [(2, ["Bot\x81", "Prüfung"])]


def test_a_comma_csv_keeps_quoted_multi_line_and_very_long_cells_intact():
    long_text = "x" * 11_990 + ', "quoted"'
    assert len(long_text) == 12_000
    escaped = long_text.replace('"', '""')
    content = (
        'Name,Purpose,Owner\r\n"Chatbot","Line one\r\nLine two\nLine three",Anna\r\n'
        f'Scorer,"{escaped}",Bo\r\n'
    ).encode()

    table = read_table(content, "register.csv", aliases=ALIASES)

    assert table.rows[0] == (2, ["Chatbot", "Line one\nLine two\nLine three", "Anna"])
    # A multi-line cell is one row in Excel, so the next record is row 3.
    assert table.rows[1] == (3, ["Scorer", long_text, "Bo"])


def test_a_tab_separated_text_file_is_read():
    content = b"Name\tPurpose\tOwner\nBot\tHelps, a lot; really\tAnna\n"

    table = read_table(content, "register.txt", aliases=ALIASES)

    assert table.rows == [(2, ["Bot", "Helps, a lot; really", "Anna"])]


def test_a_semicolon_csv_with_commas_in_every_row_is_split_on_semicolons():
    content = "Name;Purpose;Cadence\nBot;Triage, routing;1,5\nScorer;Scoring, ranking;2,0\n"

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert table.headers == ["Name", "Purpose", "Cadence"]
    assert table.rows[1] == (3, ["Scorer", "Scoring, ranking", "2,0"])


def test_title_rows_above_the_header_in_a_csv_are_skipped():
    content = (
        "AI register of Example AG;;;\nAs of 01.07.2025;;;\n;;;\n"
        "Name;Purpose;Owner;Status\nBot;Help;Anna;Active\n"
    )

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert table.header_row == 4
    assert table.headers == ["Name", "Purpose", "Owner", "Status"]
    assert table.rows == [(5, ["Bot", "Help", "Anna", "Active"])]


def test_an_excel_sep_line_sets_the_delimiter():
    content = b"sep=;\nName;Purpose\nBot;One, two, three\n"

    table = read_table(content, "register.csv", aliases=ALIASES)

    assert table.rows == [(2, ["Bot", "One, two, three"])]


def test_short_rows_are_padded_and_cells_beyond_the_header_get_a_column_name():
    content = "Name,Purpose,,\nBot\nScorer,Ranks,,extra\n"

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert table.headers == ["Name", "Purpose", "Column 3", "Column 4"]
    assert table.rows == [(2, ["Bot", "", "", ""]), (3, ["Scorer", "Ranks", "", "extra"])]


def test_empty_and_duplicate_headers_are_named_uniquely():
    content = "Name,,Owner,Owner,Owner\nBot,x,Anna,Bo,Cy\n"

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert table.headers == ["Name", "Column 2", "Owner", "Owner (2)", "Owner (3)"]


def test_a_5000_row_csv_is_read_completely():
    header = ",".join(["Name", "Purpose", "Owner"] + [f"Extra {n}" for n in range(17)])
    lines = [header] + [
        ",".join([f"System {n}"] + [f"v{n}-{c}" for c in range(19)]) for n in range(5000)
    ]

    table = read_table("\n".join(lines).encode(), "big.csv", aliases=ALIASES)

    assert len(table.headers) == 20
    assert len(table.rows) == 5000
    assert table.rows[-1][0] == 5001
    assert table.rows[-1][1][0] == "System 4999"


# --- XLSX --------------------------------------------------------------------------------------


def test_an_xlsx_with_two_title_rows_above_the_header_is_read():
    workbook = workbook_with_rows(
        ["AI register of Example AG"],
        ["As of 01.07.2025"],
        [],
        ["Name", "Purpose", "Owner", "Next review", "Cadence", "In scope", "Score"],
        ["Chatbot", "  Answers\ncustomers  ", "Anna", datetime.date(2025, 7, 1), 12.0, True, 0.5],
        [None, None, None, None, None, None, None],
        ["Scorer", "Ranks", "Bo", datetime.datetime(2025, 8, 1, 14, 30), 6, False, None],
    )

    table = read_table(xlsx(workbook), "register.xlsx", aliases=ALIASES)

    assert table.header_row == 4
    assert table.headers == [
        "Name",
        "Purpose",
        "Owner",
        "Next review",
        "Cadence",
        "In scope",
        "Score",
    ]
    assert table.rows == [
        (5, ["Chatbot", "Answers\ncustomers", "Anna", "2025-07-01", "12", "TRUE", "0.5"]),
        (7, ["Scorer", "Ranks", "Bo", "2025-08-01 14:30", "6", "FALSE", ""]),
    ]
    assert table.sheet_names == ["Register"]
    assert table.sheet == "Register"


def test_a_title_merged_across_all_columns_does_not_win_over_unknown_headers():
    workbook = workbook_with_rows(["Our inventory"], ["Alpha", "Beta", "Gamma"], ["1", "2", "3"])
    workbook.active.merge_cells("A1:C1")

    table = read_table(xlsx(workbook), "register.xlsx", aliases=ALIASES)

    assert table.headers == ["Alpha", "Beta", "Gamma"]


def test_a_hidden_first_sheet_is_skipped():
    workbook = workbook_with_rows(["Lookup", "Values"], ["a", "b"], title="Lists")
    workbook.active.sheet_state = "hidden"
    register = workbook.create_sheet("Register")
    register.append(["Name", "Purpose"])
    register.append(["Bot", "Help"])
    secret = workbook.create_sheet("Secret")
    secret.sheet_state = "veryHidden"

    table = read_table(xlsx(workbook), "register.xlsx", aliases=ALIASES)

    assert table.sheet_names == ["Register"]
    assert table.sheet == "Register"
    assert table.rows == [(2, ["Bot", "Help"])]


def test_a_chosen_sheet_is_read():
    workbook = workbook_with_rows(["Name", "Purpose"], ["First", "x"], title="2024")
    other = workbook.create_sheet("2025")
    other.append(["Name", "Purpose"])
    other.append(["Second", "y"])

    table = read_table(xlsx(workbook), "register.xlsx", sheet="2025", aliases=ALIASES)

    assert table.sheet_names == ["2024", "2025"]
    assert table.sheet == "2025"
    assert table.rows == [(2, ["Second", "y"])]


@pytest.mark.parametrize("sheet", ["2026", "Lists"])
def test_an_unknown_or_hidden_sheet_is_refused(sheet):
    workbook = workbook_with_rows(["Name", "Purpose"], ["First", "x"], title="2025")
    workbook.create_sheet("Lists").sheet_state = "hidden"

    with pytest.raises(ImportFileError, match=sheet):
        read_table(xlsx(workbook), "register.xlsx", sheet=sheet, aliases=ALIASES)


def test_formulas_without_a_calculated_value_are_marked_and_html_is_plain_text():
    """openpyxl saves formulas without their results: the row reports them (shapes.py)."""
    link = '=HYPERLINK("https://example.org/bot","Bot")'
    workbook = workbook_with_rows(
        ["Name", "Purpose", "Cadence"],
        [link, "<b>Help</b><script>alert(1)</script>", "=6*2"],
    )

    table = read_table(xlsx(workbook), "register.xlsx", aliases=ALIASES)

    html = "<b>Help</b><script>alert(1)</script>"
    assert table.rows == [(2, [UNCALCULATED + link, html, UNCALCULATED + "=6*2"])]


def test_a_workbook_renamed_to_csv_is_still_read_as_a_workbook():
    table = read_table(
        xlsx(workbook_with_rows(["Name", "Purpose"], ["Bot", "x"])), "upload.csv", aliases=ALIASES
    )

    assert table.rows == [(2, ["Bot", "x"])]


# --- Refused files -----------------------------------------------------------------------------


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (b"", "empty.csv"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "logo.png"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "register.pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "register.xls"),
        (zip_without_workbook(), "register.xlsx"),
        (b"Only one column\nvalue\n", "register.csv"),
        (b"\n\n\n", "register.csv"),
        (b"x" * (10 * 1024 * 1024 + 1), "huge.csv"),
    ],
    ids=["empty", "image", "pdf", "old xls", "other zip", "one column", "blank", "over 10 MB"],
)
def test_files_that_are_no_readable_register_are_refused_with_a_message(content, filename):
    with pytest.raises(ImportFileError) as raised:
        read_table(content, filename, aliases=ALIASES)

    assert str(raised.value)


# --- Columns -----------------------------------------------------------------------------------


def test_normalize_folds_case_umlauts_punctuation_and_enumerations():
    assert normalize("1. Nächste Überprüfung (Datum):") == "naechste ueberpruefung datum"
    assert normalize("a) Name des KI-Systems?") == "name des ki systems"
    assert normalize("  Größe_der*Abteilung ") == "groesse der abteilung"
    assert normalize("Naechste Ueberpruefung") == normalize("Nächste Überprüfung")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-01", datetime.date(2025, 7, 1)),
        ("2025-07-01 00:00", datetime.date(2025, 7, 1)),
        ("2025-07-01 14:30", datetime.date(2025, 7, 1)),
        ("01.07.2025", datetime.date(2025, 7, 1)),
        ("1.7.2025", datetime.date(2025, 7, 1)),
        ("01.07.25", datetime.date(2025, 7, 1)),
        ("01/07/2025", datetime.date(2025, 7, 1)),
        ("07/2025", datetime.date(2025, 7, 1)),
        ("7/2025", datetime.date(2025, 7, 1)),
        ("2025-07", datetime.date(2025, 7, 1)),
        ("Jul-25", datetime.date(2025, 7, 1)),
        ("Jul 2025", datetime.date(2025, 7, 1)),
        ("July 2025", datetime.date(2025, 7, 1)),
        ("Juli 2025", datetime.date(2025, 7, 1)),
        ("Mrz 2025", datetime.date(2025, 3, 1)),
        ("März 2025", datetime.date(2025, 3, 1)),
        ("Mär-25", datetime.date(2025, 3, 1)),
        ("MAERZ 2025", datetime.date(2025, 3, 1)),
        ("dez 24", datetime.date(2024, 12, 1)),
        ("1. Juli 2025", datetime.date(2025, 7, 1)),
        ("2025", datetime.date(2025, 1, 1)),
        ("45839", datetime.date(2025, 7, 1)),
        (" 45839.0 ", datetime.date(2025, 7, 1)),
        ("", None),
        ("   ", None),
    ],
)
def test_dates_are_read_in_every_common_format(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["soon", "31.02.2025", "13/2025", "Q3 2025", "12345"])
def test_a_value_that_is_no_date_is_refused_naming_the_value(text):
    with pytest.raises(ValueError, match=text.replace(".", r"\.")):
        parse_date(text)


@pytest.mark.parametrize(
    "text", ["yes", "Y", "Ja", "j", "x", "TRUE", "wahr", "1", "✓", "Yes (customer names)"]
)
def test_yes_values_are_true(text):
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["no", "N", "Nein", "false", "FALSCH", "0", "-", "nein – anonym"])
def test_no_values_are_false(text):
    assert parse_bool(text) is False


def test_an_empty_yes_no_cell_is_none_and_anything_else_is_refused():
    assert parse_bool("  ") is None
    with pytest.raises(ValueError, match="maybe"):
        parse_bool("maybe")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("12.0", 12), ("12,0", 12), (" 6 ", 6), ("-3", -3), (24, 24), (24.0, 24),
     ("", None), ("  ", None)],
)  # fmt: skip
def test_whole_numbers_are_read(text, expected):
    assert parse_int(text) == expected


@pytest.mark.parametrize("text", ["12.5", "twelve", "12 weeks", "1 000"])
def test_a_value_that_is_no_whole_number_is_refused(text):
    with pytest.raises(ValueError, match=text):
        parse_int(text)


def test_multi_valued_cells_are_split_on_the_usual_separators():
    assert split_multi("Provider, Deployer; Importer / Distributor | x + y") == [
        "Provider",
        "Deployer",
        "Importer",
        "Distributor",
        "x",
        "y",
    ]
    assert split_multi("Anbieter und Betreiber") == ["Anbieter", "Betreiber"]
    assert split_multi("Provider and deployer") == ["Provider", "deployer"]
    assert split_multi("- Provider\n- Deployer\n\n") == ["Provider", "Deployer"]
    assert split_multi(" ,; ") == []


def test_a_workbook_with_one_far_away_cell_is_read_from_its_real_cells():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Purpose"])
    sheet.append(["Bot", "Chat"])
    sheet["XFD1048576"] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(ImportFileError, match="at most"):
        read_table(buffer.getvalue(), "far.xlsx", aliases=ALIASES)


def test_a_zip_that_unpacks_to_too_much_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (201 * 1024 * 1024))
    with pytest.raises(ImportFileError, match="200 MB"):
        read_table(buffer.getvalue(), "bomb.xlsx", aliases=ALIASES)


def test_a_plain_list_of_names_under_a_known_header_is_a_table():
    table = read_table(b"Name\nClaims triage\nChatbot\n", "names.csv", aliases=ALIASES)
    assert table.headers == ["Name"]
    assert [cells for _number, cells in table.rows] == [["Claims triage"], ["Chatbot"]]


def test_the_registers_aliases_tell_the_header_from_a_wider_title_row():
    content = "Example AG;AI register;2025;draft\nName;Purpose;Notes\nBot;Chat;x\n"

    assert read_table(content.encode(), "register.csv").header_row == 1
    assert read_table(content.encode(), "register.csv", aliases=ALIASES).header_row == 2


# --- Totals and notes under the data -------------------------------------------------------------


@pytest.mark.parametrize(
    "last_rows",
    [
        ["Total;;;3"],
        ["Summe: 3 Systeme;;;"],
        ["Gesamt;;;3"],
        ["Gesamtsumme;;;3"],
        ["Anzahl;3;;"],
        ["Count: 3;;;"],
        ["Σ 3;;;"],
        ["Sum;;;3", "Stand: 01.07.2025;;;"],
        [";;;3 systems"],
    ],
)
def test_totals_and_notes_under_the_data_are_left_out(last_rows):
    content = "\n".join(
        ["Name;Purpose;Owner;Cost", "Bot;Chat;Anna;1", "Scorer;Ranks;Bo;2", *last_rows]
    )

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert [cells[0] for _number, cells in table.rows] == ["Bot", "Scorer"]
    assert table.summary_rows == list(range(4, 4 + len(last_rows)))


def test_a_total_between_data_rows_is_kept_as_data():
    content = "Name;Purpose;Owner\nTotal;Sums;Anna\nBot;Chat;Bo\n"

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert [cells[0] for _number, cells in table.rows] == ["Total", "Bot"]
    assert table.summary_rows == []


def test_a_totals_row_in_a_workbook_is_left_out():
    workbook = workbook_with_rows(
        ["Name", "Purpose", "Owner", "Cost"],
        ["Bot", "Chat", "Anna", 1],
        ["Scorer", "Ranks", "Bo", 2],
        [],
        ["Total", None, None, "=SUM(D2:D3)"],
    )

    table = read_table(xlsx(workbook), "register.xlsx", aliases=ALIASES)

    assert len(table.rows) == 2
    assert table.summary_rows == [5]


def test_a_last_row_with_one_cell_is_data_under_a_narrow_header():
    content = "Name;Purpose\nBot;Chat\nScorer;\n"

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert [cells for _number, cells in table.rows] == [["Bot", "Chat"], ["Scorer", ""]]


def test_a_list_whose_rows_all_fill_one_cell_keeps_every_row():
    content = "Name;Purpose;Owner\nBot;;\nScorer;;\n"

    table = read_table(content.encode(), "register.csv", aliases=ALIASES)

    assert [cells[0] for _number, cells in table.rows] == ["Bot", "Scorer"]


# --- Scales ------------------------------------------------------------------------------------

LIKELIHOOD = [
    ("Rare", "selten"),
    ("Unlikely", "unwahrscheinlich"),
    ("Possible", "möglich"),
    ("Likely", "wahrscheinlich"),
    ("Almost certain", "fast sicher"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("3.0", 3),
        ("3 - likely", 3),
        ("3 – möglich", 3),
        ("3 (wahrscheinlich)", 3),
        ("3: possible", 3),
        ("5", 5),
        ("1", 1),
        ("possible", 3),
        ("MÖGLICH", 3),
        ("Moeglich", 3),
        ("Fast sicher", 5),
        ("Almost certain (weekly)", 5),
        ("", None),
    ],
)
def test_a_scale_value_is_read_from_its_number_or_its_label(text, expected):
    assert parse_scale(text, LIKELIHOOD) == expected


def test_a_scale_number_in_brackets_after_the_number_counts_as_the_number():
    assert parse_scale("12 (12)", [str(n) for n in range(1, 26)]) == 12


def test_a_german_label_matches_a_scale_given_in_both_languages():
    assert parse_scale("hoch", [("Low", "niedrig"), ("Medium", "mittel"), ("High", "hoch")]) == 3
    assert parse_scale("hoch", ["niedrig", "mittel", "hoch", "sehr hoch"]) == 3
    assert parse_scale("Sehr hoch", ["niedrig", "mittel", "hoch", "sehr hoch"]) == 4


@pytest.mark.parametrize("text", ["0", "6", "12 (12)", "99 - very likely"])
def test_a_scale_number_outside_the_scale_is_refused(text):
    with pytest.raises(ValueError, match=r"is not on the scale 1–5"):
        parse_scale(text, LIKELIHOOD)


@pytest.mark.parametrize("text", ["banana", "3.5", "-1", "high", "x3"])
def test_anything_else_on_a_scale_is_refused_naming_the_value(text):
    with pytest.raises(ValueError, match=r"is not on the scale") as raised:
        parse_scale(text, LIKELIHOOD)

    assert text in str(raised.value)
    assert "Rare, Unlikely, Possible, Likely, Almost certain" in str(raised.value)


# --- Guessing ----------------------------------------------------------------------------------


def test_columns_are_proposed_from_exact_then_contained_aliases_each_field_once():
    proposal = propose_columns(
        ["Owner of the data", "Owner", "Zweck (kurz)", "Name", "Name"], ALIASES
    )

    assert proposal == {1: "owner", 2: "purpose", 3: "name"}


def test_a_saved_mapping_wins_and_unknown_saved_fields_are_ignored():
    saved = {"owner": "purpose", "notes": "colour"}

    assert propose_columns(["Owner", "Notes"], ALIASES, saved) == {0: "purpose"}


def test_a_choice_is_proposed_from_the_longest_keyword_in_the_text():
    keywords = keyword_pairs(
        {"low": ["low", "gering"], "high": ["high", "hoch"], "very_high": ["very high"]},
        {"low": "Low", "high": "High", "very_high": "Very high"},
    )

    assert propose_value(keywords, "Very high!") == "very_high"
    assert propose_value(keywords, "eher gering") == "low"
    assert propose_value(keywords, "very_high") == "very_high"
    assert propose_value(keywords, "medium") is None
    assert propose_value(keywords, "") is None
