"""Uploads larger than a page takes are refused before their body is read: on the declared
length at once, and while reading once a file passes the limit; the answer says what the limit
is, and nothing is stored."""

from pathlib import Path

import pytest
from django.core.files.uploadhandler import FileUploadHandler
from django.test import Client
from django.urls import reverse

from aims.core.imports import parsing
from aims.core.registry import registry
from aims.inventory.models import SystemImport
from controls.models import Evidence, EvidenceRevision
from tests.factories import EvidenceFactory

MB = 1024 * 1024
CHUNK = FileUploadHandler.chunk_size  # what a handler receives at a time (64 KB)
BOUNDARY = "limitsboundary"


class GeneratedBody:
    """A multipart body with one file of `file_size` bytes, made as it is read; `read` counts
    the bytes the server took from it."""

    def __init__(self, file_size, field="file", name="big.csv"):
        self.head = (
            f"--{BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + file_size + len(self.tail)
        self.position = 0

    @property
    def read_bytes(self):
        return self.position

    def byte_range(self, start, end):
        filler_end = self.length - len(self.tail)
        out = bytearray()
        if start < len(self.head):
            out += self.head[start : min(end, len(self.head))]
        filler = max(0, min(end, filler_end) - max(start, len(self.head)))
        out += b"a" * filler
        if end > filler_end:
            out += self.tail[max(start, filler_end) - filler_end : end - filler_end]
        return bytes(out)

    def read(self, size=-1):
        end = self.length if size is None or size < 0 else min(self.length, self.position + size)
        data = self.byte_range(self.position, end)
        self.position = end
        return data

    def readline(self, size=-1):
        return self.read(size)


def post_body(client, url, body, declared=None):
    return client.generic(
        "POST",
        url,
        **{
            "wsgi.input": body,
            "CONTENT_LENGTH": str(body.length if declared is None else declared),
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        },
    )


def evidence_add_url():
    return reverse(registry[Evidence].url_name("add"))


def stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_120_mb_evidence_upload_is_refused_on_its_declared_size_without_reading_it(
    client, compliance_officer, settings
):
    client.force_login(compliance_officer)
    body = GeneratedBody(120 * MB)
    response = post_body(client, evidence_add_url(), body)
    assert response.status_code == 413
    assert "The upload is larger than 25.0\xa0MB" in response.content.decode()
    assert body.read_bytes == 0
    assert not Evidence.objects.exists()


def test_an_evidence_file_over_the_limit_is_refused_on_its_declared_size(
    client, compliance_officer, settings
):
    settings.EVIDENCE_MAX_BYTES = 2 * MB
    evidence = EvidenceFactory()
    client.force_login(compliance_officer)
    body = GeneratedBody(4 * MB)
    url = reverse("controls:evidence_revision_add", args=[evidence.pk])
    response = post_body(client, url, body)
    assert response.status_code == 413
    assert "The upload is larger than 2.0\xa0MB" in response.content.decode()
    assert body.read_bytes == 0
    assert not EvidenceRevision.objects.filter(evidence=evidence).exists()


def test_an_evidence_file_over_the_limit_within_the_form_allowance_stops_at_the_limit(
    client, compliance_officer, settings
):
    settings.EVIDENCE_MAX_BYTES = 256 * 1024
    evidence = EvidenceFactory()
    client.force_login(compliance_officer)
    body = GeneratedBody(1 * MB)  # under limit + allowance: the declared length passes
    url = reverse("controls:evidence_revision_add", args=[evidence.pk])
    response = post_body(client, url, body)
    assert response.status_code == 413
    assert "The upload is larger than 256.0\xa0KB" in response.content.decode()
    assert body.read_bytes <= settings.EVIDENCE_MAX_BYTES + 2 * CHUNK
    assert not EvidenceRevision.objects.filter(evidence=evidence).exists()
    assert stored_files(settings) == []


def test_a_spreadsheet_over_the_import_limit_is_refused_on_its_declared_size(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    body = GeneratedBody(parsing.MAX_BYTES + 2 * MB)
    response = post_body(client, reverse("inventory:import_upload"), body)
    assert response.status_code == 413
    assert "The upload is larger than 10.0\xa0MB" in response.content.decode()
    assert body.read_bytes == 0
    assert not SystemImport.objects.exists()


def test_a_spreadsheet_over_the_import_limit_within_the_form_allowance_stops_at_the_limit(
    client, compliance_officer, monkeypatch
):
    monkeypatch.setattr(parsing, "MAX_BYTES", 256 * 1024)
    client.force_login(compliance_officer)
    body = GeneratedBody(1 * MB)
    response = post_body(client, reverse("inventory:import_upload"), body)
    assert response.status_code == 413
    assert "The upload is larger than 256.0\xa0KB" in response.content.decode()
    assert body.read_bytes <= 256 * 1024 + 2 * CHUNK
    assert not SystemImport.objects.exists()


def test_a_spreadsheet_within_the_limit_is_read_in_full_and_taken(client, compliance_officer):
    client.force_login(compliance_officer)
    body = GeneratedBody(2 * MB)
    response = post_body(client, reverse("inventory:import_upload"), body)
    assert response.status_code == 302
    assert body.read_bytes == body.length
    assert SystemImport.objects.get().uploaded_by == compliance_officer


@pytest.mark.parametrize("declared", ["", "not a number", "-5"])
def test_a_missing_or_broken_declared_length_is_not_refused_as_too_large(
    client, compliance_officer, declared
):
    client.force_login(compliance_officer)
    response = client.generic("POST", reverse("inventory:import_upload"), CONTENT_LENGTH=declared)
    assert response.status_code == 200


def test_the_limit_holds_when_the_csrf_check_reads_the_body_first(compliance_officer, settings):
    """In production the CSRF check reads the form before the view; the handler stops there."""
    settings.EVIDENCE_MAX_BYTES = 256 * 1024
    evidence = EvidenceFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(compliance_officer)
    body = GeneratedBody(1 * MB)
    url = reverse("controls:evidence_revision_add", args=[evidence.pk])
    assert client.get(url).status_code == 200  # sets the CSRF cookie; the check reads the form
    response = post_body(client, url, body)
    assert response.status_code == 413
    assert body.read_bytes <= settings.EVIDENCE_MAX_BYTES + 2 * CHUNK
    assert not EvidenceRevision.objects.filter(evidence=evidence).exists()
