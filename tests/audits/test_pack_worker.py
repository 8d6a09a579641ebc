"""Audit packs rendered by a real Celery worker: the demo organisation's pack end to end (every
section, "Page 1 of", the bookmarks, the evidence hashes, the ZIP checked with `sha256sum -c`),
what a system owner's pack leaves out, a renderer that reads no file and calls no server
whatever the text fields hold, and renders stopped by the time limit or the memory ceiling."""

import hashlib
import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from aims.context.models import ScopeStatement
from aims.core import roles
from aims.core.models import User
from audits.models import AuditPack
from audits.packs.contents.evidence import evidence_files
from audits.packs.sections import PackScope, all_sections
from controls.models import Evidence
from tests.audits.pack_helpers import (
    download,
    load_shipped_data,
    outline_titles,
    pdf_text,
    wait_for_pack,
)
from tests.factories import AISystemFactory, EvidenceFactory, ScopeStatementFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def request_pack(client, **choices):
    data = {
        "since": "2025-01-01",
        "until": "2027-12-31",
        "sections": [section.key for section in all_sections()],
        **choices,
    }
    response = client.post(reverse("audits:pack_list"), data)
    assert response.status_code == 302, response.context["form"].errors
    return AuditPack.objects.order_by("-pk").first()


def shown_sections(user):
    """The titles of the sections with something to show to `user`."""
    scope = PackScope(user=user)
    return [str(s.title) for s in all_sections() if s.build(scope) is not None]


def test_the_demo_organisation_s_pack_holds_every_section_and_verifiable_evidence(
    worker, client, tmp_path
):
    load_shipped_data()
    call_command("seed_demo", verbosity=0)
    auditor = User.objects.get(username="auditor")
    client.force_login(auditor)

    pack = request_pack(client, include_evidence="on")
    wait_for_pack(client, pack)
    assert pack.status == AuditPack.Status.READY, pack.reason
    archive = download(client, pack)
    assert (pack.size, pack.sha256) == (len(archive), hashlib.sha256(archive).hexdigest())

    # The auditor checks every file of the ZIP with the standard tool.
    folder = tmp_path / "pack"
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        opened.extractall(folder)
        names = set(opened.namelist())
    checked = subprocess.run(
        ["sha256sum", "-c", "manifest.sha256"],  # noqa: S607
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(names) - 1  # all but the manifest itself
    manifest = (folder / "manifest.sha256").read_text()

    pdf = (folder / "PACK-0001.pdf").read_bytes()
    assert len(PdfReader(io.BytesIO(pdf)).pages) == pack.pages
    text = pdf_text(pdf)
    squeezed = "".join(text.split())  # hashes wrap across lines
    assert "Page 1 of" in text
    assert "Confidential" in text
    titles = shown_sections(auditor)
    assert len(titles) == len(all_sections())  # the demo fills every section
    bookmarks = outline_titles(pdf)
    for title in titles:
        assert title in text
        assert title in bookmarks
    files = evidence_files(PackScope(user=auditor))
    assert files
    for item in files:
        assert item.revision.sha256 in squeezed
        assert f"{item.revision.sha256}  {item.archive_name}" in manifest
        assert (folder / item.archive_name).is_file()

    # A system owner's pack holds none of the evidence outside their scope.
    owner = User.objects.get(username="owner")
    hidden = Evidence.objects.exclude(pk__in=Evidence.objects.restrict(owner).values("pk"))
    hidden = list(hidden.values_list("reference", flat=True))
    assert hidden
    client.force_login(owner)
    own_pack = request_pack(client)
    wait_for_pack(client, own_pack)
    assert own_pack.status == AuditPack.Status.READY, own_pack.reason
    owner_text = pdf_text(download(client, own_pack))
    assert "Evidence index" in owner_text
    for reference in hidden:
        assert not re.search(rf"\b{reference}\b", owner_text), reference
    # ... and the auditor's pack is not the owner's to open.
    assert client.get(reverse("audits:pack_download", args=[pack.pk])).status_code == 404


def test_text_fields_make_the_pack_read_no_file_and_call_no_server(worker, client, listener):
    load_shipped_data()
    url = f"{listener.url}/"
    payload = (
        '<img src="file:///etc/passwd"> <link rel=attachment href="file:///etc/hostname"> '
        f'<img src="{url}"> <style>@import url({url}x.css);</style> {url} '
        f"@import url({url}x.css);"
    )
    ScopeStatementFactory(
        status=ScopeStatement.Status.CURRENT, statement=payload, boundaries=payload
    )
    AISystemFactory(name="Claims triage", purpose=payload)
    EvidenceFactory(title='<img src="file:///etc/passwd">', description=payload)
    EvidenceFactory(title=f'<link rel=attachment href="file:///etc/hostname"> {url}')
    officer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    client.force_login(officer)

    pack = request_pack(client)
    wait_for_pack(client, pack)
    assert pack.status == AuditPack.Status.READY, pack.reason
    pdf = download(client, pack)
    text = pdf_text(pdf)
    assert 'src="file:///etc/passwd"' in text  # printed as the text it is
    assert "root:" not in text
    hostname = Path("/etc/hostname").read_text().strip()
    if hostname:
        assert hostname not in text
    assert PdfReader(io.BytesIO(pdf)).attachments == {}
    assert listener.connections == 0


def test_a_render_past_its_time_limit_fails_with_the_reason_and_a_retry_succeeds(
    worker, client, settings
):
    load_shipped_data()
    EvidenceFactory.create_batch(40)
    client.force_login(UserFactory(role=roles.SYSTEM_OWNER))
    settings.AIMS_PACK_TIME_LIMIT = 1

    pack = request_pack(client)
    shown = wait_for_pack(client, pack)
    assert pack.status == AuditPack.Status.FAILED
    assert pack.reason == "The render took longer than the time limit of 1 seconds."
    assert pack.reason in shown[-1] and "Retry" in shown[-1]

    settings.AIMS_PACK_TIME_LIMIT = 600
    client.post(reverse("audits:pack_retry", args=[pack.pk]))
    wait_for_pack(client, pack)
    assert pack.status == AuditPack.Status.READY, pack.reason
    assert pack.pages > 2


def test_a_render_past_its_memory_ceiling_fails_with_the_reason(worker, client, settings):
    load_shipped_data()
    client.force_login(UserFactory(role=roles.AUDITOR))
    settings.AIMS_PACK_MEMORY_MB = 64

    pack = request_pack(client)
    wait_for_pack(client, pack)
    assert pack.status == AuditPack.Status.FAILED
    assert pack.reason == "The render needed more memory than the ceiling of 64 MB."
