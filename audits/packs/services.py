"""Audit pack workflows: request a pack (or queue a large printed document, which runs as the
same job: audits/packs/documents.py), retry a failed one, and (in the worker) render it into its
record with progress, ending as ready with the file or failed with the reason."""

import hashlib
import logging
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from audits.models import AuditPack
from audits.packs.build import RenderFailed, render_pack
from audits.packs.bundle import write_bundle
from audits.packs.contents.evidence import evidence_files
from audits.packs.documents import document_render
from audits.packs.sections import PackScope

logger = logging.getLogger(__name__)

NOT_QUEUED = _("The pack could not be handed to the worker. Try again in a moment.")
STALLED = _("The worker stopped while it rendered the pack.")
# The same for a printed document (audits/packs/documents.py).
DOCUMENT_NOT_QUEUED = _(
    "The document is too large to print at once and could not be handed to the worker, which "
    "prints it in the background. Try again in a moment; if it fails again, tell the "
    "administrator."
)
DOCUMENT_STALLED = _("The worker stopped while it rendered the document.")
# How long past its time limit a render may run before it counts as stalled: the time the
# worker needs to store the file and record the result.
STALL_MARGIN = timedelta(minutes=2)
UNEXPECTED = _("The render failed unexpectedly. The administrators can see why in the log.")


def pack_request(*, user, systems, since, until, sections, include_evidence, archival=False):
    """A new pack, queued for the worker once the request commits."""
    with transaction.atomic():
        pack = AuditPack.objects.create(
            requested_by=user,
            since=since,
            until=until,
            sections=list(sections),
            include_evidence=include_evidence,
            archival=archival,
            language=translation.get_language() or "en",
        )
        pack.systems.set(systems)
        transaction.on_commit(lambda: queue(pack))
    return pack


def document_queue(*, user, document, parameters, title, file_name):
    """A printed document too large for a request, queued for the worker once the request
    commits (its dates are the day it was asked for)."""
    today = timezone.localdate()
    with transaction.atomic():
        job = AuditPack.objects.create(
            requested_by=user,
            document=document,
            parameters=parameters,
            title=title[:200],
            file_name=file_name[:200],
            since=today,
            until=today,
            language=translation.get_language() or "en",
        )
        transaction.on_commit(lambda: queue(job))
    return job


def pack_retry(*, pack):
    """Queue a failed pack again with its parameters; anything else stays as it is."""
    claimed = AuditPack.objects.filter(pk=pack.pk, status=AuditPack.Status.FAILED).update(
        status=AuditPack.Status.QUEUED, reason="", section_number=0, section_title=""
    )
    if claimed:
        queue(pack)
    return bool(claimed)


def queue(pack):
    from audits.packs.tasks import render_audit_pack

    try:
        render_audit_pack.delay(pack.pk)
    except Exception:  # the broker's errors vary with the transport
        logger.exception("Audit pack %s not queued", pack.pk)
        fail(pack, NOT_QUEUED if pack.is_pack else DOCUMENT_NOT_QUEUED)


def fail(pack, reason):
    AuditPack.objects.filter(pk=pack.pk).update(
        status=AuditPack.Status.FAILED, reason=str(reason), finished_at=timezone.now()
    )


def pack_expire_stalled(*, pack):
    """A render still running well past its time limit has lost its worker (stopped,
    restarted, killed by the system): it ends as failed, to be retried, instead of showing
    its progress for ever."""
    if pack.status != AuditPack.Status.RENDERING:
        return
    stalled_since = timezone.now() - timedelta(seconds=settings.AIMS_PACK_TIME_LIMIT) - STALL_MARGIN
    with translation.override(pack.language):
        expired = AuditPack.objects.filter(
            pk=pack.pk, status=AuditPack.Status.RENDERING, started_at__lt=stalled_since
        ).update(
            status=AuditPack.Status.FAILED,
            reason=str(STALLED if pack.is_pack else DOCUMENT_STALLED),
            finished_at=timezone.now(),
        )
    if expired:
        pack.refresh_from_db()


def scope_of(pack):
    return PackScope(
        user=pack.requested_by,
        systems=tuple(pack.systems.order_by("reference")),
        since=pack.since,
        until=pack.until,
        include_evidence=pack.include_evidence,
        reference=pack.reference,
    )


def pack_render(*, pack):
    """Render a queued pack in the worker; a pack claimed already (a task delivered twice)
    is left alone. Returns the final status."""
    claimed = AuditPack.objects.filter(pk=pack.pk, status=AuditPack.Status.QUEUED).update(
        status=AuditPack.Status.RENDERING, started_at=timezone.now()
    )
    if not claimed:
        return None
    pack.refresh_from_db()
    try:
        with translation.override(pack.language):
            store(pack, render(pack))
    except RenderFailed as refused:
        fail(pack, refused)
    except Exception:
        logger.exception("Audit pack %s failed", pack.reference)
        with translation.override(pack.language):
            fail(pack, UNEXPECTED)
    return AuditPack.objects.values_list("status", flat=True).get(pk=pack.pk)


def render(pack):
    def progress(number, count, title):
        AuditPack.objects.filter(pk=pack.pk).update(
            section_number=number, section_count=count, section_title=str(title)[:200]
        )

    if not pack.is_pack:
        return None, document_render(pack, progress)
    scope = scope_of(pack)
    return scope, render_pack(
        scope, progress, sections=pack.sections or None, archival=pack.archival
    )


def store(pack, rendered):
    """Keep the PDF, or the ZIP with the evidence files, privately with its size and hash."""
    scope, result = rendered
    with tempfile.TemporaryFile() as target:
        if pack.include_evidence:
            write_bundle(
                target,
                pdf_name=f"{pack.reference}.pdf",
                pdf=result.pdf,
                files=evidence_files(scope),
            )
        else:
            target.write(result.pdf)
        target.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: target.read(1024 * 1024), b""):
            digest.update(chunk)
        size = target.tell()
        target.seek(0)
        pack.file.save(f"{pack.reference}.{pack.file_extension}", File(target), save=False)
    AuditPack.objects.filter(pk=pack.pk).update(
        status=AuditPack.Status.READY,
        file=pack.file.name,
        pages=result.pages,
        size=size,
        sha256=digest.hexdigest(),
        finished_at=timezone.now(),
        section_number=len(result.sections),
        section_count=len(result.sections),
        section_title="",
    )
