"""The AI-system import's declarations: which headers and values of registers kept in Excel
mean which AI-system fields and choices (no database)."""

import io

import pytest
from openpyxl import Workbook

from aims.core.imports.parsing import read_table, split_multi
from aims.core.imports.proposals import normalize
from aims.inventory.imports import AI_SYSTEMS, ALIASES, parse_months

FIELDS = AI_SYSTEMS.fields
CHOICES = AI_SYSTEMS.choices
HEADER_ALIASES = AI_SYSTEMS.aliases.by_field


def propose_columns(headers, saved=None):
    return AI_SYSTEMS.propose_columns(headers, saved)


def propose_value(field, text):
    return AI_SYSTEMS.propose_value(field, text)


def read(content, filename):
    return read_table(content, filename, aliases=AI_SYSTEMS.aliases)


def xlsx(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_with_rows(*rows) -> Workbook:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    return workbook


def test_a_windows_1252_csv_with_semicolons_and_german_headers_is_read():
    content = (
        "Bezeichnung;Zweckbestimmung;Verantwortlich;Lebenszyklusphase;Nächste Überprüfung\r\n"
        "Bewerberauswahl;Vorauswahl, Ranking;Jürgen Groß;Im Einsatz;01.07.2025\r\n"
        "Schadenprüfung;Betrugserkennung (Kfz);Änne Öz;Pilot;Juli 2025\r\n"
    ).encode("cp1252")

    table = read(content, "export.csv")

    assert table.headers == [
        "Bezeichnung",
        "Zweckbestimmung",
        "Verantwortlich",
        "Lebenszyklusphase",
        "Nächste Überprüfung",
    ]
    assert table.rows[0] == (
        2,
        ["Bewerberauswahl", "Vorauswahl, Ranking", "Jürgen Groß", "Im Einsatz", "01.07.2025"],
    )
    assert table.rows[1][1][2] == "Änne Öz"
    assert propose_columns(table.headers) == {
        0: "name",
        1: "purpose",
        2: "owner",
        3: "lifecycle_stage",
        4: "next_review",
    }


def test_merged_band_rows_and_merged_header_cells_fill_every_column():
    workbook = workbook_with_rows(
        ["General", None, "Risk", None, None],
        ["Name", "Purpose", "Owner", None, "Status"],
        ["Bot", "Help", "Anna", "Deputy Bo", "Active"],
    )
    sheet = workbook.active
    sheet.merge_cells("A1:B1")
    sheet.merge_cells("C1:E1")
    sheet.merge_cells("C2:D2")

    table = read(xlsx(workbook), "register.xlsx")

    assert table.header_row == 2
    assert table.headers == ["Name", "Purpose", "Owner", "Owner (2)", "Status"]
    assert table.rows == [(3, ["Bot", "Help", "Anna", "Deputy Bo", "Active"])]
    assert propose_columns(table.headers) == {0: "name", 1: "purpose", 2: "owner", 4: "status"}


def test_english_headers_are_proposed():
    headers = [
        "Ref.",
        "AI system",
        "Intended purpose",
        "Reasonably foreseeable misuse",
        "Department",
        "System owner",
        "Life cycle stage",
        "AI Act role(s)",
        "Area of use",
        "Deployment environment",
        "Countries",
        "Level of automation",
        "Human oversight",
        "Affected persons",
        "Vulnerable groups?",
        "Personal data (yes/no)",
        "Special category data",
        "In scope",
        "Review cadence (months)",
        "Next review date",
        "Status",
    ]

    proposal = propose_columns(headers)

    # Every field but the owner's e-mail, which these registers keep in no column of its own.
    assert list(proposal.values()) == [code for code in FIELDS if code != "owner_email"]


def test_german_headers_are_proposed():
    headers = [
        "Lfd. Nr.",
        "Name des KI-Systems",
        "Zweckbestimmung",
        "Vorhersehbare Fehlanwendung",
        "Fachbereich",
        "Systemverantwortlicher",
        "Status im Lebenszyklus",
        "Rolle nach KI-VO",
        "Einsatzbereich",
        "Betriebsumgebung",
        "Länder",
        "Automatisierungsgrad",
        "Menschliche Aufsicht",
        "Betroffene Personen",
        "Schutzbedürftige Gruppen",
        "Personenbezogene Daten",
        "Besondere Kategorien personenbezogener Daten",
        "Im Geltungsbereich",
        "Überprüfungsintervall",
        "Wiedervorlage",
        "Betriebsstatus",
    ]

    proposal = propose_columns(headers)

    # Every field but the owner's e-mail, which these registers keep in no column of its own.
    assert list(proposal.values()) == [code for code in FIELDS if code != "owner_email"]


def test_an_alias_inside_a_longer_header_is_proposed_and_the_longest_alias_wins():
    proposal = propose_columns(["Notes", "Special category personal data?", "Owner (name, email)"])

    assert proposal == {1: "special_category_data", 2: "owner"}


def test_a_saved_mapping_wins_over_the_aliases():
    saved = {normalize("Owner"): "business_unit", "tool owner": "owner"}

    proposal = propose_columns(["Owner", "Tool owner", "Name"], saved=saved)

    assert proposal == {0: "business_unit", 1: "owner", 2: "name"}


def test_no_field_is_proposed_for_two_columns():
    proposal = propose_columns(["Name", "System name", "Owner", "Owner", "Verantwortlich"])

    assert proposal == {0: "name", 2: "owner"}


def test_an_exact_alias_beats_an_earlier_column_that_only_contains_one():
    proposal = propose_columns(["Owner of the data", "Owner"])

    assert proposal == {1: "owner"}


def test_every_field_has_aliases_and_no_alias_names_two_fields():
    assert set(ALIASES) == set(FIELDS)
    assert all(ALIASES.values())
    aliases = [normalize(alias) for values in ALIASES.values() for alias in values]
    assert len(aliases) == len(set(aliases))


# --- Values ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("12.0", 12), ("12 months", 12), ("12 Monate", 12), (" 6 ", 6), (24, 24),
     ("", None), ("annually", 12), ("halbjährlich", 6), ("alle 6 Monate", 6),
     ("every 3 months", 3)],
)  # fmt: skip
def test_review_cadences_are_read_with_or_without_a_months_unit(text, expected):
    assert parse_months(text) == expected


@pytest.mark.parametrize("text", ["12.5", "twelve", "12 weeks"])
def test_a_review_cadence_that_is_no_whole_number_of_months_is_refused(text):
    with pytest.raises(ValueError, match=text):
        parse_months(text)


@pytest.mark.parametrize(
    ("field", "text", "expected"),
    [
        ("lifecycle_stage", "c) Deployed – in use", "operation"),
        ("lifecycle_stage", "Idee", "idea"),
        ("lifecycle_stage", "In Entwicklung", "design"),
        ("lifecycle_stage", "PoC", "verification"),
        ("lifecycle_stage", "Go-Live", "deployment"),
        ("lifecycle_stage", "Rollout", "deployment"),
        ("lifecycle_stage", "Produktiv", "operation"),
        ("lifecycle_stage", "Außer Betrieb", "retired"),
        ("lifecycle_stage", "operation", "operation"),
        ("lifecycle_stage", "Verification and validation", "verification"),
        ("automation_level", "Decision support", "assistive"),
        ("automation_level", "Human-in-the-loop (HITL)", "human_in_loop"),
        ("automation_level", "HOTL", "human_on_loop"),
        ("automation_level", "überwacht", "human_on_loop"),
        ("automation_level", "Vollautomatisch", "autonomous"),
        ("automation_level", "semi-automated", "human_in_loop"),
        ("status", "Geplant", "planned"),
        ("status", "Aktiv", "in_use"),
        ("status", "Im Einsatz", "in_use"),
        ("status", "Inactive", "suspended"),
        ("status", "Pausiert", "suspended"),
        ("status", "Nicht mehr im Einsatz", "decommissioned"),
        ("status", "in_use", "in_use"),
        ("ai_act_roles", "Anbieter", "provider"),
        ("ai_act_roles", "Betreiber", "deployer"),
        ("ai_act_roles", "Produkthersteller", "product_manufacturer"),
        ("ai_act_roles", "Einführer", "importer"),
        ("ai_act_roles", "Händler", "distributor"),
        ("ai_act_roles", "Authorized representative", "authorised_representative"),
        ("ai_act_roles", "Bevollmächtigter", "authorised_representative"),
        ("ai_act_roles", "Product manufacturer", "product_manufacturer"),
        ("status", "banana", None),
        ("status", "", None),
        ("name", "Chatbot", None),
    ],
)
def test_choice_values_are_proposed_from_english_and_german_words(field, text, expected):
    assert propose_value(field, text) == expected


def test_every_choice_code_proposes_itself():
    for field, codes in CHOICES.items():
        for code in codes:
            assert propose_value(field, code) == code


def test_each_item_of_a_multi_valued_role_cell_is_proposed():
    assert [propose_value("ai_act_roles", item) for item in split_multi("Anbieter/Betreiber")] == [
        "provider",
        "deployer",
    ]


def test_a_plain_list_of_names_under_a_known_header_is_a_table():
    table = read(b"Name\nClaims triage\nChatbot\n", "names.csv")
    assert table.headers == ["Name"]
    assert [cells for _number, cells in table.rows] == [["Claims triage"], ["Chatbot"]]
