"""The audit report as PDF: plan, scope, team and independence record, the summary by result,
the checklist and the findings with their nonconformities, in English and German; who may
download it; text typed into notes is printed as text."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from aims.core import pdf
from audits.models import Audit, AuditResult, Clause
from controls.models import Control
from tests.factories import (
    AISystemFactory,
    AuditFactory,
    AuditProgrammeFactory,
    ChecklistItemFactory,
    ImprovementFactory,
    NonconformityFactory,
    UserFactory,
)

JUSTIFICATION = "No other trained auditor is available before the stage 2 audit in April."
NOTES_HTML = "<b>Two of ten</b> sampled risks had no owner <script>alert(1)</script>"


def text_of(content):
    """The PDF's text as laid out on the page, whitespace collapsed."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text(extraction_mode="layout") for page in reader.pages)
    return " ".join(text.split())


def report_url(audit):
    return reverse("audits:audit_report_pdf", args=[audit.pk])


def download(client, audit, language="en"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(report_url(audit))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="AUD-2027-01-audit-report.pdf"'
    return text_of(response.content)


@pytest.fixture
def audit(internal_auditor, compliance_officer):
    """A reported audit of 6.1.2, 8.4 and A.7.4 with a minor nonconformity raised, a major
    finding not yet raised, an observation turned into an improvement, one conforming item,
    and an independence override."""
    member = UserFactory(first_name="Jonas", last_name="Keller")
    audit = AuditFactory(
        reference="AUD-2027-01",
        title="Claims handling, risk and impact",
        programme=AuditProgrammeFactory(title="Internal audit programme", period="2027"),
        lead_auditor=internal_auditor,
        auditees="Head of Claims\nData science team",
        organizational_units="Claims\nIT",
        criteria="ISO/IEC 42001:2023 and the AI policy",
        actual_start=datetime.date(2027, 3, 2),
        actual_end=datetime.date(2027, 3, 4),
        conclusion="The AIMS is effectively implemented apart from the findings below.",
    )
    audit.team.add(member)
    audit.clauses.set(Clause.objects.filter(code__in=["6.1.2", "8.4"]))
    audit.controls.set(Control.objects.filter(framework="iso42001", code="A.7.4"))
    audit.ai_systems.set([AISystemFactory(name="Claims triage")])
    Audit.objects.filter(pk=audit.pk).update(
        status=Audit.Status.REPORTED,
        independence_override=JUSTIFICATION,
        independence_conflicts="Jonas Keller owns the risk RSK-004 of an AI system in scope",
        independence_override_by=compliance_officer,
        independence_override_at=timezone.now(),
    )
    audit.refresh_from_db()
    minor = ChecklistItemFactory(
        audit=audit,
        clause=Clause.objects.get(code="6.1.2"),
        result=AuditResult.MINOR,
        notes=NOTES_HTML,
        position=1,
    )
    ChecklistItemFactory(
        audit=audit,
        clause=Clause.objects.get(code="8.4"),
        question="Are impact assessments done before deployment?",
        result=AuditResult.MAJOR,
        position=2,
    )
    observation = ChecklistItemFactory(
        audit=audit,
        clause=None,
        control=Control.objects.get(framework="iso42001", code="A.7.4"),
        question="Is data quality defined?",
        result=AuditResult.OBSERVATION,
        position=3,
    )
    ChecklistItemFactory(
        audit=audit,
        clause=Clause.objects.get(code="8.4"),
        question="Are the results of impact assessments kept?",
        result=AuditResult.CONFORMING,
        position=4,
    )
    NonconformityFactory(
        reference="NC-0007",
        title="Risks without owner",
        checklist_item=minor,
        audit=audit,
        grade="minor",
        clause=minor.clause,
    )
    ImprovementFactory(
        reference="IMP-003", title="Data quality measures", checklist_item=observation
    )
    NonconformityFactory(
        reference="NC-0008", title="Audit programme not approved in time", audit=audit
    )
    return audit


@pytest.mark.django_db
def test_the_report_holds_plan_scope_team_independence_summary_findings_and_conclusion(
    client, auditor, audit
):
    client.force_login(auditor)
    text = download(client, audit)
    for expected in (
        "Audit report · AUD-2027-01",
        "Claims handling, risk and impact",
        "Internal audit",
        "Reported",
        f"by {auditor}",
        "Internal audit programme",
        "Head of Claims",
        "Data science team",
        "6.1.2",
        "A.7.4",
        "Claims triage",
        "Jonas Keller",
        # The independence record.
        JUSTIFICATION,
        "Jonas Keller owns the risk RSK-004",
        "Conflicts of interest accepted by a recorded override.",
        # The findings with their follow-up.
        "Minor nonconformity · 6.1.2",
        "NC-0007 Risks without owner",
        "Major nonconformity · 8.4",
        "No nonconformity or improvement raised yet.",
        "Observation · A.7.4",
        "IMP-003 Data quality measures",
        "Further nonconformities of this audit",
        "NC-0008 Audit programme not approved in time",
        "The AIMS is effectively implemented apart from the findings below.",
    ):
        assert expected in text, expected
    # The summary: one line per result with its count.
    assert re.search(r"Conforming\s+1\b", text)
    assert re.search(r"Major nonconformity\s+1\b", text)
    assert re.search(r"Minor nonconformity\s+1\b", text)
    assert re.search(r"Opportunity for improvement\s+0\b", text)
    assert re.search(r"Checklist items\s+4\b", text)
    # Page x of y in the footer.
    assert re.search(r"\b1 / \d+\b", text)


@pytest.mark.django_db
def test_html_in_the_notes_is_printed_as_text(client, auditor, audit):
    client.force_login(auditor)
    text = download(client, audit)
    assert "<b>Two of ten</b> sampled risks had no owner <script>alert(1)</script>" in text


@pytest.mark.django_db
def test_an_audit_without_conflicts_says_so(client, auditor, audit):
    Audit.objects.filter(pk=audit.pk).update(
        independence_override="", independence_conflicts="", independence_override_by=None
    )
    client.force_login(auditor)
    assert "No conflicts of interest found" in download(client, audit)


@pytest.mark.django_db
def test_the_report_in_german_has_german_headings_and_results(client, auditor, audit):
    client.force_login(auditor)
    text = download(client, audit, "de")
    with translation.override("de"):
        minor_label = str(AuditResult.MINOR.label)
    assert minor_label != "Minor nonconformity"
    for expected in (
        "Auditbericht · AUD-2027-01",
        "Inhaltsverzeichnis",
        "Geltungsbereich",
        "Auditteam und Unabhängigkeit",
        "Zusammenfassung nach Ergebnis",
        "Feststellungen",
        f"{minor_label} · 6.1.2",
        "NC-0007",
        JUSTIFICATION,
    ):
        assert expected in text, expected
    assert "Summary by result" not in text


@pytest.mark.django_db
def test_whoever_may_view_the_audit_downloads_the_report_others_get_404(client, audit):
    # A system owner reads audits; a user without a role sees none.
    client.force_login(UserFactory(role="System Owner"))
    assert client.get(report_url(audit)).status_code == 200
    client.force_login(UserFactory())
    assert client.get(report_url(audit)).status_code == 404
    client.logout()
    assert client.get(report_url(audit)).status_code == 302


@pytest.mark.django_db
def test_a_failing_render_goes_back_to_the_audit_with_the_reason(
    client, auditor, audit, monkeypatch
):
    def broken(template_name, context):
        raise RuntimeError("the renderer crashed")

    # The renderer's failure itself cannot be provoked from the data: pdf.py fetches nothing.
    monkeypatch.setattr(pdf, "render_pdf", broken)
    client.force_login(auditor)
    response = client.get(report_url(audit), follow=True)
    assert response.redirect_chain == [(audit.get_absolute_url(), 302)]
    assert "The audit report could not be produced" in response.content.decode()
