"""The audit pack of the scaled organisation against a plain single-table PDF of the same rows.

The pack (`render_pack`, every section, for the compliance officer, with the change log of the
year) is timed from the first query to the last PDF byte. Its parts are laid out in child
processes, several at once, whose memory together `ChildPeak` reads. The Python heap of
building the sections is traced with tracemalloc in a pass of its own (`sections_heap`).

The baseline lays out the first TABLE_ROWS risk register and evidence index rows of the same
organisation as one HTML table with the portal's PDF stylesheet, through the same layout child
(html_to_document, write_pdf), measured the same way.

Not getrusage: on Linux the maximum resident set of a child that forked and then ran a new
program includes its parent's at the fork, and this process holds the organisation's records.
"""

import os
import tempfile
import threading
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

# The baseline's rows: enough for a rate (pages per second) without minutes of layout.
TABLE_ROWS = 3000


def measure_pack(user, *, time_limit, memory_mb):
    """Pages, seconds and peak memory of the pack of `user` and of its baseline; the pack
    stops at `time_limit` seconds or `memory_mb` of layout memory ("failed" says why)."""
    from aims.core.scale import REFERENCE_DATE
    from audits.packs.build import RenderFailed, render_pack
    from audits.packs.sections import PackScope

    scope = PackScope(
        user=user,
        since=REFERENCE_DATE - timedelta(days=365),
        until=REFERENCE_DATE,
        reference="BENCH",
    )
    result = {}
    with ChildPeak() as peak:
        try:
            start = time.perf_counter()
            pack = render_pack(scope, time_limit=time_limit, memory_mb=memory_mb)
            seconds = time.perf_counter() - start
            result["pack"] = {"pages": pack.pages, "seconds": seconds, "heap": sections_heap(scope)}
        except RenderFailed as failed:
            result["pack"] = {"failed": str(failed)}
    result["pack"]["rss"] = peak.bytes
    rows = table_rows()[:TABLE_ROWS]
    with ChildPeak() as peak:
        pages, seconds, heap = traced(lambda: baseline_layout(plain_table(rows), memory_mb))
    result["table"] = {"rows": len(rows), "pages": pages, "seconds": seconds, "heap": heap}
    result["table"]["rss"] = peak.bytes
    return result


class ChildPeak:
    """The most memory the descendants started while the block ran held: the resident sets of
    those alive at once, added up every INTERVAL seconds (the pack lays out several parts at a
    time), or one descendant's own high-water mark (VmHWM, counted from when it started its
    program), whichever is larger. Processes below this one from before the block, and theirs,
    are not counted."""

    INTERVAL = 0.05

    def __enter__(self):
        self.bytes = 0
        self.earlier = set(descendants(os.getpid()))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()

    def watch(self):
        while not self.stop.wait(self.INTERVAL):
            pids = descendants(os.getpid(), skip=self.earlier)
            together = sum(status_bytes(pid, "VmRSS") for pid in pids)
            alone = max((status_bytes(pid, "VmHWM") for pid in pids), default=0)
            self.bytes = max(self.bytes, together, alone)


def descendants(root, skip=()):
    """The process ids below `root`, from every process's parent in /proc, without those in
    `skip` and the processes below them."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The parent follows the command name, which is in parentheses.
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):  # ended meanwhile
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, waiting = [], [root]
    while waiting:
        for child in children.get(waiting.pop(), ()):
            if child not in skip:
                found.append(child)
                waiting.append(child)
    return found


def status_bytes(pid, field):
    """A memory figure of the process's status (VmRSS, VmHWM) in bytes; 0 once it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def sections_heap(scope):
    """The peak of the Python heap while every section is read and written as HTML, which is
    what the pack's own process does while its parts are laid out beside it. Traced in a pass
    of its own: tracing slows Python several times, and the pack's time is measured without."""
    from django.template.loader import render_to_string

    from audits.packs.sections import all_sections

    def build():
        for section in all_sections():
            context = section.build(scope)
            if context is not None:
                render_to_string(section.template_name, {**context, "scope": scope})

    return traced(build)[2]


def traced(function):
    """(result, seconds, peak bytes of Python allocations) of one call. One run for both: a
    pack takes minutes. Tracing slows the Python work of this process, not the layout child."""
    tracemalloc.start()
    try:
        start = time.perf_counter()
        result = function()
        return result, time.perf_counter() - start, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def table_rows():
    """(reference, title, owner, date or status, level or SHA-256) of every risk and every
    evidence item of the scaled organisation."""
    from controls.models import Evidence
    from risks.models import Risk

    rows = [
        (r.reference, r.title, str(r.owner), r.get_status_display(), r.get_residual_level_display())
        for r in Risk.objects.select_related("owner").order_by("reference")
    ]
    for item in Evidence.objects.select_related("uploaded_by").prefetch_related("revisions"):
        revision = item.current_revision
        rows.append(
            (
                item.reference,
                item.title,
                str(item.uploaded_by),
                str(item.evidence_date),
                revision.sha256 if revision else "",
            )
        )
    return rows


def plain_table(rows):
    from django.utils.html import format_html, format_html_join

    body = format_html_join(
        "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
    )
    return format_html(
        "<!doctype html><html><body><h1>Risks and evidence</h1><table><thead><tr>"
        "<th>Reference</th><th>Title</th><th>Owner</th><th>Status or date</th>"
        "<th>Level or SHA-256</th></tr></thead><tbody>{}</tbody></table></body></html>",
        body,
    )


def baseline_layout(html, megabytes):
    """The page count of `html` laid out by the pack's own layout child, within the
    installation's time limit for a pack (not the bench's, which may be short)."""
    from django.conf import settings

    from audits.packs.layout import layout_to

    limit = settings.AIMS_PACK_TIME_LIMIT
    with tempfile.TemporaryDirectory(prefix="aims-bench-") as folder:
        return layout_to(
            html, Path(folder, "table.pdf"), seconds=limit, megabytes=megabytes, time_limit=limit
        )
