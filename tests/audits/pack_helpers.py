"""Shared by the audit pack tests: the shipped data a flushed database lacks, waiting for a pack
as its page does, reading the PDF as a reader would, and counting the layouts a render starts."""

import io
import time

from django.urls import reverse
from pypdf import PdfReader

from audits.models import AuditPack, Clause
from audits.models.clauses import load_clauses
from audits.models.incidents import ReportingPeriod, load_reporting_periods
from controls.catalogue import load_catalogues
from controls.models import Control, ControlObjective, SoAEntry


def load_shipped_data():
    """What the data migrations load and a transactional test's flush removed."""
    from aims.inventory.models import AIActObligation
    from aims.inventory.obligations import load_obligations
    from risks.library import load_library
    from risks.models import LibraryRisk

    load_clauses(Clause)
    load_reporting_periods(ReportingPeriod)
    load_catalogues(ControlObjective, Control, SoAEntry)
    load_obligations(AIActObligation)
    load_library(LibraryRisk)


def wait_for_pack(client, pack, timeout=240):
    """Poll the pack's progress fragment as the page does until it is ready or failed; the
    fragments' status texts land in the returned list."""
    url = reverse("audits:pack_detail", args=[pack.pk])
    deadline = time.monotonic() + timeout
    shown = []
    while True:
        pack.refresh_from_db()
        done = pack.status in (AuditPack.Status.READY, AuditPack.Status.FAILED)
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        shown.append(response.content.decode())
        if done:
            return shown
        assert time.monotonic() < deadline, f"still {pack.status}"
        time.sleep(0.3)


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def outline_titles(content):
    """Every bookmark's title, nested ones included."""
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(PdfReader(io.BytesIO(content)).outline)
    return titles


def download(client, pack):
    response = client.get(reverse("audits:pack_download", args=[pack.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return b"".join(response.streaming_content)


def counted_layouts(monkeypatch):
    """The target of every layout the pack's build starts from now on, in a list."""
    from audits.packs import build

    started = []
    lay_out = build.layout_to

    def counted(*args, **options):
        started.append(args[1])
        return lay_out(*args, **options)

    monkeypatch.setattr(build, "layout_to", counted)
    return started
