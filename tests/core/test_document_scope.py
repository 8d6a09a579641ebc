"""Documents and exports name only what the reader may view: a system owner's copy of the
Statement of Applicability (current and issued, PDF and XLSX), of the impact assessment PDF and
of register exports leaves out evidence they get 404 for; the compliance officer's copy names it."""

import io

import django_tables2 as tables
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aims.core.exports import export_table
from aims.impact import services as impact_services
from aims.impact.models import AssessmentDecision, DecisionCondition
from controls import services as soa_services
from controls.models import Control
from controls.soa_document import soa_document, soa_rows
from tests.factories import (
    EvidenceFactory,
    ImpactAssessmentFactory,
    ImpactFactory,
    UserFactory,
    justify_soa_entries,
)
from tests.impact.test_workflow import in_days

HIDDEN = "Zephyrlogbook"  # evidence of someone else: the system owner's page answers 404
OWN = "Quokkaminutes"  # evidence the system owner added: in their scope


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def pdf_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def xlsx_text(response):
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.getvalue()))
    return " ".join(
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    )


@pytest.fixture
def evidence(compliance_officer, system_owner):
    """Two pieces of evidence for control A.6.2.4: one the compliance officer added, one the
    system owner added."""
    hidden = EvidenceFactory(title=HIDDEN, uploaded_by=compliance_officer)
    own = EvidenceFactory(title=OWN, uploaded_by=system_owner)
    return hidden, own


@pytest.fixture
def version(evidence, compliance_officer, ai_officer):
    justify_soa_entries()
    return soa_services.soa_version_issue(user=compliance_officer, note="Annual review")


def test_the_system_owner_gets_404_for_the_hidden_evidence(evidence, system_owner):
    hidden, own = evidence
    client = client_of(system_owner)
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(hidden.get_absolute_url()).status_code == 404


# The Statement of Applicability ----------------------------------------------------------------

SOA_DOCUMENTS = [
    ("controls:soa_pdf", pdf_text),
    ("controls:soa_xlsx", xlsx_text),
]
VERSION_DOCUMENTS = [
    ("controls:soa_version_pdf", pdf_text),
    ("controls:soa_version_xlsx", xlsx_text),
]


@pytest.mark.parametrize(("url_name", "read"), SOA_DOCUMENTS)
def test_the_system_owners_current_soa_leaves_out_evidence_outside_their_scope(
    evidence, system_owner, url_name, read
):
    text = read(client_of(system_owner).get(reverse(url_name)))
    assert OWN in text
    assert HIDDEN not in text


@pytest.mark.parametrize(("url_name", "read"), SOA_DOCUMENTS)
def test_the_compliance_officers_current_soa_names_all_evidence(
    evidence, compliance_officer, url_name, read
):
    text = read(client_of(compliance_officer).get(reverse(url_name)))
    assert OWN in text
    assert HIDDEN in text


@pytest.mark.parametrize(("url_name", "read"), VERSION_DOCUMENTS)
def test_the_system_owners_copy_of_a_version_leaves_out_evidence_outside_their_scope(
    version, system_owner, url_name, read
):
    text = read(client_of(system_owner).get(reverse(url_name, args=[version.number])))
    assert OWN in text
    assert HIDDEN not in text


@pytest.mark.parametrize(("url_name", "read"), VERSION_DOCUMENTS)
def test_the_compliance_officers_copy_of_a_version_names_all_evidence(
    version, compliance_officer, url_name, read
):
    text = read(client_of(compliance_officer).get(reverse(url_name, args=[version.number])))
    assert OWN in text
    assert HIDDEN in text


def test_a_version_keeps_all_evidence_in_its_frozen_content(version):
    frozen = {item for entry in version.entries for item in entry["evidence"] if HIDDEN in item}
    assert len(frozen) == 1


def test_the_version_page_lists_only_evidence_in_the_readers_scope(version, system_owner):
    response = client_of(system_owner).get(version.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert OWN in page
    assert HIDDEN not in page


def test_the_comparison_of_versions_shows_no_evidence_outside_the_readers_scope(
    version, system_owner, compliance_officer, ai_officer
):
    soa_services.soa_version_decide(version=version, user=ai_officer, approve=True)
    Control.objects.get(code="A.6.2.4").evidence.clear()
    second = soa_services.soa_version_issue(user=compliance_officer, note="Evidence retired")
    url = f"{reverse('controls:soa_compare')}?from={version.number}&to={second.number}"
    officers_page = client_of(compliance_officer).get(url)
    assert officers_page.status_code == 200
    assert HIDDEN in officers_page.content.decode()
    owners_page = client_of(system_owner).get(url)
    assert owners_page.status_code == 200
    assert OWN in owners_page.content.decode()
    assert HIDDEN not in owners_page.content.decode()


def test_the_document_service_filters_frozen_lists_for_the_reader(version, system_owner):
    document = soa_document(version, version.entries, reader=system_owner)
    evidence = " ".join(value for row in document["table"] for value in [row[9]])
    assert OWN in evidence
    assert HIDDEN not in evidence
    assert document["scoped"] is True


def test_the_document_says_it_is_a_scoped_copy_only_to_a_reader_of_a_narrower_scope(
    version, compliance_officer
):
    assert soa_document(version, version.entries, reader=compliance_officer)["scoped"] is False


def test_a_driver_outside_the_readers_scope_still_counts_as_a_driver(system_owner):
    entries = [
        {
            "control": "A.6.2.4",
            "catalogue": "iso42001",
            "objective": "A.6",
            "title": "Documentation",
            "title_de": "",
            "scope": "",
            "scope_name": "",
            "applicable": True,
            "inclusion_justification": "Needed",
            "exclusion_justification": "",
            "risks": [],
            "impact_assessments": [],
            "requirements": [],
            "legal_requirements": [],
            "status": "implemented",
            "owner": "",
            "evidence": [f"EV-9999 {HIDDEN}"],
            "last_review": "",
            "next_review": "",
        }
    ]
    entries[0]["requirements"] = ["REQ-0001 Gone since"]
    (row,) = soa_rows(entries, system_owner)
    assert row["evidence"] == []
    assert row["missing_driver"] is False


# The impact assessment PDF ---------------------------------------------------------------------


@pytest.fixture
def decided_assessment(evidence, compliance_officer, ai_officer):
    """An assessment approved with a condition met by the hidden evidence."""
    hidden, _own = evidence
    assessment = ImpactAssessmentFactory()
    ImpactFactory(assessment=assessment)
    assessment.status = assessment.Status.SUBMITTED
    assessment.submitted_by = compliance_officer
    assessment.save()
    impact_services.impact_assessment_decide(
        assessment=assessment,
        user=ai_officer,
        outcome=AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS,
        comment="Fine with monitoring.",
        conditions=[("Report the ranking every month.", compliance_officer, in_days(30))],
    )
    DecisionCondition.objects.filter(decision__assessment=assessment).update(
        met_on="2026-11-30", evidence=hidden
    )
    return assessment


def test_the_system_owners_impact_assessment_pdf_leaves_out_evidence_outside_their_scope(
    decided_assessment, system_owner
):
    text = pdf_text(
        client_of(system_owner).get(reverse("impact:pdf", args=[decided_assessment.pk]))
    )
    assert "Report the ranking every month." in text
    assert HIDDEN not in text


def test_the_compliance_officers_impact_assessment_pdf_names_the_evidence(
    decided_assessment, compliance_officer
):
    response = client_of(compliance_officer).get(
        reverse("impact:pdf", args=[decided_assessment.pk])
    )
    assert HIDDEN in pdf_text(response)


# Register exports ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_system_owners_evidence_export_holds_only_their_evidence(
    evidence, system_owner, compliance_officer, fmt
):
    url = reverse("controls:evidence_export", args=[fmt])
    read = xlsx_text if fmt == "xlsx" else lambda r: r.getvalue().decode("utf-8-sig")
    owners = read(client_of(system_owner).get(url))
    assert OWN in owners
    assert HIDDEN not in owners
    officers = read(client_of(compliance_officer).get(url))
    assert HIDDEN in officers


class ControlEvidenceTable(tables.Table):
    """A table naming related evidence in a many-to-many column."""

    evidence = tables.ManyToManyColumn()

    class Meta:
        model = Control
        fields = ("code", "evidence")


class ConditionTable(tables.Table):
    """A table naming related evidence in a foreign-key column."""

    class Meta:
        model = DecisionCondition
        fields = ("text", "evidence")


def exported(table, user):
    return export_table(table, "csv", "export", user=user).getvalue().decode("utf-8-sig")


def test_an_export_lists_only_the_related_objects_the_reader_may_view(
    evidence, system_owner, compliance_officer
):
    controls = Control.objects.filter(code="A.6.2.4")
    owners = exported(ControlEvidenceTable(controls), system_owner)
    assert OWN in owners
    assert HIDDEN not in owners
    assert HIDDEN in exported(ControlEvidenceTable(controls), compliance_officer)


def test_an_export_leaves_a_related_object_outside_the_readers_scope_empty(
    decided_assessment, system_owner, compliance_officer
):
    conditions = DecisionCondition.objects.all()
    owners = exported(ConditionTable(conditions), system_owner)
    assert "Report the ranking every month." in owners
    assert HIDDEN not in owners
    assert HIDDEN in exported(ConditionTable(conditions), compliance_officer)


def test_an_export_for_the_reader_changes_no_other_copy_of_the_table(evidence, system_owner):
    controls = Control.objects.filter(code="A.6.2.4")
    exported(ControlEvidenceTable(controls), system_owner)
    other = ControlEvidenceTable(controls)
    assert HIDDEN in export_table(other, "csv", "export").getvalue().decode("utf-8-sig")


def test_a_user_without_scope_gets_no_evidence_in_an_export(evidence):
    nobody = UserFactory()
    controls = Control.objects.filter(code="A.6.2.4")
    text = exported(ControlEvidenceTable(controls), nobody)
    assert OWN not in text
    assert HIDDEN not in text
