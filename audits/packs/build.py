"""One audit pack as a PDF, laid out in parts so that the memory of a layout does not grow with
the organisation: WeasyPrint keeps every page of a document in memory until it is written.

Each section's fragment is rendered in turn (with progress) and laid out in one or more parts of
at most PART_BYTES of HTML, cut between its records (PART_BREAK in the section's template), each
part by the safe renderer in a child process with a time limit and a memory ceiling
(audits/packs/layout.py). Up to settings.AIMS_PACK_LAYOUT_PROCESSES parts are laid out at once,
while the next sections are rendered. Then the cover with the contents, whose page numbers are
known by now, and last a child joins the parts, prints "Page x of y" over every page and keeps
the sections' bookmarks in one outline.

`render_pack(scope, progress=None)` is the one way to make a pack: the worker, the
`build_audit_pack` command and the benchmark all call it.
"""

import hashlib
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from aims.context.models import ScopeStatement
from audits.packs.contents.evidence import evidence_files
from audits.packs.layout import RenderFailed, join, layout_to, time_limit_reason
from audits.packs.sections import all_sections

__all__ = ["PackResult", "RenderFailed", "render_pack"]

# Where a section's template allows a new part: between two records.
PART_BREAK = "<!-- pack-part -->"
# The HTML of one part at most (a single record may exceed it). A megabyte of records makes
# some 250 pages and needs some 400 MB to lay out.
PART_BYTES = 1_000_000
# The page numbers are laid out this many pages at a time, like the parts.
NUMBER_PAGES = 1000


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
    the whole render) or the memory ceiling of each layout (settings.AIMS_PACK_MEMORY_MB).
    """
    time_limit = time_limit or settings.AIMS_PACK_TIME_LIMIT
    deadline = time.monotonic() + time_limit

    def lay_out(html, target, **options):
        return layout_to(
            html,
            target,
            seconds=deadline - time.monotonic(),
            megabytes=memory_mb or settings.AIMS_PACK_MEMORY_MB,
            time_limit=time_limit,
            **options,
        )

    chosen = [s for s in all_sections() if sections is None or s.key in sections]
    document = {"scope": scope, "archival": archival, **strings(scope)}
    # A PDF/A-3b is one in every part; the cover's part holds the attachments.
    part_attachments = [] if archival else None
    with tempfile.TemporaryDirectory(prefix="aims-pack-") as folder, Layouts() as layouts:
        parts, printed = [], []
        for number, section in enumerate(chosen, start=1):
            if progress:
                progress(number, len(chosen), section.title)
            context = section.build(scope)
            if context is not None:
                html = render_to_string(section.template_name, {**context, "scope": scope})
                pages = []
                for index, chunk in enumerate(split(html)):
                    target = Path(folder, f"part-{len(parts)}.pdf")
                    part = {**document, "section": section, "first": index == 0}
                    part["html"] = mark_safe(chunk)  # noqa: S308 - rendered by our templates
                    pages.append(
                        layouts.submit(
                            lay_out,
                            render_to_string("audits/pack_document.html", part),
                            target,
                            attachments=part_attachments,
                        )
                    )
                    parts.append((target, index == 0))
                printed.append((section, pages))
            if time.monotonic() > deadline:
                raise RenderFailed(time_limit_reason(time_limit))
        printed = [(section, sum(p.result() for p in pages)) for section, pages in printed]
        front = Path(folder, "front.pdf")
        attachments = embedded_evidence(scope) if archival else part_attachments
        # Laid out again once when the contents take more pages than assumed.
        assumed = 2
        front_pages = lay_out(
            front_html(document, printed, assumed), front, attachments=attachments
        )
        if front_pages != assumed:
            lay_out(front_html(document, printed, front_pages), front, attachments=attachments)
        total = front_pages + sum(pages for _section, pages in printed)
        numbers = []
        for first in range(1, total + 1, NUMBER_PAGES):
            html = render_to_string(
                "audits/pack_document.html",
                {
                    **document,
                    "numbers": range(first, min(first + NUMBER_PAGES, total + 1)),
                    "total": total,
                },
            )
            path = Path(folder, f"numbers-{first}.pdf")
            numbers.append((path, layouts.submit(lay_out, html, path)))
        for _path, laid_out in numbers:
            laid_out.result()
        target = Path(folder, "pack.pdf")
        pages = join(
            [(front, True), *parts],
            [path for path, _laid_out in numbers],
            target,
            seconds=deadline - time.monotonic(),
            megabytes=memory_mb or settings.AIMS_PACK_MEMORY_MB,
            time_limit=time_limit,
        )
        return PackResult(
            pdf=target.read_bytes(),
            pages=pages,
            sections=tuple(section.key for section, _pages in printed),
        )


class Layouts:
    """Parts laid out by up to AIMS_PACK_LAYOUT_PROCESSES children at once, each waited for by
    a thread in the language of the request. `submit` waits while as many parts again are
    queued, so that the HTML waiting for a child stays bounded, and raises the first part's
    failure, so that no further part is started after one failed. Leaving the block drops the
    parts not started and waits for the children running."""

    def __enter__(self):
        processes = settings.AIMS_PACK_LAYOUT_PROCESSES
        self.pool = ThreadPoolExecutor(max_workers=processes, thread_name_prefix="pack-layout")
        self.slots = threading.BoundedSemaphore(2 * processes)
        self.failure = None
        return self

    def __exit__(self, *exc_info):
        self.pool.shutdown(cancel_futures=True)

    def submit(self, function, *args, **kwargs):
        self.slots.acquire()
        if self.failure is not None:
            raise self.failure
        future = self.pool.submit(
            in_language(translation.get_language(), function), *args, **kwargs
        )
        future.add_done_callback(self.done)
        return future

    def done(self, future):
        if not future.cancelled() and future.exception() is not None:
            self.failure = self.failure or future.exception()
        self.slots.release()


def in_language(language, function):
    def call(*args, **kwargs):
        with translation.override(language):
            return function(*args, **kwargs)

    return call


def split(html):
    """The section's HTML in chunks of at most PART_BYTES, cut at PART_BREAKs."""
    chunk, size = [], 0
    for piece in html.split(PART_BREAK):
        if chunk and size + len(piece) > PART_BYTES:
            yield "".join(chunk)
            chunk, size = [], 0
        chunk.append(piece)
        size += len(piece)
    yield "".join(chunk)


def front_html(document, printed, front_pages):
    """The cover and the contents, each section with the page it starts on when the two take
    `front_pages` pages."""
    contents, page = [], front_pages + 1
    for section, pages in printed:
        contents.append((section.title, page))
        page += pages
    return render_to_string("audits/pack_document.html", {**document, "contents": contents})


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


def strings(scope):
    return {
        "organization": ScopeStatement.current_title(),
        "generated_at": timezone.now(),
        "generated_by": scope.user,
    }
