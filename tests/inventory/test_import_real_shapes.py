"""AI-system registers shaped like the public ones organisations publish, through the
wizard as a user does: proposals accepted as offered, then the rows proposed, valid and
imported asserted exactly."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from aims.inventory.models import AISystem, SystemImport
from tests import import_fixtures as fixtures
from tests.factories import AISystemFactory, UserFactory

pytestmark = pytest.mark.usefixtures("tasks_in_process")

USE_CASE_PROPOSAL = {
    0: "business_unit",
    1: "reference",
    2: "name",
    3: "purpose",
    4: "lifecycle_stage",
    5: "personal_data",
    6: "owner",
}


def wizard(client, content, name, **kwargs):
    return fixtures.run_wizard(client, "inventory", SystemImport, content, name, **kwargs)


def invalid_rows(context):
    return context["preview"].invalid_rows


def test_an_agency_inventory_is_imported_as_proposed(client, compliance_officer):
    client.force_login(compliance_officer)
    record, proposed, context = wizard(client, fixtures.agency_inventory(), "inventory.csv")
    assert proposed == USE_CASE_PROPOSAL
    # Pre-deployment (rows 4 and 9) names no stage: left to the user, so those rows wait.
    assert (record.rows_total, len(context["preview"].valid)) == (10, 8)
    assert invalid_rows(context) == [4, 9]
    record = fixtures.confirm(client, "inventory", record, skip_invalid="1")
    assert (record.rows_imported, record.rows_skipped) == (8, 2)
    stages = dict(AISystem.objects.values_list("reference", "lifecycle_stage"))
    assert stages == {
        "DOL-0001": "retired",
        "DOJ-0002": "retired",
        "DOJ-0004": "operation",
        "DOL-0005": "verification",
        "DOJ-0006": "retired",
        "DOL-0007": "retired",
        "DOL-0009": "operation",
        "DOJ-0010": "verification",
    }
    first = AISystem.objects.get(reference="DOL-0001")
    assert (first.name, first.business_unit) == (
        "Use case 1: document triage",
        "Department of Labor",
    )
    assert first.purpose.endswith("a person decides.\nSecond line.")
    # Blank yes/no cells stay unknown, never "no".
    personal = dict(AISystem.objects.values_list("reference", "personal_data"))
    assert (personal["DOL-0001"], personal["DOJ-0002"], personal["DOJ-0006"]) == (
        False,
        None,
        True,
    )


def test_owners_who_are_no_users_are_kept_and_linked_later(client, compliance_officer):
    client.force_login(compliance_officer)
    record, _proposed, _context = wizard(client, fixtures.agency_inventory(4), "inventory.csv")
    fixtures.confirm(client, "inventory", record, skip_invalid="1")
    system = AISystem.objects.get(reference="DOL-0001")
    assert (system.owner, system.owner_name, system.owner_email) == (
        None,
        "Person 1",
        "person1@agency.example",
    )
    page = client.get(system.get_absolute_url())
    assert "person1@agency.example" in page.content.decode()
    person = UserFactory(username="person1", email="Person1@agency.example")
    call_command("link_named_owners", stdout=io.StringIO())
    system.refresh_from_db()
    assert (system.owner, system.owner_name, system.owner_email) == (person, "", "")


def test_a_workbook_with_a_cover_sheet_is_imported_from_its_register_sheet(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    record, proposed, context = wizard(
        client, fixtures.cover_sheet_inventory(), "agency.xlsx", sheet="Inventory"
    )
    assert (record.sheet, proposed) == ("Inventory", USE_CASE_PROPOSAL)
    assert (record.rows_total, len(context["preview"].valid)) == (10, 8)
    record = fixtures.confirm(client, "inventory", record, skip_invalid="1")
    assert record.rows_imported == 8


def test_blank_yes_no_cells_are_imported_as_not_known(client, compliance_officer):
    client.force_login(compliance_officer)
    record, proposed, context = wizard(client, fixtures.blank_booleans_inventory(), "b.csv")
    assert proposed == {
        0: "name",
        1: "purpose",
        2: "lifecycle_stage",
        3: "personal_data",
        4: "special_category_data",
    }
    assert (len(context["preview"].valid), invalid_rows(context)) == (3, [])
    assert fixtures.confirm(client, "inventory", record).rows_imported == 3
    answers = {s.name: (s.personal_data, s.special_category_data) for s in AISystem.objects.all()}
    assert answers == {
        "Chatbot": (True, False),
        "OCR": (None, None),
        "Scorer": (None, None),
    }


def test_rows_without_ids_that_repeat_entries_are_skipped_or_update_them(
    client, compliance_officer
):
    for name, purpose in (("Chatbot", "Answers questions"), ("OCR", "Reads forms")):
        AISystemFactory(
            name=name,
            purpose=purpose,
            lifecycle_stage="operation",
            personal_data=(name == "Chatbot"),
            special_category_data=False,
        )
    scorer = AISystemFactory(name="Scorer", purpose="Ranks leads", lifecycle_stage="operation")
    client.force_login(compliance_officer)
    record, _proposed, context = wizard(client, fixtures.duplicates_inventory(), "dup.csv")
    assert len(context["preview"].valid) == 4
    matches = {m.number: (m.entry, m.exact, m.action) for m in context["matches"]}
    assert matches == {
        2: (AISystem.objects.get(name="Chatbot"), True, "skip"),
        3: (AISystem.objects.get(name="OCR"), True, "skip"),
        4: (scorer, False, "update"),
    }
    record = fixtures.confirm(client, "inventory", record)
    assert (record.rows_imported, record.rows_skipped) == (2, 2)
    scorer.refresh_from_db()
    assert scorer.purpose == "Ranks leads and flags churn"
    assert sorted(AISystem.objects.values_list("name", flat=True)) == [
        "Chatbot",
        "OCR",
        "Scorer",
        "Translator",
    ]


def test_the_user_may_create_a_matched_row_anyway(client, compliance_officer):
    AISystemFactory(name="Chatbot", purpose="Answers questions", lifecycle_stage="operation")
    client.force_login(compliance_officer)
    record, _proposed, context = wizard(client, fixtures.duplicates_inventory(), "dup.csv")
    assert [(m.number, m.action) for m in context["matches"]] == [(2, "update")]
    record = fixtures.confirm(client, "inventory", record, **{"duplicate-2": "create"})
    assert record.rows_imported == 4
    assert AISystem.objects.filter(name="Chatbot").count() == 2


def test_the_same_content_as_xlsx_after_csv_is_recognised(client, compliance_officer):
    client.force_login(compliance_officer)
    first, _proposed, context = wizard(client, fixtures.same_content("csv"), "register.csv")
    assert len(context["preview"].valid) == 2
    first = fixtures.confirm(client, "inventory", first)
    assert first.rows_imported == 2
    second, _proposed, context = wizard(client, fixtures.same_content("xlsx"), "register.xlsx")
    assert second.sha256 != first.sha256
    assert (second.fingerprint, context["earlier"]) == (first.fingerprint, first)
    assert len(context["preview"].valid) == 2
    assert [(m.number, m.exact, m.action) for m in context["matches"]] == [
        (2, True, "skip"),
        (3, True, "skip"),
    ]
    url = reverse("inventory:import_preview", args=[second.pk])
    client.post(url)
    second.refresh_from_db()
    assert (second.status, second.rows_imported) == ("uploaded", 0)
    assert AISystem.objects.count() == 2


def test_a_register_with_one_record_per_column_is_offered_transposed(client, compliance_officer):
    client.force_login(compliance_officer)
    record, proposed, context = wizard(
        client, fixtures.transposed_register(), "systems.xlsx", transposed=True
    )
    assert record.transposed
    assert proposed == {
        1: "name",
        2: "purpose",
        3: "lifecycle_stage",
        4: "business_unit",
        5: "personal_data",
    }
    assert (record.rows_total, len(context["preview"].valid)) == (3, 3)
    assert fixtures.confirm(client, "inventory", record).rows_imported == 3
    stages = dict(AISystem.objects.values_list("name", "lifecycle_stage"))
    assert stages == {"Chatbot": "verification", "OCR": "retired", "Scorer": "operation"}


def test_records_in_columns_can_be_read_back_in_rows(client, compliance_officer):
    """The offer shows only where the field names run down the first column; it toggles."""
    client.force_login(compliance_officer)
    _record, _proposed, context = wizard(client, fixtures.agency_inventory(4), "inventory.csv")
    page = client.get(reverse("inventory:import_columns", args=[context["record"].pk]))
    assert not page.context["offer_transpose"]

    client.post(
        reverse("inventory:import_upload"),
        {"file": SimpleUploadedFile("systems.xlsx", fixtures.transposed_register())},
    )
    record = SystemImport.objects.latest("pk")
    in_rows = record.rows_total
    url = reverse("inventory:import_columns", args=[record.pk])
    page = client.get(url)
    assert page.context["offer_transpose"] and "Records are in columns" in page.content.decode()
    assert client.post(url, {"transpose": "1"}).status_code == 302
    page = client.get(url)
    assert page.context["table"].headers[:3] == ["Field", "Name", "Purpose"]
    assert "Records are in rows" in page.content.decode()
    assert client.post(url, {"transpose": "1"}).status_code == 302
    record.refresh_from_db()
    assert (record.transposed, record.rows_total, record.column_mapping) == (False, in_rows, {})
    assert client.get(url).context["offer_transpose"]


def test_imported_systems_are_found_by_the_global_search(client, compliance_officer):
    """Imported rows are created in bulk (no post_save): the import indexes them itself."""
    client.force_login(compliance_officer)
    record, _proposed, _context = wizard(client, fixtures.agency_inventory(4), "inventory.csv")
    fixtures.confirm(client, "inventory", record, skip_invalid="1")
    system = AISystem.objects.get(reference="DOL-0001")
    response = client.get(reverse("core:search"), {"q": system.name})
    hits = {hit.url for group in response.context["groups"] for hit in group.hits}
    assert system.get_absolute_url() in hits
