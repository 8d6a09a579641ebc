"""Importing an existing Statement of Applicability from a spreadsheet: rows are mapped onto the
entries by control ID; invented IDs and duplicate rows are errors on their rows, and nothing is
ever created."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from aims.core.imports.services import import_parse, import_preview, import_read, import_run
from controls.imports import SOA, applicability, control_id, named_control
from controls.models import Control, ImplementationStatus, SoAEntry, SoAImport
from tests.factories import UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
HEADERS = [
    "Control",
    "Control title",
    "Applicable",
    "Justification for inclusion",
    "Justification for exclusion",
    "Implementation status",
    "Control owner",
    "Last review",
    "Next review",
]

pytestmark = pytest.mark.usefixtures("tasks_in_process")


def soa_workbook(rows):
    """An SoA as kept in Excel: a title row, a subtitle, a blank row, then the header."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "SoA 42001"
    sheet.append(["Statement of Applicability – ISO/IEC 42001:2023"])
    sheet.append(["Rheinwerk Versicherung AG · status October 2026"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def org_entry(code):
    return SoAEntry.objects.get(control__code=code, ai_system=None)


def upload(client, content, name):
    response = client.post(
        reverse("controls:import_upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return SoAImport.objects.latest("pk")


def accept_proposals(client, record):
    """Post the columns and values exactly as the wizard proposes them."""
    columns_url = reverse("controls:import_columns", args=[record.pk])
    page = client.get(columns_url)
    assert page.status_code == 200
    data = {f"column-{c['index']}": c["field"] for c in page.context["columns"]}
    assert client.post(columns_url, data).status_code == 302
    values_url = reverse("controls:import_values", args=[record.pk])
    page = client.get(values_url)
    if page.status_code == 200:
        client.post(
            values_url,
            {
                f"value-{group['code']}-{position}": proposed or ""
                for group in page.context["groups"]
                for position, _text, proposed in group["values"]
            },
        )
    return reverse("controls:import_preview", args=[record.pk])


def errors_by_row(preview):
    rows = {}
    for number, label, message in preview.errors:
        rows.setdefault(number, []).append((label, message))
    return rows


@pytest.fixture
def owner(db):
    return UserFactory(username="m.weber", first_name="Maria", last_name="Weber")


# The spreadsheet's own words, without the database ---------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("A.6.2.4", "A.6.2.4"),
        (" A.6.2.4 ", "A.6.2.4"),
        ("a.6.2.4", "A.6.2.4"),
        ("A. 6.2. 4", "A.6.2.4"),
        ("A 6.2.4", "A.6.2.4"),
        ("A.10.4.", "A.10.4"),
        ("A.2.2 AI policy", "A.2.2"),
        ("A.5.2 – impact assessment process", "A.5.2"),
        ("OWN-01", "OWN-01"),
    ],
)
def test_a_control_id_is_read_with_stray_spaces_case_and_title(cell, code):
    assert control_id(cell) == code


@pytest.mark.parametrize(
    ("cell", "applies"),
    [
        ("Yes", True),
        ("yes", True),
        ("Ja", True),
        ("x", True),
        ("X", True),
        ("Applicable", True),
        ("No", False),
        ("Nein", False),
        ("N/A", False),
        ("not applicable", False),
        ("nicht anwendbar", False),
        ("Excluded", False),
        ("", None),
    ],
)
def test_applicability_is_read_as_soa_sheets_write_it(cell, applies):
    assert applicability(cell) is applies


def test_an_applicability_that_is_no_answer_is_an_error():
    with pytest.raises(ValueError, match="not a yes/no answer"):
        applicability("maybe")


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            HEADERS,
            {
                0: "control",
                2: "applicable",
                3: "inclusion_justification",
                4: "exclusion_justification",
                5: "status",
                6: "owner",
                7: "last_review",
                8: "next_review",
            },
        ),
        (
            ["Nr", "Maßnahme", "Anwendbar", "Begründung", "Begründung Ausschluss",
             "Umsetzungsstatus", "Verantwortlich", "Nächste Prüfung"],
            {
                0: "control",
                2: "applicable",
                3: "inclusion_justification",
                4: "exclusion_justification",
                5: "status",
                6: "owner",
                7: "next_review",
            },
        ),
    ],
)  # fmt: skip
def test_real_soa_headers_are_proposed_as_their_fields(headers, expected):
    proposed = SOA.propose_columns(headers)
    assert proposed == expected


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("Implemented", ImplementationStatus.IMPLEMENTED),
        ("umgesetzt", ImplementationStatus.IMPLEMENTED),
        ("Partially implemented", ImplementationStatus.PARTIAL),
        ("teilweise umgesetzt", ImplementationStatus.PARTIAL),
        ("Planned", ImplementationStatus.PLANNED),
        ("geplant", ImplementationStatus.PLANNED),
        ("Not started", ImplementationStatus.NOT_STARTED),
        ("offen", ImplementationStatus.NOT_STARTED),
    ],
)
def test_status_words_propose_their_status(text, status):
    assert SOA.propose_value("status", text) == status


# Control IDs against the catalogue ------------------------------------------------------------


@pytest.mark.parametrize("code", ["A.6.1.1", "A.6.2.1", "A.11.2", "A.5.1.2", "8.16"])
def test_an_id_outside_annex_a_names_no_control(db, code):
    with pytest.raises(ValueError, match="is not a control of ISO/IEC 42001 Annex A"):
        named_control(code)


def test_an_objective_is_no_control(db):
    with pytest.raises(ValueError, match="A.6.1 is an objective of ISO/IEC 42001 Annex A"):
        named_control("A.6.1")


def test_an_annex_a_id_names_its_control(db):
    assert named_control(" a.6.2.4 ") == Control.objects.get(code="A.6.2.4")


# The wizard -----------------------------------------------------------------------------------


def test_an_soa_spreadsheet_updates_the_entries_it_names(client, compliance_officer, owner):
    kept = org_entry("A.8.2")
    kept.inclusion_justification = "Users of the claims triage get instructions for use."
    kept.status = ImplementationStatus.PARTIAL
    kept.save()
    entries_before = SoAEntry.objects.count()
    content = soa_workbook(
        [
            [" A.2.2 ", "AI policy", "Yes", "Board mandate; BaFin expects AI governance.", None,
             "Implemented", "m.weber", datetime.date(2026, 9, 1), datetime.date(2027, 9, 1)],
            ["a.6.2.4", "Verification and validation", "x", "Claims model quality is checked "
             "before each release.", None, "Partially implemented", "Maria Weber", None,
             "01.03.2027"],
            ["A.10.4", "Customers", "No", None, "We provide no AI systems to customers.",
             None, None, None, None],
            ["A.8.2", "System documentation", "Ja", None, None, None, None, None, None],
        ]
    )  # fmt: skip
    client.force_login(compliance_officer)
    record = upload(client, content, "SoA_ISO42001.xlsx")
    assert record.rows_total == 4  # the title rows are not entries
    preview_url = accept_proposals(client, record)
    page = client.get(preview_url)
    assert page.status_code == 200
    assert page.context["preview"].errors == []
    response = client.post(preview_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("controls:import_status", args=[record.pk])
    assert f'href="{SoAImport.objects.get().get_absolute_url()}"' in response.content.decode()

    a22 = org_entry("A.2.2")
    assert (a22.applicable, a22.inclusion_justification, a22.status, a22.owner) == (
        True,
        "Board mandate; BaFin expects AI governance.",
        ImplementationStatus.IMPLEMENTED,
        owner,
    )
    assert (a22.last_review, a22.next_review) == (
        datetime.date(2026, 9, 1),
        datetime.date(2027, 9, 1),
    )
    assert a22.source_import == record
    a624 = org_entry("A.6.2.4")
    assert (a624.status, a624.owner, a624.next_review) == (
        ImplementationStatus.PARTIAL,
        owner,
        datetime.date(2027, 3, 1),
    )
    a104 = org_entry("A.10.4")
    assert (a104.applicable, a104.exclusion_justification) == (
        False,
        "We provide no AI systems to customers.",
    )
    # Blank cells leave what the entry holds.
    a82 = org_entry("A.8.2")
    assert (a82.inclusion_justification, a82.status) == (
        "Users of the claims triage get instructions for use.",
        ImplementationStatus.PARTIAL,
    )
    assert SoAEntry.objects.count() == entries_before
    record.refresh_from_db()
    # A.8.2 changed nothing, so it was not saved.
    assert (record.status, record.rows_imported, record.rows_skipped) == ("imported", 3, 0)
    assert a82.version == kept.version
    assert a22.history.first().history_user == compliance_officer


def test_invented_ids_and_duplicates_are_errors_on_their_rows_and_nothing_is_created(
    client, compliance_officer
):
    controls_before, entries_before = Control.objects.count(), SoAEntry.objects.count()
    content = soa_workbook(
        [
            ["A.2.2", "AI policy", "Yes", "Board mandate.", None, "Implemented", None, None, None],
            ["A.6.1.1", "Invented", "Yes", "From an outdated list.", None, None, None, None, None],
            ["A.6.2.1", "Invented", "Yes", "From an outdated list.", None, None, None, None, None],
            ["A.11.2", "Invented", "Yes", "From an outdated list.", None, None, None, None, None],
            ["A.7.4", "Data quality", "Yes", "First copy.", None, "Planned", None, None, None],
            ["A.7.4 ", "Data quality", "Yes", "Second copy.", None, "Implemented", None, None,
             None],
            [None, "No ID", "Yes", "A row without its control.", None, None, None, None, None],
        ]
    )  # fmt: skip
    client.force_login(compliance_officer)
    record = upload(client, content, "SoA.xlsx")
    preview_url = accept_proposals(client, record)
    page = client.get(preview_url)
    assert page.status_code == 200
    preview = page.context["preview"]
    errors = errors_by_row(preview)
    # Rows are numbered as the spreadsheet shows them: the header is row 4.
    assert sorted(errors) == [6, 7, 8, 9, 10, 11]
    for row, code in ((6, "A.6.1.1"), (7, "A.6.2.1"), (8, "A.11.2")):
        assert errors[row] == [
            (
                "Control",
                f"“{code}” is not a control of ISO/IEC 42001 Annex A (A.2.2 to A.10.4) nor one "
                "of your own controls; nothing is created for it.",
            )
        ]
    assert errors[9] == [("Control", "Row 10 names the same entry; keep one row per entry.")]
    assert errors[10] == [("Control", "Row 9 names the same entry; keep one row per entry.")]
    assert errors[11] == [("Control", "Empty: the row must name the entry it updates.")]
    assert [number for number, _entry in preview.valid] == [5]
    assert "A.11.2" in page.content.decode()

    refused = client.post(preview_url, follow=True)
    assert (
        "Some rows are invalid. Skip them explicitly, or fix the file." in refused.content.decode()
    )
    assert org_entry("A.2.2").inclusion_justification != "Board mandate."

    assert client.post(preview_url, {"skip_invalid": "1"}).status_code == 302
    assert org_entry("A.2.2").inclusion_justification == "Board mandate."
    # Neither copy of the duplicated control was applied.
    assert org_entry("A.7.4").status == ImplementationStatus.NOT_STARTED
    assert (Control.objects.count(), SoAEntry.objects.count()) == (controls_before, entries_before)
    record.refresh_from_db()
    assert (record.rows_imported, record.rows_skipped) == (1, 6)


def test_a_german_csv_soa_in_windows_1252_is_imported(client, compliance_officer, owner):
    content = (FIXTURES / "soa_de_windows1252.csv").read_bytes()
    assert "Maßnahme".encode("cp1252") in content
    client.force_login(compliance_officer)
    record = upload(client, content, "Anwendbarkeitserklärung.csv")
    preview_url = accept_proposals(client, record)
    page = client.get(preview_url)
    assert page.status_code == 200
    errors = errors_by_row(page.context["preview"])
    assert list(errors) == [7]
    assert "A.6.2.1" in errors[7][0][1]
    assert client.post(preview_url, {"skip_invalid": "1"}).status_code == 302

    a32 = org_entry("A.3.2")
    assert (a32.applicable, a32.status, a32.owner) == (
        True,
        ImplementationStatus.IMPLEMENTED,
        owner,
    )
    assert a32.inclusion_justification == "Rollen für KI-Entscheidungen sind festgelegt."
    assert org_entry("A.4.6").status == ImplementationStatus.PARTIAL
    a55 = org_entry("A.5.5")
    assert (a55.applicable, a55.exclusion_justification) == (
        False,
        "Keine gesellschaftlich wirksamen KI-Systeme im Einsatz.",
    )
    assert org_entry("A.9.2").next_review == datetime.date(2027, 6, 30)


def test_an_exclusion_without_a_justification_is_an_error_at_its_row(client, compliance_officer):
    content = soa_workbook([["A.10.3", "Suppliers", "No", None, None, None, None, None, None]])
    client.force_login(compliance_officer)
    record = upload(client, content, "SoA.xlsx")
    page = client.get(accept_proposals(client, record))
    assert page.status_code == 200
    assert errors_by_row(page.context["preview"]) == {
        5: [
            (
                "Justification for exclusion",
                "Say why the control is excluded: an exclusion needs a justification.",
            )
        ]
    }
    assert org_entry("A.10.3").applicable is True


def test_importing_the_same_sheet_again_changes_nothing(compliance_officer):
    content = soa_workbook(
        [["A.2.2", "AI policy", "Yes", "Board mandate.", None, "Implemented", None, None, None]]
    )
    first = SOA.record_model.objects.create(
        uploaded_by=compliance_officer, file_name="soa.xlsx", sha256="0" * 64
    )
    first.file.save("first.xlsx", io.BytesIO(content), save=False)
    table = import_parse(SOA, first)
    first.column_mapping = {str(i): code for i, code in SOA.propose_columns(table.headers).items()}
    first.save()
    assert import_run(spec=SOA, record=first, user=compliance_officer, skip_invalid=False) == 1
    entry = org_entry("A.2.2")
    history = entry.history.count()

    again = SOA.record_model.objects.create(
        uploaded_by=compliance_officer, file_name="soa.xlsx", sha256="0" * 64
    )
    again.file.save("again.xlsx", io.BytesIO(content), save=False)
    again.column_mapping = first.column_mapping
    again.save()
    import_parse(SOA, again)
    preview = import_preview(SOA, again, import_read(SOA, again), user=compliance_officer)
    assert [obj.import_changed for _number, obj in preview.valid] == [[]]
    # The row is valid but changes nothing: nothing is saved.
    assert import_run(spec=SOA, record=again, user=compliance_officer, skip_invalid=False) == 0
    entry.refresh_from_db()
    assert entry.history.count() == history


@pytest.mark.parametrize("persona", ["auditor", "system_owner", "ai_officer", "no_role"])
def test_only_those_who_change_the_soa_may_import_it(client, make_user, persona):
    client.force_login(make_user(persona))
    response = client.get(reverse("controls:import_upload"))
    assert response.status_code == 403


def test_the_upload_page_explains_the_import(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.get(reverse("controls:import_upload"))
    assert response.status_code == 200
    assert "Import a Statement of Applicability" in response.content.decode()


def test_an_soa_workbook_with_a_cover_sheet_is_imported_from_its_statement_sheet(
    client, compliance_officer
):
    workbook = Workbook()
    cover = workbook.active
    cover.title = "Cover"
    for row in (["Statement of Applicability"], ["Version", 3], ["Approved by", "T. Keller"]):
        cover.append(row)
    sheet = workbook.create_sheet("SoA 42001")
    sheet.append(HEADERS)
    sheet.append(["A.4.2", "Resource documentation", "Ja", "Every system's resources are listed."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(compliance_officer)
    record = upload(client, buffer.getvalue(), "SoA.xlsx")
    # The sheet whose header the import knows is proposed, not the cover in front of it.
    assert (record.sheet, record.rows_total) == ("SoA 42001", 1)
    preview_url = accept_proposals(client, record)
    assert client.post(preview_url).status_code == 302
    assert org_entry("A.4.2").inclusion_justification == "Every system's resources are listed."
