"""`make bench`: one table of the portal's figures at scale, each beside its baseline measured
in the same run, with PASS or FAIL for every budget (bench/budgets.py).

    python -m bench [--quick] [--seconds 3] [--workers 5] [--systems N --risks N ...]
                    [--reuse] [--keep] [--imports]

1. Seeds a scaled organisation (seed_scale's default sizes; `--quick`: a tenth) and a small one
   into fresh databases (bench/databases.py).
2. Counts each page's SQL queries and HTML size in both (bench/probe.py).
3. Serves the scaled organisation with gunicorn (bench settings: the portal plus three baseline
   pages, bench/urls.py) and loads every page with wrk at 10 connections; the bare 50-row list
   is loaded again between the pages, and its median is the baseline of every page.
4. Exports 10,000 risks, lays out the SoA and the audit pack, runs the reminder sweep.
5. Prints the table in Markdown, for README "Performance".
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench import budgets, load
from bench.budgets import MIB, Row

BASE_DIR = Path(__file__).resolve().parent.parent
FOLDER = BASE_DIR / "var" / "bench"
# The bare list is loaded again after this many pages: the machine's load changes over a run.
BASELINE_EVERY = 15


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from aims.core.scale import Sizes
    from bench.databases import Databases

    args = arguments(Sizes)
    sizes = Sizes(
        **{
            name: getattr(args, name)
            if getattr(args, name) is not None
            else getattr(Sizes(), name) // (10 if args.quick else 1)
            for name in Sizes.names()
        }
    )
    seconds = args.seconds or (2 if args.quick else 3)
    databases = Databases(FOLDER, reuse=args.reuse)
    log = FOLDER / "bench.log"
    log.write_text("")
    started = time.perf_counter()
    rows = []
    try:
        say(f"Seeding (log: {log}) …")
        seeding = databases.prepare(sizes, log)
        databases.run(["manage.py", "collectstatic", "--no-input", "-v0"], "scaled", log)
        rows.append(seeding_row(sizes, seeding, databases))
        say("Queries and HTML size per page, small and scaled …")
        small = probe(databases, "small", "pages")
        scaled = probe(databases, "scaled", "pages")
        say(f"Loading every page with wrk, {seconds} s each …")
        loads = load_pages(databases, scaled, seconds, args.workers, log)
        rows += page_rows(small, scaled, loads)
        say("Exports …")
        rows += export_rows(probe(databases, "scaled", "exports"))
        say("SoA PDF …")
        soa = probe(databases, "scaled", "soa-pdf")
        say("Audit pack …")
        pack = probe(databases, "scaled", "pack", args.pack_seconds, args.pack_memory_mb)
        rows += pdf_rows(soa, pack)
        say("Reminder sweep …")
        rows.append(
            sweep_row(probe(databases, "scaled", "sweep"), probe(databases, "small", "sweep"))
        )
        if args.imports:
            from bench.imports import import_rows

            say("Imports …")
            rows += import_rows(args.import_rows)
    finally:
        if not args.keep:
            databases.drop()
    print()
    print(
        f"Bench of {time.strftime('%Y-%m-%d')}: {os.cpu_count()} cores, "
        f"{'PostgreSQL' if databases.postgres else 'SQLite'}, gunicorn {args.workers} workers, "
        f"wrk -t2 -c10 -d{seconds}s per page; {time.perf_counter() - started:.0f} s in all."
    )
    print()
    print(budgets.markdown(rows))
    print()
    print(budgets.summary(rows))


def arguments(sizes):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes, 2 s per page")
    parser.add_argument("--seconds", type=int, help="wrk's duration per page (default 3)")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (as in compose)")
    for name in sizes.names():
        parser.add_argument(f"--{name}", type=int, metavar="N", help="seed_scale's size")
    parser.add_argument("--reuse", action="store_true", help="use the databases of a --keep run")
    parser.add_argument("--keep", action="store_true", help="keep the databases after the run")
    parser.add_argument(
        "--pack-seconds", type=int, default=600, help="time limit of the audit pack's render"
    )
    parser.add_argument(
        "--pack-memory-mb",
        type=int,
        default=4096,
        help="memory ceiling of each of the audit pack's layout processes",
    )
    parser.add_argument("--imports", action="store_true", help="also time the import wizard")
    parser.add_argument("--import-rows", type=int, default=20000)
    return parser.parse_args()


def say(text):
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def probe(databases, name, what, *options):
    """The result of `python -m bench.probe what` in organisation `name`."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.probe", what, *map(str, options)],
        cwd=BASE_DIR,
        env=databases.env(name),
        capture_output=True,
        text=True,
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    raise RuntimeError(f"bench.probe {what} ({name}) failed:\n{result.stderr[-3000:]}")


def load_pages(databases, scaled, seconds, workers, log):
    """wrk figures by page key, plus "bare" and "bare-list" (the median of its runs)."""
    cookie = scaled["cookie"]
    pages = [page for page in scaled["pages"] if page["url"] and page["status"] == 200]
    loads, bare_lists = {}, []
    with load.Gunicorn(databases.env("scaled"), workers, log) as server:
        loads["bare"] = load.wrk(f"{server.url}/bench/bare/", cookie, seconds)
        loads["layout"] = load.wrk(f"{server.url}/bench/layout/", cookie, seconds)
        bare_lists.append(load.wrk(f"{server.url}/bench/list/", cookie, seconds))
        for number, page in enumerate(pages, start=1):
            refused, single = load.warm_up(server.url + page["url"], cookie)
            loads[page["key"]] = load.wrk(server.url + page["url"], cookie, seconds)
            loads[page["key"]]["refused"] = sorted(map(str, refused))
            if server.backlog(single) > 1:
                server.restart()
            if number % BASELINE_EVERY == 0 or number == len(pages):
                bare_lists.append(load.wrk(f"{server.url}/bench/list/", cookie, seconds))
    answered = [run for run in bare_lists if run["requests"]] or [{"p50_ms": None, "p95_ms": None}]
    loads["bare-list"] = {"rps": statistics.median(run["rps"] for run in bare_lists)}
    for name in ("p50_ms", "p95_ms"):
        values = [run[name] for run in answered if run[name] is not None]
        loads["bare-list"][name] = statistics.median(values) if values else None
    loads["bare-list"]["errors"] = sum(run["errors"] for run in bare_lists)
    loads["bare-list"]["range"] = (
        min(run["rps"] for run in bare_lists),
        max(run["rps"] for run in bare_lists),
        len(bare_lists),
    )
    return loads


def seeding_row(sizes, seeding, databases):
    figures = ", ".join(f"{getattr(sizes, name):,} {name}" for name in sizes.names())
    if seeding["scaled"] is None:
        return Row("Scaled organisation (reused)", figures=figures)
    return Row(
        "Scaled organisation",
        figures=f"{figures}; seeded in {seeding['scaled']:.0f} s",
        baseline=f"small organisation seeded in {seeding['small']:.0f} s",
    )


def page_rows(small, scaled, loads):
    bare, layout, bare_list = loads["bare"], loads["layout"], loads["bare-list"]
    low, high, runs = bare_list["range"]
    rows = [
        Row(
            "Baseline: bare Django view",
            rps=bare["rps"],
            p50_ms=bare["p50_ms"],
            p95_ms=bare["p95_ms"],
        ),
        Row(
            "Baseline: bare 50-row select_related list",
            rps=bare_list["rps"],
            p50_ms=bare_list["p50_ms"],
            p95_ms=bare_list["p95_ms"],
            figures=f"median of {runs} runs between the pages: {low:.0f}–{high:.0f} req/s",
        ),
        Row(
            "Baseline: the portal's empty layout",
            rps=layout["rps"],
            p50_ms=layout["p50_ms"],
            p95_ms=layout["p95_ms"],
            figures="every page's share before its content: session, permissions, navigation",
        ),
    ]
    small_pages = {page["key"]: page for page in small["pages"] if page["url"]}
    special = {
        "risks.risk:list": "Risk register",
        "controls.soaentry:list": "SoA",
        "dashboard": "Dashboard",
    }
    ordered = sorted(
        scaled["pages"],
        key=lambda page: (page["key"] not in special, page["key"] != "risks.risk:list"),
    )
    for page in ordered:
        rows.append(page_row(page, small_pages.get(page["key"], {}), loads, special))
    return rows


def page_row(page, small, loads, special):
    name = special.get(page["key"], page["name"])
    if not page["url"]:
        return Row(name, figures="no entry in the scaled organisation")
    row = Row(name)
    figures = {}
    if small.get("status") == 200:
        figures["queries_small"] = small["queries"]
    if page["status"] == 200:
        figures["queries_scaled"] = page["queries"]
    row.queries = f"{small.get('queries', '–')} → {page['queries']}"
    small_kib = f"{small['bytes'] / 1024:.0f}" if small else "–"
    row.weight = f"{small_kib} → {page['bytes'] / 1024:.0f}"
    notes = []
    if not small:
        notes.append("no entry in the small organisation")
    statuses = {small.get("status", 200), page["status"]} - {200}
    if statuses:
        notes.append(f"HTTP {', '.join(map(str, sorted(statuses)))}")
        figures["errors"] = 1
    measured = loads.get(page["key"])
    if measured:
        figures.update(measured)
        row.rps, row.p50_ms, row.p95_ms = measured["rps"], measured["p50_ms"], measured["p95_ms"]
        if measured["refused"]:
            notes.append(f"gunicorn answered: {', '.join(measured['refused'])}")
            figures["errors"] = 1
        if measured["errors"]:
            notes.append(f"{measured['errors']} responses not 200")
        if not measured["requests"]:
            notes.append("no response within the run")
    row.figures = "; ".join(notes)
    bare_list = loads["bare-list"]
    share = budgets.RISK_REGISTER_SHARE if page["key"] == "risks.risk:list" else budgets.PAGE_SHARE
    row.baseline = f"{share * bare_list['rps']:.1f} req/s needed" if measured else ""
    row.verdicts = budgets.page_verdicts(
        figures, bare_list, risk_register=page["key"] == "risks.risk:list"
    )
    return row


def export_rows(result):
    rows = []
    for fmt, writer in (("csv", "csv module"), ("xlsx", "openpyxl write-only")):
        figures = result[fmt]
        rows.append(
            Row(
                f"Export of {result['rows']:,} risks, {fmt.upper()}",
                figures=(
                    f"{figures['seconds']:.2f} s, peak {figures['peak'] / MIB:.1f} MiB, "
                    f"{figures['bytes'] / MIB:.1f} MiB file"
                ),
                baseline=(
                    f"{writer}: {figures['direct_seconds']:.2f} s, "
                    f"peak {figures['direct_peak'] / MIB:.1f} MiB"
                ),
                verdicts=budgets.export_verdicts(
                    figures["seconds"], figures["peak"], figures["direct_seconds"]
                ),
            )
        )
    return rows


def pdf_rows(soa, pack):
    table = pack["table"]
    baseline = (
        f"{table['rows']:,} rows as one plain table: {table['pages']} pages, "
        f"{table['seconds']:.1f} s, {table['pages'] / table['seconds']:.1f} pages/s, "
        f"max RSS {table['rss'] / MIB:.0f} MiB"
    )
    rows = [
        Row(
            f"SoA PDF, {soa['entries']:,} entries",
            figures=pdf_figures(
                soa["pages"], soa["seconds"], soa["peak"], "max RSS of the process"
            ),
            baseline=baseline,
            verdicts=budgets.pdf_verdicts(soa["pages"], soa["seconds"], soa["peak"]),
        )
    ]
    figures = pack["pack"]
    if "failed" in figures:
        rows.append(
            Row(
                "Audit pack",
                figures=f"stopped: {figures['failed']} (layout processes together at most "
                f"{figures['rss'] / MIB:.0f} MiB)",
                baseline=baseline,
                verdicts=budgets.pdf_verdicts(0, 0, figures["rss"], finished=False),
            )
        )
    else:
        rows.append(
            Row(
                "Audit pack",
                figures=pdf_figures(
                    figures["pages"],
                    figures["seconds"],
                    figures["rss"],
                    "layout processes together at most",
                )
                + f", Python heap {figures['heap'] / MIB:.0f} MiB",
                baseline=baseline,
                verdicts=budgets.pdf_verdicts(figures["pages"], figures["seconds"], figures["rss"]),
            )
        )
    return rows


def pdf_figures(pages, seconds, peak, what):
    return (
        f"{pages} pages, {seconds:.1f} s, {pages / seconds:.1f} pages/s, "
        f"{what} {peak / MIB:.0f} MiB"
    )


def sweep_row(scaled, small):
    return Row(
        "Reminder sweep",
        queries=f"{small['queries']} → {scaled['queries']}",
        figures=(
            f"{scaled['seconds']:.2f} s; {scaled['due']:,} due, {scaled['reminders']:,} "
            f"reminders, {scaled['digests']} digests"
        ),
        baseline=(
            f"small: {small['seconds']:.2f} s; {small['due']:,} due, {small['digests']} digests"
        ),
        verdicts=budgets.sweep_verdicts(scaled["seconds"], scaled["queries"], small["queries"]),
    )


if __name__ == "__main__":
    main()
