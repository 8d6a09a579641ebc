"""Every register entry prints as a PDF from one template: its fields, links, approval record,
hashes and history, as far as the reader may see the entry; typed text stays text."""

import hashlib
import io

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags
from django.utils.text import capfirst
from pypdf import PdfReader

from aims.core.display import detail_rows
from controls import services as evidence_services
from controls.models import SoAEntry
from tests.conftest import REGISTER_IDS, REGISTERS
from tests.documents.helpers import approved
from tests.factories import REGISTER_FACTORIES, ContextIssueFactory, EvidenceFactory, UserFactory
from tests.impact.test_workflow import approved as impact_approved


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    """Evidence files of a test go to its own folder, never to the installation's var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence-storage"},
        },
    }
    assert storages["evidence"].location == str(tmp_path / "evidence-storage")


def pdf_url(obj, register=None):
    register = register or next(r for r in REGISTERS if r.model is type(obj))
    return reverse(register.url_name("pdf"), args=[obj.pk])


def pdf_text(response):
    """The PDF's text with every run of white space as one space (lines wrap anywhere)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def words(text):
    return " ".join(str(text).split())


def heading(obj):
    if getattr(obj, "reference", "") and getattr(obj, "title", ""):
        return f"{obj.reference} — {obj.title}"
    return str(obj)


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_every_entry_prints_with_its_fields_for_a_reader(client, auditor, register):
    obj = REGISTER_FACTORIES[register.model]()
    obj.refresh_from_db()  # the values as stored, not as the factory passed them
    client.force_login(auditor)
    page = client.get(obj.get_absolute_url()).content.decode()
    assert f'href="{pdf_url(obj, register)}"' in page
    assert "Entry as PDF" in page

    text = pdf_text(client.get(pdf_url(obj, register)))
    assert words(heading(obj)) in text
    label, value, _long = detail_rows(obj)[0]
    assert f"{capfirst(label)} {words(strip_tags(value))}" in text
    assert "Page 1 of" in text


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_an_entry_outside_the_readers_scope_answers_404(client, make_user, register):
    obj = REGISTER_FACTORIES[register.model]()
    client.force_login(make_user("no_role"))
    assert client.get(pdf_url(obj, register)).status_code == 404


def test_a_system_owner_prints_their_evidence_but_not_someone_elses(client, system_owner):
    own = EvidenceFactory(uploaded_by=system_owner, title="Bias test of our model")
    foreign = EvidenceFactory(uploaded_by=UserFactory(role="System Owner"))
    client.force_login(system_owner)
    assert "Bias test of our model" in pdf_text(client.get(pdf_url(own)))
    assert client.get(pdf_url(foreign)).status_code == 404


def test_links_name_only_what_the_reader_may_view(client, system_owner):
    own = EvidenceFactory(uploaded_by=system_owner, title="Own evidence")
    foreign = EvidenceFactory(title="Someone else's evidence")
    entry = REGISTER_FACTORIES[SoAEntry]()
    own.soa_entries.add(entry)
    foreign.soa_entries.add(entry)
    client.force_login(system_owner)
    text = pdf_text(client.get(pdf_url(entry)))
    assert "Own evidence" in text
    assert "Someone else's evidence" not in text


def test_an_approved_entry_prints_its_approver_decision_and_hash(
    client, auditor, compliance_officer, ai_officer
):
    document = approved(compliance_officer, ai_officer, owner=compliance_officer)
    client.force_login(auditor)
    text = pdf_text(client.get(pdf_url(document)))
    assert "Approval record" in text
    assert f"Approved by {ai_officer}" in text
    assert f"SHA-256 of the approved content {document.approved_sha256}" in text
    assert "Controlled document: not awaiting a decision" in text


def test_the_history_lists_the_latest_changes_and_counts_all(client, auditor, compliance_officer):
    issue = ContextIssueFactory(title="Supplier lock-in")
    issue.title = "Supplier lock-in for the scoring model"
    issue._history_user = compliance_officer
    issue.save()
    client.force_login(auditor)
    text = pdf_text(client.get(pdf_url(issue)))
    assert "The latest 2 of 2 changes." in text
    assert f"{compliance_officer} Changed Title Supplier lock-in Supplier lock-in for" in text


def test_evidence_prints_the_sha256_of_its_current_file(client, auditor, compliance_officer):
    evidence = EvidenceFactory(title="Model test report")
    content = b"%PDF-1.7\n% the second test run\n%%EOF\n"
    revision = evidence_services.evidence_revision_add(
        evidence=evidence,
        upload=SimpleUploadedFile("report.pdf", content, content_type="application/pdf"),
        user=compliance_officer,
    )
    client.force_login(auditor)
    text = pdf_text(client.get(pdf_url(evidence)))
    assert "Current file Revision 1 File name report.pdf" in text
    assert f"SHA-256 {hashlib.sha256(content).hexdigest()}" in text
    assert revision.sha256 == hashlib.sha256(content).hexdigest()


def test_markup_in_a_text_field_prints_as_text_and_fetches_nothing(client, auditor, listener):
    local = listener.url
    typed = (
        f'<img src="file:///etc/passwd"> <img src="{local}/tracker.png"> '
        f"<style>@import url({local}/x.css);</style>"
    )
    issue = ContextIssueFactory(title="Markup", description=typed)
    client.force_login(auditor)
    text = pdf_text(client.get(pdf_url(issue)))
    # Without any white space: where a URL wraps (after a slash, a dot…) depends on the fonts.
    unwrapped = "".join(text.split())
    assert '<imgsrc="file:///etc/passwd">' in unwrapped
    assert f"@importurl({local}/x.css)" in unwrapped
    assert "root:" not in text
    assert listener.connections == 0


def test_the_pdf_is_in_the_readers_language(client, auditor):
    issue = ContextIssueFactory(title="Lieferantenbindung")
    client.force_login(auditor)
    text = pdf_text(client.get(pdf_url(issue), HTTP_ACCEPT_LANGUAGE="de"))
    assert "Lieferantenbindung" in text
    assert "Seite 1 von 1" in text


def test_an_impact_assessment_prints_its_decision_record(
    client, auditor, compliance_officer, ai_officer
):
    assessment = impact_approved(compliance_officer, ai_officer)
    decision = assessment.decisions.get()
    client.force_login(auditor)
    text = pdf_text(client.get(pdf_url(assessment)))
    assert f"Decision 1 Decision Approved Decided by {ai_officer}" in text
    assert f"SHA-256 of the snapshot {decision.snapshot_sha256}" in text
