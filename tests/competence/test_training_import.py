"""Training records from an HR export through the import wizard: the person matched by e-mail,
then by name; an unknown person, a date that is not a date, a valid-until before the date, a
formula and a training listed twice are errors named by row, and nothing is imported until
those rows are skipped."""

from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aims.competence.imports import TRAININGS, person_named
from aims.competence.models import TrainingImport, TrainingRecord
from aims.core.imports.proposals import normalize
from tests.factories import CompetenceRequirementFactory, PersonFactory

FIXTURES = Path(__file__).parent / "fixtures"
XLSX = FIXTURES / "training_de.xlsx"
CSV = FIXTURES / "training_semicolon_bom.csv"

pytestmark = pytest.mark.usefixtures("tasks_in_process")


def step_url(step, record):
    return reverse(f"competence:{step}", args=[record.pk])


def upload(client, path):
    response = client.post(
        reverse("competence:import_upload"),
        {"file": SimpleUploadedFile(path.name, path.read_bytes())},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return TrainingImport.objects.latest("pk")


def accept_proposals(client, record):
    page = client.get(step_url("import_columns", record))
    assert page.status_code == 200
    data = {f"column-{c['index']}": c["field"] for c in page.context["columns"]}
    assert client.post(step_url("import_columns", record), data).status_code == 302
    page = client.get(step_url("import_values", record))
    if page.status_code == 200:
        client.post(
            step_url("import_values", record),
            {
                f"value-{group['code']}-{position}": proposed or ""
                for group in page.context["groups"]
                for position, _text, proposed in group["values"]
            },
        )
    return step_url("import_preview", record)


def errors_by_row(preview):
    rows = {}
    for number, _label, message in preview.errors:
        rows.setdefault(number, []).append(message)
    return rows


@pytest.fixture
def people(db):
    anna = PersonFactory(name="Anna Berger", email="anna.berger@example.com")
    bernd = PersonFactory(name="Bernd Maier", email="")  # an operator without an account
    return anna, bernd


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Mitarbeiter/in", "person"),
        ("E-Mail", "person"),
        ("Schulung", "course"),
        ("Gültig bis", "valid_until"),
        ("Datum", "completed_on"),
        ("Anbieter", "provider"),
        ("Completion date", "completed_on"),
        ("Expiry date", "valid_until"),
    ],
)
def test_hr_export_headers_propose_their_fields(header, field):
    assert TRAININGS.propose_columns([header]) == {0: field}


@pytest.mark.django_db
def test_a_person_is_found_by_e_mail_then_by_name_and_an_unknown_one_is_named(people):
    anna, bernd = people
    assert person_named("ANNA.BERGER@example.com") == anna
    assert person_named(" bernd  maier ") == bernd
    with pytest.raises(ValueError, match="“nobody@example.com” is not in the people register"):
        person_named("nobody@example.com")


@pytest.mark.django_db
def test_the_hr_workbook_names_bad_rows_and_imports_nothing_until_they_are_skipped(
    client, compliance_officer, people
):
    anna, bernd = people
    oversight = CompetenceRequirementFactory(satisfied_by="Menschliche Aufsicht AIS-003")
    client.force_login(compliance_officer)
    record = upload(client, XLSX)
    preview_url = accept_proposals(client, record)
    record.refresh_from_db()
    assert set(record.column_mapping.values()) == {
        "person",
        "course",
        "kind",
        "completed_on",
        "valid_until",
        "provider",
    }
    preview = client.get(preview_url).context["preview"]
    errors = errors_by_row(preview)
    assert sorted(errors) == [4, 7, 8, 9, 10, 11]
    assert errors[4] == errors[10] == ["Rows 4, 10 list the same training; keep one of them."]
    assert "“zoe.unbekannt@example.com” is not in the people register" in errors[7][0]
    assert "“demnächst” is not a date" in errors[8][0]
    assert errors[9] == ["Valid until must not be before the date of the training."]
    # A formula without a calculated value is reported as such, never read as its text.
    assert "“=E6+730” is a formula without a calculated value" in errors[11][0]
    assert [number for number, _obj in preview.valid] == [6, 12]

    response = client.post(preview_url, {}, follow=True)
    assert "Skip them explicitly" in response.content.decode()
    assert TrainingRecord.objects.count() == 0

    client.post(preview_url, {"skip_invalid": "1"})
    record.refresh_from_db()
    assert record.status == TrainingImport.Status.IMPORTED
    assert (record.rows_imported, record.rows_skipped) == (2, 6)
    records = {normalize(r.course): r for r in TrainingRecord.objects.all()}
    aufsicht = records["menschliche aufsicht ais 003"]
    assert aufsicht.person == bernd
    assert aufsicht.completed_on == date(2026, 2, 3)
    assert aufsicht.valid_until == date(2027, 2, 3)
    assert aufsicht.provider == "Intern"
    assert list(aufsicht.requirements.all()) == [oversight]
    assert records["datenschutz fuer ki systeme"].person == bernd
    assert aufsicht.history.first().history_user == compliance_officer


@pytest.mark.django_db
def test_a_semicolon_csv_with_a_byte_order_mark_imports_and_refuses_a_second_time(
    client, compliance_officer, people
):
    anna, bernd = people
    client.force_login(compliance_officer)
    record = upload(client, CSV)
    preview_url = accept_proposals(client, record)
    preview = client.get(preview_url).context["preview"]
    assert sorted(errors_by_row(preview)) == [4]
    client.post(preview_url, {"skip_invalid": "1"})
    assert TrainingRecord.objects.filter(person=anna).get().course == (
        "Menschliche Aufsicht AIS-003"
    )
    assert TrainingRecord.objects.filter(person=bernd).get().valid_until == date(2028, 6, 1)

    again = upload(client, CSV)
    preview = client.get(accept_proposals(client, again)).context["preview"]
    assert sorted(errors_by_row(preview)) == [2, 3, 4]
    assert "recorded already" in errors_by_row(preview)[2][0]


@pytest.mark.django_db
def test_the_auditor_imports_nothing(client, auditor):
    client.force_login(auditor)
    response = client.post(
        reverse("competence:import_upload"),
        {"file": SimpleUploadedFile(CSV.name, CSV.read_bytes())},
    )
    assert response.status_code == 403
    assert not TrainingImport.objects.exists()
