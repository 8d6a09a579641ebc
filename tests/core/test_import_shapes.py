"""Shapes of real registers, read and guessed without the wizard: proposals from a
column's content, value proposals by meaning, blank yes/no cells, transposed registers, formula
cells and the fingerprint of a file's content."""

import pytest

from aims.core.imports import matching, shapes
from aims.core.imports.parsing import parse_bool, read_table
from aims.core.imports.proposals import ColumnContent, FieldRoles, HeaderAliases, propose_columns
from aims.inventory.imports import AI_SYSTEMS
from risks.imports import RISKS
from tests import import_fixtures as fixtures


def proposals(spec, content, name="register.csv", sheet=None):
    table = read_table(content, name, sheet, aliases=spec.aliases)
    rows = [cells for _number, cells in table.rows]
    return table, spec.propose_columns(table.headers, rows=rows)


def test_an_agency_column_is_no_name_and_an_id_column_is_the_reference():
    table, proposal = proposals(AI_SYSTEMS, fixtures.agency_inventory())
    assert {table.headers[index]: code for index, code in proposal.items()} == {
        "Agency Name": "business_unit",
        "Use Case ID": "reference",
        "Use Case Name": "name",
        "Summary of Use Case": "purpose",
        "Development Stage": "lifecycle_stage",
        "Personal data (PII)": "personal_data",
        "Contact": "owner",
    }


def test_headers_alone_would_have_named_the_agency_column():
    """Without the rows the header guess stands: "Agency Name" holds the word "name"."""
    aliases = {"name": ["name", "use case"], "reference": ["id"]}
    headers = ["Agency Name", "Use Case ID", "Use Case Name"]
    assert propose_columns(headers, HeaderAliases(aliases)) == {0: "name"}
    rows = [[agency, case_id, f"Case {n}"] for n, (agency, case_id, _name, *_rest) in
            enumerate(fixtures.use_case_rows())]  # fmt: skip
    roles = FieldRoles(reference="reference", name="name")
    assert propose_columns(headers, HeaderAliases(aliases), rows=rows, roles=roles) == {
        1: "reference",
        2: "name",
    }


def test_column_content_is_judged_by_repetition_identifiers_and_length():
    agencies = ColumnContent.of(fixtures.AGENCIES * 5)
    ids = ColumnContent.of(["DOJ-0012", "DOL-0013", "01.02.00", "RR-01"])
    summary = ColumnContent.of(["x" * 80, "y" * 70])
    assert (agencies.repeated, agencies.identifier) == (True, False)
    assert (ids.repeated, ids.identifier) == (False, True)
    assert (summary.long_text, ColumnContent.of(["Chatbot", "OCR"]).long_text) == (True, False)
    assert not ColumnContent.of(["2025-09-30", "Chatbot"]).identifier


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pilot", "verification"),
        ("Retired", "retired"),
        ("Decommissioned", "retired"),
        ("Pre-deployment", None),
        ("Operation and Maintenance", "operation"),
        ("Acquisition and/or Development", "design"),
        ("Initiated", "idea"),
        ("deployed – in use", "operation"),
        ("Planned (not in production)", "idea"),
        ("Not in production", None),
        ("TBD", None),
    ],
)
def test_stages_are_proposed_by_their_whole_meaning(text, expected):
    assert AI_SYSTEMS.propose_value("lifecycle_stage", text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1. Discrimination & Toxicity", "bias_fairness"),
        ("2. Privacy & Security", None),  # two categories: the user decides
        ("4. Malicious actors & Misuse", "misuse"),
    ],
)
def test_a_value_naming_two_choices_is_left_to_the_user(text, expected):
    assert RISKS.propose_value("category", text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [("", None), ("unknown", None), ("n/a", None), ("?", None), ("Yes", True), ("No", False)],
)
def test_a_blank_or_unknown_yes_no_cell_stays_unknown(text, expected):
    assert parse_bool(text) is expected


def test_a_register_with_one_record_per_column_is_read_transposed():
    grid = list(enumerate(fixtures.TRANSPOSED_ROWS, start=1))
    assert shapes.looks_transposed(grid, AI_SYSTEMS.aliases)
    columns = shapes.transpose(grid)
    assert not shapes.looks_transposed(columns, AI_SYSTEMS.aliases)
    (_number, headers), *records = columns
    assert headers[:4] == ["Field", "Name", "Purpose", "Lifecycle stage"]
    assert [(number, cells[1]) for number, cells in records] == [
        (2, "Chatbot"),
        (3, "OCR"),
        (4, "Scorer"),
    ]
    rows = [cells for _number, cells in records]
    assert AI_SYSTEMS.propose_columns(headers, rows=rows) == {
        1: "name",
        2: "purpose",
        3: "lifecycle_stage",
        4: "business_unit",
        5: "personal_data",
    }


def test_formula_cells_are_read_as_their_calculated_values():
    table = read_table(fixtures.iso_risk_register(), "register.xlsx", "Risk Register")
    rating = table.headers.index("Risk Rating")
    uncalculated = shapes.UNCALCULATED + "=E7*F7"
    assert [cells[rating] for _number, cells in table.rows] == ["16", "4", uncalculated]
    with pytest.raises(ValueError, match="“=E7\\*F7” is a formula without a calculated value"):
        shapes.refuse_formula(uncalculated)
    shapes.refuse_formula("16")
    shapes.refuse_formula("=HYPERLINK(1)")  # a CSV cell: text, exported safely


def test_multi_line_cells_and_a_semicolon_csv_with_bom_are_kept():
    table = read_table(fixtures.agency_inventory(), "inventory.csv")
    assert table.headers[0] == "Agency Name"  # no BOM in front
    assert table.rows[0][1][3].endswith("a person decides.\nSecond line.")


def test_the_same_content_as_csv_and_as_xlsx_has_one_fingerprint():
    csv = read_table(fixtures.same_content("csv"), "register.csv")
    xlsx = read_table(fixtures.same_content("xlsx"), "register.xlsx")
    assert matching.fingerprint(csv) == matching.fingerprint(xlsx)
    other = read_table(fixtures.blank_booleans_inventory(), "other.csv")
    assert matching.fingerprint(other) != matching.fingerprint(csv)
