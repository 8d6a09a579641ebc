"""Evidence: private files hashed at upload and never overwritten, refused uploads, links,
integrity checks with `verify_evidence`, who may see, add and download what, and the dashboard."""

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from controls import services
from controls.evidence_files import ALLOWED
from controls.models import Control, Evidence, EvidenceRevision
from tests.factories import AISystemFactory, EvidenceFactory, SoAEntryFactory

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PDF_REVISED = b"%PDF-1.7\n% revised after the second test run\n%%EOF\n"
# Larger than any buffer on the way: the upload's memory limit (2.5 MB), its chunks (64 KB) and
# the chunks `verify_evidence` reads (1 MB); the bytes after the first megabytes matter.
LARGE_PDF = b"%PDF-1.7\n" + bytes(range(256)) * (5 * 4096) + b"\n%%EOF\n"
ADD = reverse("controls:evidence_add")
LIST = reverse("controls:evidence_list")


@pytest.fixture(autouse=True)
def evidence_folder(settings, tmp_path):
    """Evidence files of a test go to its own folder, never to the installation's var/."""
    folder = tmp_path / "evidence-storage"
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder},
        },
    }
    assert Path(storages["evidence"].location) == folder
    return folder


def stored_files(folder):
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def today():
    return timezone.localdate()


def a_control():
    return Control.objects.get(code="A.6.2.4")


def evidence_form(**changes):
    """What the add form posts for evidence attached to one control."""
    return {
        "title": "Model test report",
        "description": "",
        "link": "",
        "evidence_date": today().isoformat(),
        "valid_until": "",
        "controls": [a_control().pk],
        "soa_entries": [],
        "risks": [],
        "ai_systems": [],
        "loaded_version": "",
        **changes,
    }


def upload(name="model-test-report.pdf", content=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def add_evidence(client, file=None, **changes):
    data = evidence_form(**changes)
    if file is not None:
        data["file"] = file
    return client.post(ADD, data)


def raw_multipart(fields, filename, content):
    """A multipart body with the file name exactly as given: Django's test client would
    strip a path from it before sending, a hostile client does not."""
    boundary = "aims-test-boundary-7d1e"
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{item}\r\n".encode()
            )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def download(client, evidence, number=1):
    return client.get(reverse("controls:evidence_download", args=[evidence.pk, number]))


def downloaded_bytes(response):
    # Reading to the end closes the file (the test client closes a streamed response then).
    return b"".join(response.streaming_content)


def revision_url(evidence):
    return reverse("controls:evidence_revision_add", args=[evidence.pk])


def evidence_with_file(user, content=PDF, name="model-test-report.pdf", **fields):
    evidence = EvidenceFactory(uploaded_by=user, link="", **fields)
    services.evidence_revision_add(evidence=evidence, upload=upload(name, content), user=user)
    return evidence


def listed(response):
    return {row.record.reference for row in response.context["table"].page.object_list}


# Uploading and downloading


def test_uploads_are_written_to_the_configured_storage(monkeypatch, evidence_folder):
    monkeypatch.undo()  # the file field as the application declares it
    field_storage = EvidenceRevision._meta.get_field("file").storage
    assert Path(field_storage.location) == Path(storages["evidence"].location) == evidence_folder


def test_an_uploaded_file_becomes_revision_1_with_its_sha256_under_a_generated_name(
    client, compliance_officer, evidence_folder
):
    client.force_login(compliance_officer)
    response = add_evidence(client, upload("model-test-report.pdf", PDF))
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert response.url == evidence.get_absolute_url()
    revision = evidence.revisions.get()
    assert revision.number == 1
    assert revision.sha256 == hashlib.sha256(PDF).hexdigest()
    assert revision.size == len(PDF)
    assert revision.uploaded_by == compliance_officer
    assert evidence.uploaded_by == compliance_officer
    assert revision.file_name == "model-test-report.pdf"
    assert revision.content_type == "application/pdf"
    assert re.fullmatch(rf"evidence/{evidence.pk}/[0-9a-f]{{32}}", revision.file.name)
    assert "model" not in revision.file.name and "pdf" not in revision.file.name
    assert stored_files(evidence_folder) == [evidence_folder / revision.file.name]
    assert (evidence_folder / revision.file.name).read_bytes() == PDF


def test_the_download_is_exactly_the_uploaded_file_as_an_attachment_never_rendered(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    add_evidence(client, upload("model-test-report.pdf", PDF))
    response = download(client, Evidence.objects.get())
    assert response.status_code == 200
    assert downloaded_bytes(response) == PDF
    assert response["Content-Disposition"] == 'attachment; filename="model-test-report.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].split(";")[0].strip() == "sandbox"


def test_a_new_revision_keeps_the_first_file_and_its_hash(
    client, compliance_officer, evidence_folder
):
    client.force_login(compliance_officer)
    add_evidence(client, upload("model-test-report.pdf", PDF))
    evidence = Evidence.objects.get()
    first = evidence.revisions.get()

    response = client.post(
        revision_url(evidence),
        {"file": upload("model-test-report-v2.pdf", PDF_REVISED), "note": "Second test run"},
    )
    assert response.status_code == 302
    assert response.url == evidence.get_absolute_url()
    second = evidence.revisions.get(number=2)
    assert (second.sha256, second.note) == (
        hashlib.sha256(PDF_REVISED).hexdigest(),
        "Second test run",
    )
    assert second.file.name != first.file.name
    unchanged = evidence.revisions.get(number=1)
    assert (unchanged.file.name, unchanged.sha256) == (first.file.name, first.sha256)
    assert (evidence_folder / first.file.name).read_bytes() == PDF
    assert downloaded_bytes(download(client, evidence, 1)) == PDF
    assert downloaded_bytes(download(client, evidence, 2)) == PDF_REVISED
    assert len(stored_files(evidence_folder)) == 2


# Refused uploads


def test_a_name_with_a_path_and_no_allowed_extension_is_refused(
    client, compliance_officer, evidence_folder
):
    client.force_login(compliance_officer)
    body, content_type = raw_multipart(evidence_form(), "../../etc/passwd", b"root:x:0:0:root\n")
    response = client.post(ADD, body, content_type=content_type)
    assert response.status_code == 200
    assert (
        "Files of this type cannot be kept as evidence."
        in response.context["form"].errors["file"][0]
    )
    assert not Evidence.objects.exists()
    assert stored_files(evidence_folder) == []


def installation_files(private):
    """The files under var/, leaving out the test databases of concurrent test runs."""
    if not private.exists():
        return set()
    return {path for path in private.rglob("*") if not path.name.startswith("test-aims-")}


@pytest.mark.parametrize("name", ["../../etc/passwd.txt", "..\\..\\etc\\passwd.txt"])
def test_a_path_in_the_file_name_never_reaches_storage(
    client, compliance_officer, evidence_folder, tmp_path, settings, name
):
    private = Path(settings.BASE_DIR) / "var"
    before = installation_files(private)
    client.force_login(compliance_officer)
    body, content_type = raw_multipart(evidence_form(), name, b"root:x:0:0:root\n")
    response = client.post(ADD, body, content_type=content_type)
    assert response.status_code == 302
    revision = Evidence.objects.get().revisions.get()
    assert revision.file_name == "passwd.txt"
    assert re.fullmatch(r"evidence/\d+/[0-9a-f]{32}", revision.file.name)
    assert stored_files(evidence_folder) == [evidence_folder / revision.file.name]
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == stored_files(evidence_folder)
    assert not (evidence_folder / "../../etc/passwd.txt").exists()
    assert installation_files(private) == before


def test_the_service_keeps_only_the_base_name_of_the_uploaded_file(compliance_officer):
    evidence = EvidenceFactory(uploaded_by=compliance_officer)
    revision = services.evidence_revision_add(
        evidence=evidence,
        upload=upload("..\\..\\etc\\passwd.txt", b"root:x:0:0:root\n", "text/plain"),
        user=compliance_officer,
    )
    assert revision.file_name == "passwd.txt"
    assert re.fullmatch(rf"evidence/{evidence.pk}/[0-9a-f]{{32}}", revision.file.name)


REFUSED = [
    pytest.param(
        "x.html",
        b"<script>alert(1)</script>",
        "Files of this type cannot be kept as evidence.",
        id="html",
    ),
    pytest.param(
        "notes.txt",
        b"<html><script>alert(1)</script></html>",
        "Web pages and markup cannot be kept as evidence.",
        id="markup-in-txt",
    ),
    pytest.param(
        "notes.txt",
        b"Meeting notes\n<HTML><BODY onload=alert(1)>",
        "Web pages and markup cannot be kept as evidence.",
        id="upper-case-markup-in-txt",
    ),
    pytest.param(
        "export.csv",
        b"id;name\n1;<ScRiPt>alert(1)</sCrIpT>",
        "Web pages and markup cannot be kept as evidence.",
        id="mixed-case-markup-in-csv",
    ),
    pytest.param(
        "diagram.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "Files of this type cannot be kept as evidence.",
        id="svg",
    ),
    pytest.param(
        "report.pdf",
        b"Quarterly review, not a PDF at all",
        "The file's content does not match its extension .pdf.",
        id="fake-pdf",
    ),
]


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_a_refused_upload_is_named_at_the_field_and_nothing_is_stored(
    client, compliance_officer, evidence_folder, name, content, message
):
    client.force_login(compliance_officer)
    response = add_evidence(client, upload(name, content, "application/octet-stream"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in errors["file"][0]
    assert list(errors) == ["file"]
    assert 'id="id_file_error"' in response.content.decode()
    assert not Evidence.objects.exists()
    assert not EvidenceRevision.objects.exists()
    assert stored_files(evidence_folder) == []


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_a_refused_revision_stores_nothing(
    client, compliance_officer, evidence_folder, name, content, message
):
    evidence = evidence_with_file(compliance_officer)
    files = stored_files(evidence_folder)
    client.force_login(compliance_officer)
    response = client.post(revision_url(evidence), {"file": upload(name, content)})
    assert response.status_code == 200
    assert message in response.context["form"].errors["file"][0]
    assert list(evidence.revisions.values_list("number", flat=True)) == [1]
    assert stored_files(evidence_folder) == files


@pytest.mark.parametrize(("name", "content", "message"), REFUSED)
def test_the_revision_service_refuses_what_the_form_refuses(
    compliance_officer, evidence_folder, name, content, message
):
    evidence = evidence_with_file(compliance_officer)
    files = stored_files(evidence_folder)
    with pytest.raises(ValidationError) as refusal:
        services.evidence_revision_add(
            evidence=evidence, upload=upload(name, content), user=compliance_officer
        )
    assert message in refusal.value.messages[0]
    assert list(evidence.revisions.values_list("number", flat=True)) == [1]
    assert stored_files(evidence_folder) == files


def test_evidence_files_may_be_only_office_documents_images_and_plain_text():
    # Nothing a browser runs or renders as a page (HTML, SVG, scripts) is on the list.
    assert sorted(ALLOWED) == [
        "csv",
        "doc",
        "docx",
        "eml",
        "jpeg",
        "jpg",
        "json",
        "md",
        "msg",
        "ods",
        "odt",
        "pdf",
        "png",
        "pptx",
        "txt",
        "xls",
        "xlsx",
        "zip",
    ]


def test_a_large_upload_is_hashed_to_its_last_byte(client, compliance_officer, evidence_folder):
    client.force_login(compliance_officer)
    response = add_evidence(client, upload("large-report.pdf", LARGE_PDF))
    assert response.status_code == 302
    revision = Evidence.objects.get().revisions.get()
    assert revision.size == len(LARGE_PDF) > 5 * 1024 * 1024
    assert revision.sha256 == hashlib.sha256(LARGE_PDF).hexdigest()
    assert (evidence_folder / revision.file.name).read_bytes() == LARGE_PDF


def test_the_revision_service_hashes_a_large_file_to_its_last_byte(compliance_officer):
    evidence = evidence_with_file(compliance_officer)
    # Same first megabytes as LARGE_PDF, a different end.
    tail_changed = LARGE_PDF[:-8] + b"\n%%EOF \n"
    revision = services.evidence_revision_add(
        evidence=evidence, upload=upload("large.pdf", tail_changed), user=compliance_officer
    )
    assert revision.sha256 == hashlib.sha256(tail_changed).hexdigest()
    assert revision.sha256 != hashlib.sha256(LARGE_PDF).hexdigest()


@pytest.mark.parametrize("persona", ["system_owner", "auditor", "no_role"])
def test_the_revision_service_refuses_someone_who_may_not_change_the_evidence(
    make_user, compliance_officer, evidence_folder, persona
):
    evidence = evidence_with_file(compliance_officer)
    files = stored_files(evidence_folder)
    with pytest.raises(PermissionDenied):
        services.evidence_revision_add(
            evidence=evidence, upload=upload(content=PDF_REVISED), user=make_user(persona)
        )
    assert list(evidence.revisions.values_list("number", flat=True)) == [1]
    assert stored_files(evidence_folder) == files


def test_the_revision_service_lets_a_system_owner_add_to_their_own_evidence(system_owner):
    evidence = evidence_with_file(system_owner)
    revision = services.evidence_revision_add(
        evidence=evidence, upload=upload(content=PDF_REVISED), user=system_owner
    )
    assert (revision.number, revision.uploaded_by) == (2, system_owner)


def test_a_file_above_the_size_limit_is_refused_with_the_size_message(
    client, compliance_officer, evidence_folder, settings
):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(compliance_officer)
    response = add_evidence(client, upload("big.txt", b"a" * 2048, "text/plain"))
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "The file is 2.0\xa0KB; evidence files may be at most 1.0\xa0KB."
    ]
    assert not Evidence.objects.exists()
    assert stored_files(evidence_folder) == []


def test_a_file_at_the_size_limit_is_kept(client, compliance_officer, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(compliance_officer)
    assert add_evidence(client, upload("exact.txt", b"a" * 1024, "text/plain")).status_code == 302
    assert Evidence.objects.get().revisions.get().size == 1024


# Links and the form's rules


def test_a_link_is_evidence_without_a_file(client, compliance_officer, evidence_folder):
    client.force_login(compliance_officer)
    response = add_evidence(client, link="https://tickets.example.test/AIMS-12")
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.link == "https://tickets.example.test/AIMS-12"
    assert not evidence.revisions.exists()
    assert stored_files(evidence_folder) == []


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "ftp://files.example.test/report.pdf", "file:///etc/passwd"]
)
def test_a_link_must_be_an_http_or_https_url(client, compliance_officer, link):
    client.force_login(compliance_officer)
    response = add_evidence(client, link=link)
    assert response.status_code == 200
    assert "link" in response.context["form"].errors
    assert not Evidence.objects.exists()


def test_evidence_needs_a_file_or_a_link(client, compliance_officer):
    client.force_login(compliance_officer)
    response = add_evidence(client)
    assert response.context["form"].errors == {"file": ["Attach a file or give a link."]}
    assert not Evidence.objects.exists()


def test_evidence_must_be_attached_to_a_control_soa_entry_risk_or_ai_system(
    client, compliance_officer, evidence_folder
):
    client.force_login(compliance_officer)
    response = add_evidence(client, upload(), controls=[])
    form = response.context["form"]
    assert form.non_field_errors() == [
        "Attach the evidence to at least one control, SoA entry, risk or AI system."
    ]
    assert list(form.errors) == ["__all__"]
    assert not Evidence.objects.exists()
    assert stored_files(evidence_folder) == []


def test_validity_cannot_end_before_the_evidence_date(client, compliance_officer):
    client.force_login(compliance_officer)
    response = add_evidence(
        client,
        link="https://wiki.example.test/review",
        evidence_date=(today() - timedelta(days=10)).isoformat(),
        valid_until=(today() - timedelta(days=11)).isoformat(),
    )
    assert response.context["form"].errors == {
        "valid_until": ["The validity cannot end before the evidence date."]
    }
    assert not Evidence.objects.exists()


def test_evidence_cannot_be_dated_in_the_future(client, compliance_officer):
    client.force_login(compliance_officer)
    response = add_evidence(
        client,
        link="https://wiki.example.test/review",
        evidence_date=(today() + timedelta(days=1)).isoformat(),
    )
    assert response.context["form"].errors == {
        "evidence_date": ["Evidence cannot be dated in the future."]
    }
    assert not Evidence.objects.exists()


# verify_evidence


def verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_evidence", stdout=out, stderr=err)
    except CommandError as error:
        return error, out.getvalue(), err.getvalue()
    return None, out.getvalue(), err.getvalue()


def test_verify_evidence_reports_every_file_intact(compliance_officer):
    evidence_with_file(compliance_officer)
    evidence_with_file(compliance_officer, content=PDF_REVISED)
    error, out, err = verify()
    assert error is None
    assert out.strip() == "2 evidence files checked, 0 failed."
    assert err == ""


def test_verify_evidence_names_the_evidence_whose_file_changed(compliance_officer, evidence_folder):
    intact = evidence_with_file(compliance_officer)
    altered = evidence_with_file(compliance_officer)
    with open(evidence_folder / altered.revisions.get().file.name, "ab") as stored:
        stored.write(b"appended later")
    error, _out, err = verify()
    assert str(error) == "2 evidence files checked, 1 failed."
    problems = err.strip().splitlines()
    assert len(problems) == 1
    assert problems[0].startswith("MISMATCH")
    assert altered.reference in problems[0]
    assert intact.reference not in err


def test_verify_evidence_finds_a_change_at_the_end_of_a_large_file(
    compliance_officer, evidence_folder
):
    large = evidence_with_file(compliance_officer, content=LARGE_PDF)
    stored = evidence_folder / large.revisions.get().file.name
    assert verify()[0] is None  # intact: the whole file hashes to what the upload stored
    content = bytearray(stored.read_bytes())
    content[-3] ^= 0xFF  # one byte changed, megabytes after the first buffer
    stored.write_bytes(bytes(content))
    error, _out, err = verify()
    assert str(error) == "1 evidence files checked, 1 failed."
    assert err.startswith("MISMATCH")
    assert large.reference in err


def test_verify_evidence_names_the_evidence_whose_file_is_missing(
    compliance_officer, evidence_folder
):
    gone = evidence_with_file(compliance_officer)
    (evidence_folder / gone.revisions.get().file.name).unlink()
    error, _out, err = verify()
    assert str(error) == "1 evidence files checked, 1 failed."
    assert err.startswith("MISSING")
    assert gone.reference in err


def test_verify_evidence_exits_with_status_1_from_the_command_line(
    compliance_officer, evidence_folder, capsys
):
    altered = evidence_with_file(compliance_officer)
    (evidence_folder / altered.revisions.get().file.name).write_bytes(b"%PDF-1.7 replaced")
    with pytest.raises(SystemExit) as exit_info:
        ManagementUtility(["manage.py", "verify_evidence"]).execute()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "MISMATCH" in err and altered.reference in err
    assert "CommandError: 1 evidence files checked, 1 failed." in err


# Who may do what


def test_auditor_downloads_evidence_files(client, compliance_officer, auditor):
    evidence = evidence_with_file(compliance_officer)
    client.force_login(auditor)
    assert client.get(evidence.get_absolute_url()).status_code == 200
    response = download(client, evidence)
    assert response.status_code == 200
    assert downloaded_bytes(response) == PDF


def test_auditor_may_not_add_evidence(client, auditor, evidence_folder):
    client.force_login(auditor)
    assert client.get(ADD).status_code == 403
    assert add_evidence(client, upload()).status_code == 403
    assert not Evidence.objects.exists()
    assert stored_files(evidence_folder) == []


def test_auditor_may_not_upload_revisions(client, compliance_officer, auditor, evidence_folder):
    evidence = evidence_with_file(compliance_officer)
    files = stored_files(evidence_folder)
    client.force_login(auditor)
    assert client.get(revision_url(evidence)).status_code == 403
    response = client.post(revision_url(evidence), {"file": upload(content=PDF_REVISED)})
    assert response.status_code == 403
    assert evidence.revisions.count() == 1
    assert stored_files(evidence_folder) == files


def test_system_owner_adds_evidence_sees_it_and_adds_a_revision(client, system_owner):
    client.force_login(system_owner)
    response = add_evidence(client, upload())
    evidence = Evidence.objects.get()
    assert response.status_code == 302
    assert evidence.uploaded_by == system_owner
    assert client.get(evidence.get_absolute_url()).status_code == 200
    assert downloaded_bytes(download(client, evidence)) == PDF
    assert listed(client.get(LIST)) == {evidence.reference}

    response = client.post(revision_url(evidence), {"file": upload(content=PDF_REVISED)})
    assert response.status_code == 302
    assert evidence.revisions.get(number=2).uploaded_by == system_owner


def test_system_owner_gets_404_for_the_compliance_officers_evidence(
    client, compliance_officer, system_owner, evidence_folder
):
    theirs = evidence_with_file(compliance_officer)
    client.force_login(system_owner)
    add_evidence(client, link="https://wiki.example.test/own-evidence")
    own = Evidence.objects.get(uploaded_by=system_owner)
    files = stored_files(evidence_folder)

    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert download(client, theirs).status_code == 404
    assert client.get(revision_url(theirs)).status_code == 404
    response = client.post(revision_url(theirs), {"file": upload(content=PDF_REVISED)})
    assert response.status_code == 404
    assert theirs.revisions.count() == 1
    assert stored_files(evidence_folder) == files
    assert listed(client.get(LIST)) == {own.reference}
    assert listed(client.get(LIST, {"q": theirs.reference})) == set()


def test_ai_officer_adds_evidence_and_views_everyones(client, compliance_officer, ai_officer):
    theirs = evidence_with_file(compliance_officer)
    client.force_login(ai_officer)
    assert client.get(ADD).status_code == 200
    assert add_evidence(client, upload(), title="Bias test results").status_code == 302
    own = Evidence.objects.get(uploaded_by=ai_officer)
    assert listed(client.get(LIST)) == {theirs.reference, own.reference}
    assert client.get(theirs.get_absolute_url()).status_code == 200
    assert downloaded_bytes(download(client, theirs)) == PDF


def test_ai_officer_may_not_edit_or_delete_someone_elses_evidence(
    client, compliance_officer, ai_officer
):
    theirs = evidence_with_file(compliance_officer)
    client.force_login(ai_officer)
    edit = reverse("controls:evidence_edit", args=[theirs.pk])
    delete = reverse("controls:evidence_delete", args=[theirs.pk])
    # They read it: refused with 403, naming who may change it.
    assert client.get(edit).status_code == 403
    assert client.post(edit, evidence_form(title="Renamed", loaded_version=1)).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete).status_code == 403
    assert client.get(revision_url(theirs)).status_code == 403
    page = client.get(theirs.get_absolute_url()).content.decode()
    assert edit not in page and delete not in page and revision_url(theirs) not in page
    theirs.refresh_from_db()
    assert theirs.title != "Renamed"
    assert theirs.revisions.count() == 1


# Dashboard


def test_expired_evidence_needs_the_compliance_officers_attention(client, compliance_officer):
    long_ago = today() - timedelta(days=400)
    expired = [
        EvidenceFactory(evidence_date=long_ago, valid_until=today() - timedelta(days=1)),
        EvidenceFactory(evidence_date=long_ago, valid_until=today() - timedelta(days=90)),
    ]
    EvidenceFactory(evidence_date=long_ago, valid_until=today())  # its last valid day
    EvidenceFactory(evidence_date=long_ago, valid_until=today() + timedelta(days=30))
    EvidenceFactory(evidence_date=long_ago, valid_until=None)
    client.force_login(compliance_officer)

    response = client.get(reverse("core:dashboard"))
    link = f"{LIST}?validity=expired"
    assert ("2 evidence items have expired.", link) in response.context["attention"]
    assert f'<a href="{link}">2 evidence items have expired.</a>' in response.content.decode()
    assert listed(client.get(link)) == {evidence.reference for evidence in expired}


def test_the_detail_page_costs_the_same_queries_for_one_linked_soa_entry_and_five(
    client, compliance_officer
):
    """An SoA entry is named by its control and system: read with the links, not one by one."""
    evidence = EvidenceFactory()
    client.force_login(compliance_officer)
    url = reverse("controls:evidence_detail", args=[evidence.pk])

    def queries_with(entries):
        evidence.soa_entries.set(entries)
        client.get(url)  # per-process caches filled
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        for entry in entries:
            assert str(entry) in response.content.decode()
        return len(captured)

    systems = AISystemFactory.create_batch(5)
    entries = [SoAEntryFactory(ai_system=system) for system in systems]
    assert queries_with(entries[:1]) == queries_with(entries)
