"""Workbooks with several sheets: every sheet is read once at upload and measured, the sheet
with the register is proposed, another can be chosen; the later steps never read the upload
again. The column step names every field the register requires."""

import pytest
from django.urls import reverse

from aims.core.imports import parsing
from aims.core.models import SavedColumnMapping
from aims.inventory.imports import AI_SYSTEMS
from aims.inventory.models import AISystem, SystemImport
from tests.import_fixtures import cover_notes_register, post_proposals, register_rows, upload

pytestmark = pytest.mark.usefixtures("tasks_in_process")


def test_every_sheet_is_measured_and_the_register_is_proposed():
    parsed = parsing.read_file(
        cover_notes_register(register_rows(30)), "inventory.xlsx", AI_SYSTEMS.aliases
    )
    counts = {sheet.name: (sheet.rows, sheet.columns) for sheet in parsed.sheets}
    # The register: 30 rows (the duplicate included) under its header, 6 columns.
    assert counts["Register"] == (30, 6)
    assert counts["Notes"][1] == 2
    assert parsed.proposed_sheet == "Register"
    table = parsed.table(None, AI_SYSTEMS.aliases)
    assert (table.sheet, table.header_row, len(table.rows)) == ("Register", 3, 30)
    assert table.rows[0] == (
        4,
        ["AIS-001", "System 1", "Sorts case 1", "IT", "In Betrieb", "01.07.2027"],
    )


def test_the_column_step_lists_every_sheet_with_its_counts(client, compliance_officer):
    client.force_login(compliance_officer)
    record = upload(client, "inventory", SystemImport, cover_notes_register(register_rows(12)))
    assert (record.sheet, record.rows_total) == ("Register", 12)
    page = client.get(reverse("inventory:import_columns", args=[record.pk]))
    sheets = page.context["table"].sheets
    assert [name for name, _rows, _columns in sheets] == ["Cover", "Notes", "Register"]
    assert ("Register", 12, 6) in sheets
    html = page.content.decode()
    assert "Register (12 data rows, 6 columns)" in html
    assert "Cover (2 data rows, 2 columns)" in html


def test_the_later_steps_and_another_sheet_need_not_read_the_upload_again(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    record = upload(client, "inventory", SystemImport, cover_notes_register(register_rows(8)))
    # The upload is gone after it was read: every step works from the sheets kept then.
    record.file.storage.delete(record.file.name)
    columns_url = reverse("inventory:import_columns", args=[record.pk])
    assert client.post(columns_url, {"sheet": "Notes"}).status_code == 302
    record.refresh_from_db()
    assert (record.sheet, record.status) == ("Notes", record.Status.PARSED)
    assert client.post(columns_url, {"sheet": "Register"}).status_code == 302
    record.refresh_from_db()
    preview_url = post_proposals(client, "inventory", record)
    preview = client.get(preview_url).context["preview"]
    # The last row repeats the first system's ID: an error of its row, not created twice.
    assert (len(preview.valid), preview.invalid_rows) == (7, [11])
    assert client.post(preview_url, {"skip_invalid": "1"}).status_code == 302
    assert AISystem.objects.filter(name__startswith="System ").count() == 7


def test_a_sheet_the_workbook_lacks_is_refused_with_its_sheets(client, compliance_officer):
    client.force_login(compliance_officer)
    record = upload(client, "inventory", SystemImport, cover_notes_register(register_rows(3)))
    columns_url = reverse("inventory:import_columns", args=[record.pk])
    response = client.post(columns_url, {"sheet": "2027"}, follow=True)
    assert "Its sheets are: Cover, Notes, Register." in response.content.decode()
    record.refresh_from_db()
    assert record.sheet == "Register"


def test_the_column_step_names_every_required_field_and_marks_the_unmapped(
    client, compliance_officer
):
    assert AI_SYSTEMS.required == ("name", "purpose", "lifecycle_stage")
    client.force_login(compliance_officer)
    record = upload(client, "inventory", SystemImport, cover_notes_register(register_rows(3)))
    columns_url = reverse("inventory:import_columns", args=[record.pk])
    page = client.get(columns_url)
    assert [(str(label), mapped) for label, mapped in page.context["required"]] == [
        ("Name", True),
        ("Purpose and intended use", True),
        ("Life-cycle stage", True),
    ]
    proposed = {c["field"]: c["index"] for c in page.context["columns"] if c["field"]}
    data = {f"column-{index}": code for code, index in proposed.items()}
    data[f"column-{proposed['purpose']}"] = ""
    response = client.post(columns_url, data)
    assert response.status_code == 200
    assert response.context["error"] == "Choose a column for: Purpose and intended use."
    assert ("Purpose and intended use", False) in [
        (str(label), mapped) for label, mapped in response.context["required"]
    ]
    assert "required-unmapped" in response.content.decode()


def test_ignored_columns_and_value_choices_are_offered_again_next_time(client, compliance_officer):
    client.force_login(compliance_officer)
    content = cover_notes_register(register_rows(4))
    first = upload(client, "inventory", SystemImport, content)
    columns = client.get(reverse("inventory:import_columns", args=[first.pk])).context["columns"]
    review = next(c["index"] for c in columns if c["field"] == "next_review")
    # The user leaves the review dates out and says "Pilot" means retired here (odd, but theirs).
    columns_url = reverse("inventory:import_columns", args=[first.pk])
    data = {f"column-{c['index']}": c["field"] for c in columns}
    data[f"column-{review}"] = ""
    assert client.post(columns_url, {**data, "remember": "1"}).status_code == 302
    values_url = reverse("inventory:import_values", args=[first.pk])
    groups = client.get(values_url).context["groups"]
    stage = next(group for group in groups if group["code"] == "lifecycle_stage")
    answers = {
        f"value-{group['code']}-{position}": proposed or ""
        for group in groups
        for position, _text, proposed in group["values"]
    }
    pilot = next(position for position, text, _p in stage["values"] if text == "Pilot")
    assert answers[f"value-lifecycle_stage-{pilot}"] != "retired"
    answers[f"value-lifecycle_stage-{pilot}"] = "retired"
    assert client.post(values_url, {**answers, "remember": "1"}).status_code == 302
    assert SavedColumnMapping.objects.filter(register="inventory.aisystem", field="").exists()

    second = upload(client, "inventory", SystemImport, content, name="again.xlsx")
    columns = client.get(reverse("inventory:import_columns", args=[second.pk])).context["columns"]
    assert next(c for c in columns if c["index"] == review)["field"] == ""
    assert "next_review" not in {c["field"] for c in columns}
    client.post(
        reverse("inventory:import_columns", args=[second.pk]),
        {f"column-{c['index']}": c["field"] for c in columns},
    )
    groups = client.get(reverse("inventory:import_values", args=[second.pk])).context["groups"]
    stage = next(group for group in groups if group["code"] == "lifecycle_stage")
    assert ("Pilot", "retired") in [(text, proposed) for _p, text, proposed in stage["values"]]


def test_value_choices_are_remembered_only_when_asked_like_columns(client, compliance_officer):
    client.force_login(compliance_officer)
    content = cover_notes_register(register_rows(4))
    record = upload(client, "inventory", SystemImport, content)
    columns_url = reverse("inventory:import_columns", args=[record.pk])
    columns = client.get(columns_url).context["columns"]
    data = {f"column-{c['index']}": c["field"] for c in columns}
    assert client.post(columns_url, data).status_code == 302
    values_url = reverse("inventory:import_values", args=[record.pk])
    page = client.get(values_url)
    assert 'name="remember"' in page.content.decode()
    answers = {
        f"value-{group['code']}-{position}": proposed or ""
        for group in page.context["groups"]
        for position, _text, proposed in group["values"]
    }
    assert client.post(values_url, answers).status_code == 302
    assert not SavedColumnMapping.objects.exists()
