"""One audit pack as a PDF: each section's fragment rendered in turn (with progress), the
cover and the table of contents around them, laid out once by the safe renderer in a child
process with a time limit and a memory ceiling (audits/packs/layout.py).

`render_pack(scope, progress=None)` is the one way to make a pack: the worker, the
`build_audit_pack` command and the benchmark all call it.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from aims.context.models import ScopeStatement
from audits.packs.contents.evidence import evidence_files
from audits.packs.layout import RenderFailed, layout, time_limit_reason
from audits.packs.sections import all_sections

__all__ = ["PackResult", "RenderFailed", "render_pack"]


@dataclass(frozen=True)
class PackResult:
    pdf: bytes
    pages: int
    # The keys of the sections printed (a section with nothing to show is left out).
    sections: tuple

    @property
    def size(self):
        return len(self.pdf)

    @property
    def sha256(self):
        return hashlib.sha256(self.pdf).hexdigest()


def render_pack(
    scope, progress=None, *, sections=None, time_limit=None, memory_mb=None, archival=False
):
    """The pack of `scope` as a PDF (`archival`: a PDF/A-3b with the evidence files of the
    evidence index embedded).

    `sections`: the keys to print (all of this installation's when None). `progress(number,
    count, title)` is called before each section is built. Raises RenderFailed, with the
    reason for the requester, past the time limit (settings.AIMS_PACK_TIME_LIMIT seconds for
    the whole render) or the memory ceiling of the layout (settings.AIMS_PACK_MEMORY_MB).
    """
    time_limit = time_limit or settings.AIMS_PACK_TIME_LIMIT
    deadline = time.monotonic() + time_limit
    chosen = [s for s in all_sections() if sections is None or s.key in sections]
    parts = []
    for number, section in enumerate(chosen, start=1):
        if progress:
            progress(number, len(chosen), section.title)
        context = section.build(scope)
        if context is not None:
            html = render_to_string(section.template_name, {**context, "scope": scope})
            parts.append((section, mark_safe(html)))  # noqa: S308 - rendered by our templates
        if time.monotonic() > deadline:
            raise RenderFailed(time_limit_reason(time_limit))
    document = render_to_string(
        "audits/pack_document.html", {**cover(scope, parts), "archival": archival}
    )
    pdf, pages = layout(
        document,
        seconds=deadline - time.monotonic(),
        megabytes=memory_mb or settings.AIMS_PACK_MEMORY_MB,
        time_limit=time_limit,
        attachments=embedded_evidence(scope) if archival else None,
    )
    return PackResult(pdf=pdf, pages=pages, sections=tuple(s.key for s, _html in parts))


def embedded_evidence(scope):
    """The evidence index's files as PDF attachments: named as in the ZIP bundle, described by
    reference, title and SHA-256."""
    return [
        (
            item.archive_name.removeprefix("evidence/"),
            f"{item.evidence.reference} {item.evidence.title} · SHA-256 {item.revision.sha256}",
            item.revision.file.open,
        )
        for item in evidence_files(scope)
    ]


def cover(scope, parts):
    return {
        "organization": ScopeStatement.current_title(),
        "scope": scope,
        "generated_at": timezone.now(),
        "generated_by": scope.user,
        "parts": parts,
    }
