"""The audit pack pages without the worker: the request form and its defaults, who may
request, who sees which pack (404 for the others), the progress fragment that polls until the
pack is done, retry of a failed pack, and the download as an attachment."""

import datetime
import hashlib
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from aims.core import roles
from aims.core.dates import add_years
from audits.models import AuditPack
from audits.packs.build import render_pack
from audits.packs.contents.changelog import change_log
from audits.packs.sections import PackScope, all_sections
from controls import services
from tests.conftest import client_for
from tests.factories import AISystemFactory, EvidenceFactory, UserFactory

PACKS = reverse("audits:pack_list")


def make_pack(user, **kwargs):
    today = timezone.localdate()
    return AuditPack.objects.create(
        requested_by=user, since=add_years(today, -1), until=today, **kwargs
    )


def ready_pack(user):
    pack = make_pack(user, status=AuditPack.Status.READY, pages=1, size=9, sha256="ab" * 32)
    pack.file.save("pack.pdf", ContentFile(b"%PDF-1.7\n"), save=True)
    return pack


def fragment(client, pack):
    return client.get(reverse("audits:pack_detail", args=[pack.pk]), headers={"HX-Request": "true"})


@pytest.mark.django_db
def test_the_request_form_offers_every_section_ticked_and_the_last_twelve_months(client, auditor):
    response = client_for(client, auditor).get(PACKS)
    assert response.status_code == 200
    form = response.context["form"]
    today = timezone.localdate()
    assert form["since"].value() == add_years(today, -1)
    assert form["until"].value() == today
    keys = [section.key for section in all_sections()]
    assert form["sections"].value() == keys
    html = response.content.decode()
    for section in all_sections():
        assert str(section.title) in html
    assert "Audit packs" in html  # the menu link


@pytest.mark.django_db
def test_a_period_that_ends_before_it_starts_is_refused_at_the_field(client, auditor):
    response = client_for(client, auditor).post(
        PACKS, {"since": "2026-05-01", "until": "2026-04-01", "sections": ["evidence"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"until": ["The period ends before it starts."]}
    assert not AuditPack.objects.exists()


@pytest.mark.django_db
def test_a_request_keeps_its_parameters_and_the_requester_s_language(
    client, compliance_officer, django_capture_on_commit_callbacks
):
    system = AISystemFactory()
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(client, compliance_officer).post(
            PACKS,
            {
                "systems": [system.pk],
                "since": "2026-01-01",
                "until": "2026-06-30",
                "sections": ["evidence", "changelog"],
                "include_evidence": "on",
            },
            headers={"Accept-Language": "de"},
        )
    pack = AuditPack.objects.get()
    assert response.url == reverse("audits:pack_detail", args=[pack.pk])
    assert pack.reference == "PACK-0001"
    assert pack.status == AuditPack.Status.QUEUED
    assert list(pack.systems.all()) == [system]
    assert (pack.since, pack.until) == (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    assert pack.sections == ["evidence", "changelog"]
    assert pack.include_evidence
    assert pack.requested_by == compliance_officer


@pytest.mark.django_db
def test_a_user_without_a_role_may_not_request_packs(client, make_user):
    response = client_for(client, make_user("no_role")).get(PACKS)
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_pack_of_someone_else_answers_404_to_whom_may_not_read_everything(client, system_owner):
    other = UserFactory(role=roles.SYSTEM_OWNER)
    pack = ready_pack(other)
    client_for(client, system_owner)
    assert pack.reference not in client.get(PACKS).content.decode()
    assert fragment(client, pack).status_code == 404
    assert client.get(reverse("audits:pack_detail", args=[pack.pk])).status_code == 404
    assert client.get(reverse("audits:pack_download", args=[pack.pk])).status_code == 404
    assert client.post(reverse("audits:pack_retry", args=[pack.pk])).status_code == 404


@pytest.mark.django_db
def test_an_auditor_sees_every_pack_and_downloads_it_as_an_attachment(
    client, auditor, system_owner
):
    pack = ready_pack(system_owner)
    client_for(client, auditor)
    assert pack.reference in client.get(PACKS).content.decode()
    response = client.get(reverse("audits:pack_download", args=[pack.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="PACK-0001.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.7\n"


@pytest.mark.django_db
def test_the_progress_polls_while_the_pack_renders_and_stops_when_it_is_done(client, system_owner):
    pack = make_pack(
        system_owner,
        status=AuditPack.Status.RENDERING,
        section_number=3,
        section_count=10,
        section_title="Risk register",
    )
    client_for(client, system_owner)
    running = fragment(client, pack).content.decode()
    assert 'hx-trigger="every 1s"' in running
    assert "Rendering section 3 of 10: Risk register" in running
    assert 'value="27"' in running

    AuditPack.objects.filter(pk=pack.pk).update(
        status=AuditPack.Status.FAILED, reason="The render took longer than the time limit."
    )
    failed = fragment(client, pack).content.decode()
    assert "hx-trigger" not in failed
    assert "The render took longer than the time limit." in failed
    assert "Retry" in failed


@pytest.mark.django_db
def test_a_failed_pack_is_queued_again_by_its_requester_only(client, system_owner, auditor):
    pack = make_pack(system_owner, status=AuditPack.Status.FAILED, reason="Broken")
    assert "Retry" not in fragment(client_for(client, auditor), pack).content.decode()
    assert client.post(reverse("audits:pack_retry", args=[pack.pk])).status_code == 404

    client_for(client, system_owner).post(reverse("audits:pack_retry", args=[pack.pk]))
    pack.refresh_from_db()
    assert (pack.status, pack.reason) == (AuditPack.Status.QUEUED, "")


@pytest.mark.django_db
def test_a_pack_that_is_not_ready_has_no_download(client, system_owner):
    pack = make_pack(system_owner)
    response = client_for(client, system_owner).get(reverse("audits:pack_download", args=[pack.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_the_command_renders_the_pack_with_its_evidence_without_the_worker(tmp_path, capsys):
    officer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    system = AISystemFactory(reference="AIS-001")
    evidence = EvidenceFactory(title="Model card of the claims triage")
    evidence.ai_systems.add(system)
    services.evidence_revision_add(
        evidence=evidence,
        upload=SimpleUploadedFile("../../card\x07.txt", b"Model card\n"),
        user=officer,
    )
    output = tmp_path / "pack.zip"

    call_command(
        "build_audit_pack",
        "--output",
        str(output),
        "--systems",
        "AIS-001",
        "--evidence",
        "--user",
        officer.username,
    )
    printed = capsys.readouterr().out
    digest = hashlib.sha256(output.read_bytes()).hexdigest()
    assert f"{output.stat().st_size} bytes, SHA-256 {digest}" in printed
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
        manifest = archive.read("manifest.sha256").decode()
        pdf = archive.read("audit-pack.pdf")
    name = f"evidence/{evidence.reference}-card.txt"
    assert names == ["audit-pack.pdf", name, "manifest.sha256"]
    card = hashlib.sha256(b"Model card\n").hexdigest()
    assert f"{card}  {name}" in manifest
    assert f"{hashlib.sha256(pdf).hexdigest()}  audit-pack.pdf" in manifest
    assert f"{len(PdfReader(io.BytesIO(pdf)).pages)} pages" in printed


@pytest.mark.django_db
def test_the_command_names_an_ai_system_it_does_not_know(tmp_path):
    UserFactory(role=roles.COMPLIANCE_OFFICER)
    with pytest.raises(CommandError, match="No such AI system for .*: AIS-999"):
        call_command(
            "build_audit_pack", "--output", str(tmp_path / "x.pdf"), "--systems", "AIS-999"
        )


@pytest.mark.django_db
def test_the_change_log_names_who_changed_what_and_keeps_to_the_chosen_systems(
    compliance_officer,
):
    chosen = AISystemFactory(reference="AIS-001", name="Claims triage")
    other = AISystemFactory(reference="AIS-002", name="Fraud scoring")
    chosen.purpose = "Sorts claims by urgency."
    chosen._history_user = compliance_officer
    chosen.save()
    today = timezone.localdate()

    whole = change_log(PackScope(user=compliance_officer, since=today, until=today))
    entries = {(c.entry, c.action, c.fields) for c in whole["changes"]}
    assert ("AIS-001 Claims triage", "changed", ("purpose and intended use",)) in entries
    assert ("AIS-002 Fraud scoring", "created", ()) in entries
    changed = next(c for c in whole["changes"] if c.action == "changed")
    assert changed.who == str(compliance_officer)

    narrowed = change_log(
        PackScope(user=compliance_officer, systems=(chosen,), since=today, until=today)
    )
    names = {c.entry for c in narrowed["changes"]}
    assert "AIS-001 Claims triage" in names
    assert other.reference not in " ".join(names)

    before = today - datetime.timedelta(days=1)
    assert change_log(PackScope(user=compliance_officer, since=before, until=before)) is None


@pytest.mark.django_db
def test_a_render_whose_worker_stopped_ends_as_failed_and_may_be_retried(
    client, system_owner, settings
):
    settings.AIMS_PACK_TIME_LIMIT = 60
    started = timezone.now() - datetime.timedelta(minutes=4)
    pack = make_pack(system_owner, status=AuditPack.Status.RENDERING, started_at=started)
    shown = fragment(client_for(client, system_owner), pack).content.decode()
    assert "The worker stopped while it rendered the pack." in shown
    assert "Retry" in shown
    pack.refresh_from_db()
    assert pack.status == AuditPack.Status.FAILED

    recent = make_pack(system_owner, status=AuditPack.Status.RENDERING, started_at=timezone.now())
    assert "hx-trigger" in fragment(client, recent).content.decode()


@pytest.mark.django_db
def test_an_archival_pack_is_a_pdf_a_3b_with_the_evidence_files_embedded(compliance_officer):
    evidence = EvidenceFactory(title="Bias test report")
    services.evidence_revision_add(
        evidence=evidence,
        upload=SimpleUploadedFile("bias report.csv", b"group,rate\na,0.91\n"),
        user=compliance_officer,
    )
    result = render_pack(
        PackScope(user=compliance_officer, reference="PACK-0001"),
        sections=["evidence"],
        archival=True,
    )
    reader = PdfReader(io.BytesIO(result.pdf))
    name = f"{evidence.reference}-bias_report.csv"
    assert dict(reader.attachments) == {name: [b"group,rate\na,0.91\n"]}
    metadata = reader.xmp_metadata.stream.get_data()
    assert b'pdfaid:part="3"' in metadata and b'pdfaid:conformance="B"' in metadata
    assert "Embedded in this PDF/A-3b as attachments" in reader.pages[0].extract_text()
