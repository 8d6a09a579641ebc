"""The bench's budgets and its one table: every figure beside its baseline, PASS or FAIL.

Each row is a `Row`: what was measured, its figures, the baseline measured in the same run,
and the verdicts of the budgets that apply to it. The functions here only judge numbers; they
measure nothing, so the tests can check them with numbers of their own.
"""

from dataclasses import dataclass, field

MIB = 2**20
# Issue budgets (README "Performance"): never weakened to make a run pass.
RISK_REGISTER_SHARE = 0.5  # of the bare 50-row list page's req/s
RISK_REGISTER_P95_MS = 300
PAGE_SHARE = 1 / 3  # every other list and detail page
EXPORT_RATIO = 3  # × the direct csv / openpyxl writer's seconds
EXPORT_BYTES = 100 * MIB
PDF_PAGES_PER_SECOND = 10
PDF_BYTES = 2**30
SWEEP_SECONDS = 10


@dataclass
class Verdict:
    budget: str
    passed: bool

    def __str__(self):
        return f"{'PASS' if self.passed else 'FAIL'} {self.budget}"


@dataclass
class Row:
    """One line of the table. Pages fill queries, weight and the wrk figures; exports, PDFs and
    the sweep say theirs in `figures`."""

    name: str
    queries: str = ""
    weight: str = ""
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    figures: str = ""
    baseline: str = ""
    verdicts: list = field(default_factory=list)

    @property
    def passed(self):
        return all(verdict.passed for verdict in self.verdicts)


def page_verdicts(page, bare_list, *, risk_register=False):
    """Verdicts of one page: `page` and `bare_list` are dicts with `rps`, `p95_ms` and `errors`
    (wrk) and, for the page, `queries_small`, `queries_scaled` (None: not measured)."""
    verdicts = []
    small, scaled = page.get("queries_small"), page.get("queries_scaled")
    if small is not None and scaled is not None:
        verdicts.append(Verdict("queries scaled ≤ small", scaled <= small))
    if page.get("errors"):
        verdicts.append(Verdict("every response 200", False))
    rps, base = page.get("rps"), bare_list.get("rps")
    if rps is None or not base:
        return verdicts
    if risk_register:
        verdicts.append(Verdict("req/s ≥ ½ bare list", rps >= RISK_REGISTER_SHARE * base))
        p95 = page.get("p95_ms")  # None: no response within the run
        verdicts.append(
            Verdict(
                f"p95 < {RISK_REGISTER_P95_MS} ms", p95 is not None and p95 < RISK_REGISTER_P95_MS
            )
        )
    else:
        verdicts.append(Verdict("req/s ≥ ⅓ bare list", rps >= PAGE_SHARE * base))
    return verdicts


def export_verdicts(seconds, peak_bytes, direct_seconds):
    return [
        Verdict(f"≤ {EXPORT_RATIO}× direct writer", seconds <= EXPORT_RATIO * direct_seconds),
        Verdict("peak < 100 MiB", peak_bytes < EXPORT_BYTES),
    ]


def pdf_verdicts(pages, seconds, peak_bytes, finished=True):
    """`finished`: False when the render stopped at the bench's time or memory ceiling."""
    if not finished:
        return [Verdict("finished within the bench's limits", False)]
    return [
        Verdict(f"≥ {PDF_PAGES_PER_SECOND} pages/s", pages / seconds >= PDF_PAGES_PER_SECOND),
        Verdict("peak < 1 GiB", peak_bytes < PDF_BYTES),
    ]


def sweep_verdicts(seconds, queries_scaled, queries_small):
    return [
        Verdict(f"< {SWEEP_SECONDS} s", seconds < SWEEP_SECONDS),
        Verdict("queries scaled ≤ small", queries_scaled <= queries_small),
    ]


def markdown(rows):
    """The table in Markdown, one line per row; the budgets column says PASS or FAIL each."""
    lines = [
        "| What | Queries small → scaled | KiB small → scaled | req/s | p50 ms | p95 ms "
        "| Other figures | Baseline (same run) | Budgets |",
        "|---|--:|--:|--:|--:|--:|---|---|---|",
    ]
    for row in rows:
        cells = [
            row.name,
            row.queries,
            row.weight,
            number(row.rps),
            number(row.p50_ms),
            number(row.p95_ms),
            row.figures,
            row.baseline,
            "; ".join(str(verdict) for verdict in row.verdicts),
        ]
        lines.append("| " + " | ".join(cell or "–" for cell in cells) + " |")
    return "\n".join(lines)


def number(value):
    if value is None:
        return ""
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def summary(rows):
    verdicts = [verdict for row in rows for verdict in row.verdicts]
    failed = sum(not verdict.passed for verdict in verdicts)
    return f"{len(verdicts) - failed} of {len(verdicts)} budgets PASS, {failed} FAIL"
