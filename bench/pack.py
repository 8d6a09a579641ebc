"""The audit pack of a scaled organisation against a plain single-table PDF of the same rows.

The pack (`render_pack`, every section, for the compliance officer, with the change log of the
year) is timed from the first query to the last PDF byte, in the same run that traces its
Python allocations. Its layout runs in a child process,
so its memory is two figures: the peak of Python allocations in this process while the
sections are built (tracemalloc) and the maximum resident set of the layout child
(getrusage RUSAGE_CHILDREN, read after the pack: the bench starts no other child before it).

The baseline lays out the risk register and the evidence index rows of the same organisation as
one HTML table with the portal's PDF stylesheet, through the same layout child
(html_to_document, write_pdf); its child's maximum resident set comes from os.wait4.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

MIB = 2**20
BENCH_TIME_LIMIT = 3600
# The budget every large PDF is held to.
BUDGET_PAGES_PER_SECOND = 10
BUDGET_BYTES = 2**30


def sizes(args):
    """The scaled organisation at the bench's size, in the proportions of seed_scale's
    defaults (10 risks per own control, 5 per evidence item, 200 per audit)."""
    from aims.core.scale import Sizes

    risks = args.pack_risks
    return Sizes(
        systems=args.pack_systems,
        risks=risks,
        controls=risks // 10,
        evidence=risks // 5,
        soa=risks // 10,
        audits=max(1, risks // 200),
        checklist=risks // 5,
        history=risks * 2,
    )


def run_pack(args):
    from django.conf import settings
    from django.db import transaction
    from django.test.utils import override_settings

    from aims.core.roles import COMPLIANCE_OFFICER
    from aims.core.scale import REFERENCE_DATE, seed_scale
    from audits.packs.build import render_pack
    from audits.packs.sections import PackScope

    scaled = sizes(args)
    with (
        tempfile.TemporaryDirectory(prefix="aims-bench-") as folder,
        override_settings(MEDIA_ROOT=folder),
        transaction.atomic(),
    ):
        start = time.perf_counter()
        plan = seed_scale(scaled, seed=42)
        seeding = time.perf_counter() - start
        scope = PackScope(
            user=plan.users[COMPLIANCE_OFFICER],
            since=REFERENCE_DATE - timedelta(days=365),
            until=REFERENCE_DATE,
            reference="BENCH",
        )
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

        # The bench measures the peak, so the layout child may go beyond the production
        # ceiling (AIMS_PACK_MEMORY_MB) and time limit; the table says when it went beyond.
        pack, pack_time, pack_heap = traced(
            lambda: render_pack(scope, time_limit=BENCH_TIME_LIMIT, memory_mb=args.pack_memory_mb)
        )
        pack_child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024

        rows = table_rows(plan)
        (table_pages, table_child_rss), table_time, table_heap = traced(
            lambda: child_layout(plain_table(rows), args.pack_memory_mb)
        )
        # Nothing of the scaled organisation stays for the other measurements.
        transaction.set_rollback(True)

    print(
        f"Audit pack: {scaled.systems} AI systems, {scaled.risks} risks, {scaled.controls} own "
        f"controls, {scaled.evidence} evidence items (seeded in {seeding:.0f} s); "
        f"{pack.size / MIB:.1f} MiB PDF of the sections {', '.join(pack.sections)}"
    )
    print(f"Baseline: the {len(rows)} risk and evidence rows as one table, same layout child")
    print(f"{'what':<40}{'pack':>10}{'baseline':>10}{'ratio':>8}")
    figures = (
        ("pages", pack.pages, table_pages, "{:.0f}"),
        ("seconds", pack_time, table_time, "{:.1f}"),
        ("pages per second", pack.pages / pack_time, table_pages / table_time, "{:.1f}"),
        ("peak MiB, Python heap (tracemalloc)", pack_heap / MIB, table_heap / MIB, "{:.1f}"),
        (
            "max RSS MiB, layout child (getrusage)",
            pack_child_rss / MIB,
            table_child_rss / MIB,
            "{:.0f}",
        ),
    )
    for name, figure, baseline, style in figures:
        print(
            f"{name:<40}{style.format(figure):>10}{style.format(baseline):>10}"
            f"{figure / baseline if baseline else 0:>8.2f}"
        )
    fast, small = pack.pages / pack_time >= BUDGET_PAGES_PER_SECOND, pack_child_rss < BUDGET_BYTES
    print(
        f"Budget: PDFs at least {BUDGET_PAGES_PER_SECOND} pages per second and under "
        f"{BUDGET_BYTES // MIB} MiB: {'PASS' if fast and small else 'FAIL'}"
    )
    for name, seconds, rss in (
        ("pack", pack_time, pack_child_rss),
        ("baseline", table_time, table_child_rss),
    ):
        if rss > settings.AIMS_PACK_MEMORY_MB * MIB or seconds > settings.AIMS_PACK_TIME_LIMIT:
            print(
                f"The {name} went beyond the production limits (AIMS_PACK_MEMORY_MB "
                f"{settings.AIMS_PACK_MEMORY_MB}, AIMS_PACK_TIME_LIMIT "
                f"{settings.AIMS_PACK_TIME_LIMIT} s): the worker would fail it."
            )
    if pack_child_rss <= children_before * 1024:
        print(
            "(the pack's layout child stayed below an earlier child's "
            f"{children_before // 1024} MiB)"
        )


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


def table_rows(plan):
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


def child_layout(html, megabytes):
    """(pages, max RSS in bytes) of laying out `html` in the pack's layout child."""
    from django.conf import settings

    with tempfile.TemporaryDirectory(prefix="aims-bench-") as folder:
        source, target = Path(folder, "table.html"), Path(folder, "table.pdf")
        source.write_text(html, encoding="utf-8")
        output, errors = Path(folder, "out"), Path(folder, "err")
        with output.open("wb") as out, errors.open("wb") as err:
            child = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "audits.packs.layout", source, target, str(megabytes)],
                cwd=settings.BASE_DIR,
                stdout=out,
                stderr=err,
            )
            # wait4, not wait(): it returns the resource usage of this one child.
            _pid, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            raise RuntimeError(errors.read_text(errors="replace")[-2000:])
        return int(output.read_text().strip()), usage.ru_maxrss * 1024
