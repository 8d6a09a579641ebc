"""Importing an audit checklist from a spreadsheet into one audit: references the standard does
not have are errors on their rows and nothing is imported until they are skipped; a clause
already on the checklist is updated, not duplicated; only the audit's team (or a compliance
officer) imports, and never into a closed audit."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aims.core.imports.services import import_preview, import_read
from audits.internal.imports import CHECKLIST, named_subject, reference_code
from audits.models import Audit, AuditResult, ChecklistImport, ChecklistImportRow, Clause
from controls.models import Control
from tests.factories import AuditFactory, ChecklistItemFactory, UserFactory

FIXTURES = Path(__file__).parent / "fixtures"
XLSX = FIXTURES / "checklist_de.xlsx"
CSV = FIXTURES / "checklist_en_semicolon_bom.csv"

pytestmark = pytest.mark.usefixtures("tasks_in_process")


def upload_url(audit):
    return reverse("audits:checklist_import:import_upload") + f"?audit={audit.pk}"


def step_url(step, record):
    return reverse(f"audits:checklist_import:{step}", args=[record.pk])


def upload(client, audit, path):
    response = client.post(
        upload_url(audit), {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return ChecklistImport.objects.latest("pk")


def accept_proposals(client, record):
    """Post the columns and values exactly as the wizard proposes them; the preview's URL."""
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
def lead(internal_auditor):
    return internal_auditor


@pytest.fixture
def audit(lead):
    """An audit in progress led by the internal auditor, with 8.4 on its checklist."""
    audit = AuditFactory(lead_auditor=lead, status=Audit.Status.IN_PROGRESS)
    ChecklistItemFactory(
        audit=audit,
        clause=Clause.objects.get(code="8.4"),
        question="AI system impact assessment",
        position=1,
    )
    return audit


# The cell's own words, without the wizard ------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("A.6.2.4", "A.6.2.4"),
        ("a.6.2.4", "A.6.2.4"),
        ("A. 6.2.4", "A.6.2.4"),
        ("A.6.2.4 Verification and validation", "A.6.2.4"),
        ("Annex A.6.2.4", "A.6.2.4"),
        ("6.1.2", "6.1.2"),
        ("6.1.2.", "6.1.2"),
        ("  6.1.2  ", "6.1.2"),
        ("Clause 6.1.2", "6.1.2"),
        ("Klausel 6.1.2", "6.1.2"),
        ("ISO/IEC 42001 6.1.2", "6.1.2"),
        ("ISO/IEC 42001:2023, 6.1.2", "6.1.2"),
        ("6.1.2 AI risk assessment", "6.1.2"),
        ("nothing to see", ""),
    ],
)
def test_a_reference_is_read_in_the_shapes_checklists_write_it(cell, code):
    assert reference_code(cell) == code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("8.7", "Clause 8.7 does not exist in ISO/IEC 42001"),
        ("11", "Clause 11 does not exist in ISO/IEC 42001"),
        ("A.6.1.1", "Control A.6.1.1 does not exist in ISO/IEC 42001"),
        ("A.11.2", "Control A.11.2 does not exist in ISO/IEC 42001"),
        (
            "6.1",
            "6.1 is a heading of ISO/IEC 42001; its sub-clauses are audited: "
            "6.1.1, 6.1.2, 6.1.3, 6.1.4.",
        ),
        ("9.2", "its sub-clauses are audited: 9.2.1, 9.2.2."),
        ("A.6", "A.6 is an objective of ISO/IEC 42001 Annex A, not a control"),
        ("3.1", "holds no requirement to audit"),
        ("AIS-001", "names neither a clause (4.1 to 10.2) nor an Annex A control"),
        ("", "Empty: name the clause or Annex A control"),
    ],
)
def test_a_reference_the_standard_does_not_have_is_refused_with_the_reason(cell, message):
    with pytest.raises(ValueError, match=None) as refused:
        named_subject(cell)
    assert message in str(refused.value)


@pytest.mark.django_db
def test_a_leaf_clause_and_an_annex_a_control_are_found():
    assert named_subject("Clause 6.1.2") == Clause.objects.get(code="6.1.2")
    assert named_subject("a.6.2.4 ") == Control.objects.get(framework="iso42001", code="A.6.2.4")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("Konform", AuditResult.CONFORMING),
        ("Conforming", AuditResult.CONFORMING),
        ("OK", AuditResult.CONFORMING),
        ("nicht konform", AuditResult.MINOR),
        ("not ok", AuditResult.MINOR),
        ("Nebenabweichung", AuditResult.MINOR),
        ("Minor NC", AuditResult.MINOR),
        ("Major NC", AuditResult.MAJOR),
        ("Hauptabweichung", AuditResult.MAJOR),
        ("Beobachtung", AuditResult.OBSERVATION),
        ("OFI", AuditResult.IMPROVEMENT),
        ("Verbesserungspotenzial", AuditResult.IMPROVEMENT),
        ("Nicht auditiert", AuditResult.NOT_AUDITED),
    ],
)
def test_results_are_proposed_from_english_and_german_words_a_negation_never_conforms(text, result):
    assert CHECKLIST.propose_value("result", text) == result


# The wizard, from the audit's page --------------------------------------------------------------


@pytest.mark.django_db
def test_the_german_workbook_flags_bad_references_by_row_and_imports_nothing_until_skipped(
    client, lead, audit
):
    client.force_login(lead)
    record = upload(client, audit, XLSX)
    assert record.audit == audit
    preview_url = accept_proposals(client, record)
    record.refresh_from_db()
    # "Nr." holds the checklist's own IDs, not a reference.
    assert set(record.column_mapping.values()) == {"reference", "question", "result", "notes"}

    page = client.get(preview_url)
    errors = errors_by_row(page.context["preview"])
    assert sorted(errors) == [5, 8, 9, 10, 12, 13, 14]
    # A formula the workbook keeps no value of is reported, never imported as its text.
    assert "is a formula without a calculated value" in errors[8][0]
    assert "Clause 8.7 does not exist in ISO/IEC 42001" in errors[9][0]
    assert "Control A.6.1.1 does not exist in ISO/IEC 42001" in errors[10][0]
    assert "Control A.11.2 does not exist in ISO/IEC 42001" in errors[12][0]
    assert "6.1.1, 6.1.2, 6.1.3, 6.1.4" in errors[13][0]
    assert (
        errors[5]
        == errors[14]
        == ["6.1.2 is named by rows 5, 14; keep one row per clause or control."]
    )
    assert "Control A.11.2 does not exist" in page.content.decode()

    # Confirmed without skipping: refused, nothing created or changed.
    response = client.post(preview_url, {}, follow=True)
    assert "Skip them explicitly" in response.content.decode()
    assert ChecklistImportRow.objects.count() == 0
    assert audit.checklist.count() == 1
    assert audit.checklist.get().result == ""

    client.post(preview_url, {"skip_invalid": "1"})
    record.refresh_from_db()
    assert record.status == ChecklistImport.Status.IMPORTED
    assert (record.rows_imported, record.rows_skipped) == (3, 7)
    items = {item.subject_code: item for item in audit.checklist.all()}
    assert sorted(items) == ["8.4", "9.2.1", "A.7.4"]
    # 8.4 was on the checklist: updated, not duplicated.
    assert items["8.4"].result == AuditResult.MINOR
    assert items["8.4"].question.startswith("Werden KI-Folgenabschätzungen")
    assert items["8.4"].notes == "Zwei von fünf Systemen ohne Folgenabschätzung."
    assert items["A.7.4"].result == AuditResult.IMPROVEMENT
    assert items["9.2.1"].result == AuditResult.NOT_AUDITED
    assert items["8.4"].history.first().history_user == lead
    outcomes = dict(record.rows.values_list("reference", "outcome"))
    assert outcomes == {
        "8.4": "updated",
        "A.7.4": "created",
        "9.2.1": "created",
    }
    assert not Clause.objects.filter(code="8.7").exists()


@pytest.mark.django_db
def test_a_semicolon_csv_with_a_byte_order_mark_imports_into_the_audit(
    client, compliance_officer, audit
):
    client.force_login(compliance_officer)
    record = upload(client, audit, CSV)
    preview_url = accept_proposals(client, record)
    preview = client.get(preview_url).context["preview"]
    assert errors_by_row(preview) == {
        6: [
            "Control A.11.2 does not exist in ISO/IEC 42001 (Annex A has A.2.2 to A.10.4); "
            "nothing is created for it."
        ]
    }
    assert [number for number, _row in preview.valid] == [2, 3, 4]
    client.post(preview_url, {"skip_invalid": "1"})
    items = {item.subject_code: item for item in audit.checklist.all()}
    assert sorted(items) == ["6.1.2", "7.5.3", "8.4", "A.6.2.4"]
    assert items["A.6.2.4"].result == AuditResult.MAJOR
    assert items["6.1.2"].notes == "Sampled 10 risks; all had owners."
    assert items["7.5.3"].result == AuditResult.IMPROVEMENT


@pytest.mark.django_db
def test_a_second_import_updates_the_items_the_first_one_created(client, lead, audit):
    client.force_login(lead)
    for _round in range(2):
        record = upload(client, audit, CSV)
        client.post(accept_proposals(client, record), {"skip_invalid": "1"})
    assert audit.checklist.count() == 4
    assert dict(record.rows.values_list("reference", "outcome")) == {
        "6.1.2": "updated",
        "A.6.2.4": "updated",
        "7.5.3": "updated",
    }


@pytest.mark.django_db
def test_the_preview_says_which_rows_add_and_which_update_items(client, lead, audit):
    client.force_login(lead)
    record = upload(client, audit, XLSX)
    accept_proposals(client, record)
    record.refresh_from_db()
    preview = import_preview(CHECKLIST, record, import_read(CHECKLIST, record), user=lead)
    outcomes = {obj.reference: obj.outcome for _number, obj in preview.valid}
    assert outcomes["8.4"] == "updated"
    assert outcomes["A.7.4"] == "created"


# Who may import, and into what -----------------------------------------------------------------


@pytest.mark.django_db
def test_an_internal_auditor_of_another_team_gets_404_on_every_step(client, lead, audit):
    client.force_login(lead)
    record = upload(client, audit, CSV)
    other = UserFactory(role="Internal Auditor")
    AuditFactory(lead_auditor=other)
    client.force_login(other)
    assert client.get(upload_url(audit)).status_code == 404
    for step in ("import_columns", "import_values", "import_preview", "import_status"):
        assert client.get(step_url(step, record)).status_code == 404, step


@pytest.mark.django_db
def test_the_auditor_imports_nothing(client, auditor, audit):
    client.force_login(auditor)
    response = client.post(
        upload_url(audit), {"file": SimpleUploadedFile(CSV.name, CSV.read_bytes())}
    )
    assert response.status_code == 404
    assert ChecklistImport.objects.count() == 0


@pytest.mark.django_db
def test_the_upload_without_an_audit_sends_to_the_audits(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.get(reverse("audits:checklist_import:import_upload"), follow=True)
    assert response.redirect_chain == [(reverse("audits:audit_list"), 302)]
    assert "Start the checklist import from the audit&#x27;s page." in response.content.decode()


@pytest.mark.django_db
def test_a_closed_audit_takes_no_import(client, lead, audit):
    client.force_login(lead)
    record = upload(client, audit, CSV)
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.CLOSED)
    response = client.get(upload_url(audit))
    assert response.status_code == 302
    assert response["Location"] == audit.get_absolute_url()
    assert client.get(step_url("import_preview", record)).status_code == 302
    assert ChecklistImport.objects.count() == 1
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Download the audit report (PDF)" in page
    assert "Import a checklist" not in page


@pytest.mark.django_db
def test_an_audit_closed_while_importing_refuses_the_import_and_keeps_the_checklist(
    client, lead, audit
):
    client.force_login(lead)
    record = upload(client, audit, CSV)
    preview_url = accept_proposals(client, record)
    client.get(preview_url)
    Audit.objects.filter(pk=audit.pk).update(status=Audit.Status.CLOSED)
    from aims.core.imports.services import import_run

    with pytest.raises(Exception, match="closed audit"):
        import_run(spec=CHECKLIST, record=record, user=lead, skip_invalid=True)
    assert audit.checklist.count() == 1
    assert ChecklistImportRow.objects.count() == 0


@pytest.mark.django_db
def test_the_audit_page_offers_the_import_only_to_who_may_change_the_audit(
    client, lead, auditor, audit
):
    client.force_login(lead)
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Download the audit report (PDF)" in page
    assert upload_url(audit).replace("&", "&amp;") in page or upload_url(audit) in page
    client.force_login(auditor)
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Download the audit report (PDF)" in page
    assert "Import a checklist" not in page


@pytest.mark.django_db
def test_a_finished_import_shows_its_record_page(client, lead, audit):
    client.force_login(lead)
    record = upload(client, audit, CSV)
    client.post(accept_proposals(client, record), {"skip_invalid": "1"})
    response = client.get(step_url("import_status", record))
    assert record.get_absolute_url() in response.content.decode()
    page = client.get(record.get_absolute_url()).content.decode()
    assert "3 rows applied to the checklist" in page
    item = audit.checklist.get(control__code="A.6.2.4")
    assert reverse("audits:checklistitem_detail", args=[item.pk]) in page
    assert audit.get_absolute_url() in page


@pytest.mark.django_db
def test_the_upload_page_names_the_audit_the_checklist_goes_into(client, lead, audit):
    client.force_login(lead)
    page = client.get(upload_url(audit)).content.decode()
    assert "Import a checklist" in page
    assert f"The checklist goes into {audit.reference}" in page
