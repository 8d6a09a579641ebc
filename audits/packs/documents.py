"""Printed documents that grow with the data (the Statement of Applicability, the audit report):
printed in the request up to settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES entries, beyond that
rendered by the worker through the audit pack's job (its record, task, progress page and
download), so that no request waits for a long layout or meets the server's timeout.

Each document declares a builder `build(user, **parameters) -> (template, context)` that reads
only what `user` may see and raises PermissionDenied or Http404 otherwise; the worker calls it
again for the requester, so a job prints what its requester may read when it runs.
"""

import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from aims.core.pdf import html_to_document
from audits.models import AuditPack
from audits.packs.build import PackResult
from audits.packs.layout import RenderFailed, layout
from controls.models import SoAFramework

__all__ = ["document_html", "document_render", "largest_pdf", "printed_in_request"]

COLLECTING = _("Collecting the content")
LAYING_OUT = _("Laying out the pages")
NO_LONGER_VISIBLE = _("You may no longer view this document.")


def printed_in_request(entries):
    """Whether a document of `entries` entries (SoA entries, checklist items) is printed within
    the request."""
    return entries <= settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES


def document_render(job, progress):
    """The job's document as a PackResult, laid out by the pack's child process with its time
    limit and memory ceiling. `progress(number, count, title)` reports the two steps."""
    time_limit = settings.AIMS_PACK_TIME_LIMIT
    deadline = time.monotonic() + time_limit
    progress(1, 2, COLLECTING)
    html = document_html(job.document, job.requested_by, job.parameters)
    progress(2, 2, LAYING_OUT)
    pdf, pages = layout(
        html,
        seconds=deadline - time.monotonic(),
        megabytes=settings.AIMS_PACK_MEMORY_MB,
        time_limit=time_limit,
    )
    return PackResult(pdf=pdf, pages=pages, sections=())


def document_html(document, user, parameters):
    """The document's HTML as `user` may read it; RenderFailed if they no longer may."""
    try:
        template, context = builder(document)(user, **parameters)
    except (PermissionDenied, Http404):
        raise RenderFailed(NO_LONGER_VISIBLE) from None
    return render_to_string(template, context)


def largest_pdf(user):
    """(pages, PDF bytes) of the largest document an installation prints, the current ISO/IEC
    42001 Statement of Applicability, laid out in this process as the worker's child does (for
    the benchmark, which measures its time and memory)."""
    html = document_html(
        AuditPack.Document.SOA, user, {"number": None, "framework": SoAFramework.ISO42001.value}
    )
    document = html_to_document(html)
    return len(document.pages), document.write_pdf()


def builder(document):
    # Imported here: the builders' views ask this module whether they print in the request.
    from audits.internal.report import report_printed
    from controls.soa_printed import soa_printed

    return {AuditPack.Document.SOA: soa_printed, AuditPack.Document.AUDIT_REPORT: report_printed}[
        document
    ]
