"""Importing AI systems from a spreadsheet, through the wizard as a user does."""

import csv
import hashlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from aims.core.imports import services
from aims.core.models import SavedColumnMapping
from aims.inventory.imports import AI_SYSTEMS
from aims.inventory.models import AISystem, SystemImport
from tests.factories import AISystemFactory, UserFactory

HEADER = "Name,Purpose,Owner,Lifecycle stage,Next review,Personal data,AI Act role\n"

pytestmark = pytest.mark.usefixtures("tasks_in_process")


def upload(client, content, name="register.csv"):
    response = client.post(
        reverse("inventory:import_upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return SystemImport.objects.latest("pk")


def accept_proposals(client, system_import):
    """Post the columns and values exactly as the wizard proposes them."""
    columns_url = reverse("inventory:import_columns", args=[system_import.pk])
    page = client.get(columns_url)
    data = {f"column-{c['index']}": c["field"] for c in page.context["columns"]}
    response = client.post(columns_url, {**data, "remember": "1"})
    assert response.status_code == 302, page.content.decode()[:2000]
    values_url = reverse("inventory:import_values", args=[system_import.pk])
    page = client.get(values_url)
    if page.status_code == 200:
        data = {
            f"value-{group['code']}-{position}": proposed or ""
            for group in page.context["groups"]
            for position, _text, proposed in group["values"]
        }
        client.post(values_url, data)
    return reverse("inventory:import_preview", args=[system_import.pk])


def test_a_valid_file_is_imported_with_a_record_of_the_import(client, compliance_officer):
    owner = UserFactory(username="sabine", role="System Owner")
    content = (
        HEADER + "Claims triage,Sorts claims,sabine,c) Deployed – in use,01.07.2027,Ja,Deployer\n"
        "Chatbot,Answers questions,,Pilot,07/2027,No,Provider; Deployer\n"
        "Fraud model,Flags claims,,Idea,2028,,\n"
    ).encode()
    client.force_login(compliance_officer)
    system_import = upload(client, content)
    preview_url = accept_proposals(client, system_import)
    preview = client.get(preview_url)
    assert preview.context["preview"].errors == []
    response = client.post(preview_url)
    assert response.status_code == 302
    system_import.refresh_from_db()
    assert (system_import.status, system_import.rows_imported, system_import.rows_skipped) == (
        "imported",
        3,
        0,
    )
    assert system_import.sha256 == hashlib.sha256(content).hexdigest()
    assert system_import.uploaded_by == compliance_officer
    triage = AISystem.objects.get(name="Claims triage")
    assert (triage.lifecycle_stage, triage.owner, triage.personal_data) == (
        "operation",
        owner,
        True,
    )
    assert str(triage.next_review) == "2027-07-01"
    assert AISystem.objects.get(name="Chatbot").ai_act_roles == ["provider", "deployer"]
    assert str(AISystem.objects.get(name="Fraud model").next_review) == "2028-01-01"
    assert set(system_import.systems.all()) == set(AISystem.objects.all())
    assert triage.history.count() == 1
    assert list(AISystem.objects.restrict(owner, "change")) == [triage]
    page = client.get(system_import.get_absolute_url()).content.decode()
    assert "Claims triage" in page and system_import.sha256 in page


def test_invalid_rows_are_named_and_nothing_is_imported_until_they_are_skipped(
    client, compliance_officer
):
    content = (
        HEADER + "Good one,Purpose,,Idea,,,\n"
        "Bad stage,Purpose,,Maybe someday,,,\n"
        "Good two,Purpose,,Idea,,,\n"
        "Bad date,Purpose,,Idea,31.31.2025,,\n"
        ",Purpose without a name,,Idea,,,\n"
        "Good three,Purpose,,Idea,,,\n"
    ).encode()
    client.force_login(compliance_officer)
    system_import = upload(client, content)
    preview_url = accept_proposals(client, system_import)
    preview = client.get(preview_url).context["preview"]
    assert preview.invalid_rows == [3, 5, 6]
    fields = {(row, str(label)) for row, label, _message in preview.errors}
    assert fields == {(3, "Life-cycle stage"), (5, "Next review"), (6, "Name")}
    response = client.post(preview_url, follow=True)
    assert "Some rows are invalid" in response.content.decode()
    assert not AISystem.objects.exists()
    client.post(preview_url, {"skip_invalid": "1"})
    assert sorted(AISystem.objects.values_list("name", flat=True)) == [
        "Good one",
        "Good three",
        "Good two",
    ]
    system_import.refresh_from_db()
    assert (system_import.rows_imported, system_import.rows_skipped) == (3, 3)


def test_a_windows_1252_file_with_semicolons_and_german_headers(client, compliance_officer):
    content = (
        "Bezeichnung;Zweckbestimmung;Lebenszyklusphase;Nächste Überprüfung;"
        "Personenbezogene Daten\r\n"
        "Schadensprüfung;Prüft Schäden für Kunden in Österreich;In Betrieb;1.7.2026;Ja\r\n"
    ).encode("cp1252")
    client.force_login(compliance_officer)
    system_import = upload(client, content, "KI-Register.csv")
    client.post(accept_proposals(client, system_import))
    system = AISystem.objects.get()
    assert system.name == "Schadensprüfung"
    assert system.purpose == "Prüft Schäden für Kunden in Österreich"
    assert (system.lifecycle_stage, system.personal_data) == ("operation", True)


def xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_with_two_title_rows_above_the_header(client, compliance_officer):
    content = xlsx(
        [
            ["AI register of Rheinwerk Versicherung AG"],
            ["As of 01.07.2026"],
            ["Name", "Purpose", "Lifecycle stage"],
            ["Claims triage", "Line one\nLine two", "Production"],
        ]
    )
    client.force_login(compliance_officer)
    system_import = upload(client, content, "register.xlsx")
    client.post(accept_proposals(client, system_import))
    system = AISystem.objects.get()
    assert (system.name, system.purpose) == ("Claims triage", "Line one\nLine two")


def test_formulas_and_html_are_stored_as_text_and_exported_safely(client, compliance_officer):
    """A CSV cell that Excel would calculate is text here (a workbook's formula is read as its
    calculated value, tests/core/test_import_shapes.py)."""
    formula = '=HYPERLINK("http://evil.example","x")'
    long_text = "Paragraph.\n" * 900
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            ["Name", "Purpose", "Stage"],
            [formula, "<script>alert(1)</script>", "Idea"],
            ["Essay", long_text, "Idea"],
        ]
    )
    client.force_login(compliance_officer)
    system_import = upload(client, out.getvalue().encode(), "register.csv")
    client.post(accept_proposals(client, system_import))
    system = AISystem.objects.get(purpose="<script>alert(1)</script>")
    assert system.name == formula
    assert AISystem.objects.get(name="Essay").purpose == long_text.strip()
    page = client.get(system.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    export = client.get(reverse("inventory:aisystem_export", args=["csv"])).getvalue().decode()
    names = [row[1] for row in csv.reader(io.StringIO(export.lstrip("\ufeff")))]
    assert "'" + formula in names


def test_the_user_corrects_a_value_mapping(client, compliance_officer):
    content = (HEADER + "Triage,Purpose,,Stage C,,,\n").encode()
    client.force_login(compliance_officer)
    system_import = upload(client, content)
    columns_url = reverse("inventory:import_columns", args=[system_import.pk])
    columns = client.get(columns_url).context["columns"]
    client.post(columns_url, {f"column-{c['index']}": c["field"] for c in columns})
    values = client.get(reverse("inventory:import_values", args=[system_import.pk]))
    (group,) = [g for g in values.context["groups"] if g["code"] == "lifecycle_stage"]
    assert group["values"] == [(0, "Stage C", None)]
    client.post(
        reverse("inventory:import_values", args=[system_import.pk]),
        {"value-lifecycle_stage-0": "deployment"},
    )
    client.post(reverse("inventory:import_preview", args=[system_import.pk]))
    assert AISystem.objects.get().lifecycle_stage == "deployment"


def test_a_saved_column_mapping_is_proposed_next_time(client, compliance_officer):
    content = b"System label,What it does,Where it stands\nTriage,Sorts claims,Idea\n"
    client.force_login(compliance_officer)
    system_import = upload(client, content)
    columns_url = reverse("inventory:import_columns", args=[system_import.pk])
    mapping = {"column-0": "name", "column-1": "purpose", "column-2": "lifecycle_stage"}
    client.post(columns_url, {**mapping, "remember": "1"})
    assert SavedColumnMapping.objects.filter(register="inventory.aisystem", field="name").exists()
    second = upload(client, content)
    columns = client.get(reverse("inventory:import_columns", args=[second.pk])).context["columns"]
    assert [c["field"] for c in columns] == ["name", "purpose", "lifecycle_stage"]


def test_one_field_cannot_take_two_columns(client, compliance_officer):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Title\nA,B\n")
    columns_url = reverse("inventory:import_columns", args=[system_import.pk])
    response = client.post(columns_url, {"column-0": "name", "column-1": "name"})
    assert "Each field can take one column only" in response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_is_refused_at_the_field(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.post(
        reverse("inventory:import_upload"),
        {"file": SimpleUploadedFile("../../etc/passwd.xlsx", b"PK\x03\x04garbage")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not SystemImport.objects.exists()


def test_the_stored_file_name_is_the_portals_own(client, compliance_officer):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose\nA,B\n", name="../../evil\\name.csv")
    assert system_import.file_name == "name.csv"
    assert ".." not in system_import.file.name and "evil" not in system_import.file.name


def test_auditors_cannot_import(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("inventory:import_upload")).status_code == 403


def test_an_import_runs_once(client, compliance_officer):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose,Stage\nA,B,Idea\n")
    preview_url = accept_proposals(client, system_import)
    client.post(preview_url)
    client.post(preview_url)
    with pytest.raises(ValidationError, match="imported already"):
        services.import_run(
            spec=AI_SYSTEMS, record=system_import, user=compliance_officer, skip_invalid=False
        )
    assert AISystem.objects.count() == 1


def test_an_ambiguous_owner_name_is_an_error_not_a_guess(client, compliance_officer):
    UserFactory(username="jmueller", first_name="Jan", last_name="Müller")
    UserFactory(username="jm2", first_name="Jan", last_name="Müller")
    content = "Name,Purpose,Stage,Owner\nTriage,Sorts,Idea,Jan Müller\nBot,Chats,Idea,jm2\n"
    client.force_login(compliance_officer)
    system_import = upload(client, content.encode())
    preview = client.get(accept_proposals(client, system_import)).context["preview"]
    assert [(row, message) for row, _label, message in preview.errors] == [
        (2, "“Jan Müller” names several users: jm2, jmueller. Use the user name.")
    ]
    assert preview.valid[0][1].owner.username == "jm2"


def test_a_deactivated_owner_and_a_repeated_reference_are_errors_of_their_row(
    client, compliance_officer
):
    UserFactory(username="sabine")
    UserFactory(username="left.company", is_active=False)
    content = (
        "KI-Inventar;;;;\r\n"
        "Stand: 01.12.2026;;;;\r\n"
        ";;;;\r\n"
        "Referenz;Name;Zweck;Lebenszyklusphase;Verantwortlich\r\n"
        "AIS-010;Triage;Sortiert Schäden;In Betrieb;sabine\r\n"
        "AIS-011;Chatbot;Beantwortet Fragen;In Betrieb;k.unbekannt\r\n"
        "AIS-012;Scoring;Bewertet Anträge;Idee;left.company\r\n"
        "AIS-010;Triage;Sortiert Schäden;In Betrieb;sabine\r\n"
        "AIS-013;Übersetzer;Übersetzt Briefe;Idee;\r\n"
    ).encode("cp1252")
    client.force_login(compliance_officer)
    system_import = upload(client, content, "KI-Inventar.csv")
    preview_url = accept_proposals(client, system_import)
    preview = client.get(preview_url).context["preview"]
    assert preview.errors == [
        (7, "System owner", "“left.company” is a deactivated user."),
        (8, "Reference", "The reference AIS-010 is already used."),
    ]
    client.post(preview_url, {"skip_invalid": "1"})
    assert list(AISystem.objects.order_by("reference").values_list("reference", "name")) == [
        ("AIS-010", "Triage"),
        ("AIS-011", "Chatbot"),
        ("AIS-013", "Übersetzer"),
    ]
    assert AISystem.objects.get(reference="AIS-010").owner.username == "sabine"
    # An owner who is no portal user is kept by name, to be linked to a user later.
    chatbot = AISystem.objects.get(reference="AIS-011")
    assert (chatbot.owner, chatbot.owner_name) == (None, "k.unbekannt")


def test_a_value_mapped_to_not_known_makes_the_row_invalid(client, compliance_officer):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose,Stage\nTriage,Sorts,Production\n")
    accept_proposals(client, system_import)
    client.post(
        reverse("inventory:import_values", args=[system_import.pk]),
        {"value-lifecycle_stage-0": ""},
    )
    preview = client.get(reverse("inventory:import_preview", args=[system_import.pk]))
    assert preview.context["preview"].invalid_rows == [2]


def test_too_long_cells_and_references_are_row_errors(client, compliance_officer):
    content = (
        "Reference,Name,Purpose,Stage,Review every\n"
        f"{'R' * 45},Long ref,Sorts,Idea,12\n"
        f"AIS-900,Long text,{'x' * 10_001},Idea,12\n"
        "AIS-901,Huge cadence,Sorts,Idea,99999999999\n"
    )
    client.force_login(compliance_officer)
    system_import = upload(client, content.encode())
    preview = client.get(accept_proposals(client, system_import)).context["preview"]
    labels = {(row, str(label)) for row, label, _message in preview.errors}
    assert labels == {
        (2, "Reference"),
        (3, "Purpose and intended use"),
        (4, "Review every (months)"),
    }


def test_references_clash_regardless_of_case(client, compliance_officer):
    AISystemFactory(reference="AIS-001")
    client.force_login(compliance_officer)
    system_import = upload(client, b"Reference,Name,Purpose,Stage\nais-001,Bot,Chats,Idea\n")
    preview = client.get(accept_proposals(client, system_import)).context["preview"]
    assert preview.invalid_rows == [2]


def test_someone_elses_import_cannot_be_continued(client, compliance_officer, make_user):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose,Stage\nBot,Chats,Idea\n")
    client.force_login(make_user("administrator"))
    for step in ("import_columns", "import_values", "import_preview"):
        url = reverse(f"inventory:{step}", args=[system_import.pk])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    assert not AISystem.objects.exists()


def test_read_only_roles_reach_no_step_of_the_wizard(client, compliance_officer, make_user):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose,Stage\nBot,Chats,Idea\n")
    for persona in ("auditor", "ai_officer", "system_owner"):
        client.force_login(make_user(persona))
        assert client.get(reverse("inventory:import_upload")).status_code == 403
        preview = reverse("inventory:import_preview", args=[system_import.pk])
        assert client.post(preview, {"skip_invalid": "1"}).status_code == 403
    assert not AISystem.objects.exists()


def test_a_file_with_no_valid_row_cannot_be_run(client, compliance_officer):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose,Stage\n,Chats,Idea\n")
    preview_url = accept_proposals(client, system_import)
    response = client.post(preview_url, {"skip_invalid": "1"}, follow=True)
    assert "No row can be imported." in response.content.decode()
    system_import.refresh_from_db()
    assert system_import.status == "uploaded"


def test_uploading_the_same_file_again_warns(client, compliance_officer):
    content = b"Name,Purpose,Stage\nBot,Chats,Idea\n"
    client.force_login(compliance_officer)
    client.post(accept_proposals(client, upload(client, content)))
    response = client.post(
        reverse("inventory:import_upload"),
        {"file": SimpleUploadedFile("again.csv", content)},
        follow=True,
    )
    assert "This very file was imported before" in response.content.decode()


def test_the_success_message_names_what_was_imported(client, compliance_officer):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose,Stage\nBot,Chats,Idea\nScorer,Ranks,Idea\n")
    response = client.post(accept_proposals(client, system_import), follow=True)
    status_url = reverse("inventory:import_status", args=[system_import.pk])
    assert response.redirect_chain[-1][0] == status_url
    page = response.content.decode()
    assert "2 AI systems imported." in page
    assert f'href="{system_import.get_absolute_url()}" id="import-next"' in page


def test_every_step_of_a_finished_import_leads_to_its_record(client, compliance_officer):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose,Stage\nBot,Chats,Idea\n")
    client.post(accept_proposals(client, system_import))
    for step in ("import_columns", "import_values", "import_preview"):
        response = client.get(reverse(f"inventory:{step}", args=[system_import.pk]))
        assert response.status_code == 302
        assert response.url == system_import.get_absolute_url()
    assert AISystem.objects.count() == 1


def test_totals_under_the_data_are_left_out_and_named(client, compliance_officer):
    content = "Name;Purpose;Stage\nBot;Chats;Idea\nScorer;Ranks;Idea\nTotal;;2\n"
    client.force_login(compliance_officer)
    system_import = upload(client, content.encode())
    page = client.get(reverse("inventory:import_columns", args=[system_import.pk]))
    assert "Row 4 below the data looks like a total or a note" in page.content.decode()
    client.post(accept_proposals(client, system_import))
    assert sorted(AISystem.objects.values_list("name", flat=True)) == ["Bot", "Scorer"]


def test_without_a_name_column_the_columns_step_says_what_is_missing(client, compliance_officer):
    client.force_login(compliance_officer)
    system_import = upload(client, b"Name,Purpose\nBot,Chats\n")
    response = client.post(
        reverse("inventory:import_columns", args=[system_import.pk]), {"column-1": "purpose"}
    )
    page = response.content.decode()
    assert "Choose a column for: Name, Life-cycle stage." in page
    assert 'aria-describedby="columns-error"' in page
