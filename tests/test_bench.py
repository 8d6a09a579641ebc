"""The bench's instrument: its budgets judge numbers as the README states them, and it reads
wrk's real output. (The bench itself measures; no test here times anything.)"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from bench import budgets
from bench.load import parse_wrk

# wrk 4.1 with --latency and the bench's Lua script, against a local server.
WRK_OK = """Running 2s test @ http://127.0.0.1:18765/
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.77ms   11.67ms  76.76ms   88.53%
    Req/Sec   447.73    302.64     1.38k    70.00%
  Latency Distribution
     50%    3.77ms
     75%   10.25ms
     90%   23.22ms
     99%   53.68ms
  1810 requests in 2.01s, 1.20MB read
Requests/sec:    898.55
Transfer/sec:    612.49KB
bench p95 us: 34713
bench not 200: 0
"""
WRK_NOT_FOUND = """Running 2s test @ http://127.0.0.1:18765/nothing
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    11.82ms   37.65ms 427.80ms   95.76%
    Req/Sec   550.74    400.66     1.45k    74.19%
  Latency Distribution
     50%    2.01ms
     75%    6.29ms
     90%   27.87ms
     99%  222.32ms
  1725 requests in 2.06s, 0.86MB read
  Non-2xx or 3xx responses: 1725
Requests/sec:    835.53
Transfer/sec:    424.38KB
bench p95 us: 47074
bench not 200: 1725
"""

# A server that accepts connections and never answers.
WRK_NO_RESPONSE = """Running 1s test @ http://127.0.0.1:18766/
  2 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     0.00us    0.00us   0.00us    -nan%
    Req/Sec     0.00      0.00     0.00      -nan%
  Latency Distribution
     50%    0.00us
     75%    0.00us
     90%    0.00us
     99%    0.00us
  0 requests in 1.00s, 0.00B read
Requests/sec:      0.00
Transfer/sec:       0.00B
bench p95 us: 0
bench not 200: 0
"""


def test_wrk_output_gives_throughput_percentiles_and_errors():
    assert parse_wrk(WRK_OK) == {
        "requests": 1810,
        "rps": 898.55,
        "p50_ms": 3.77,
        "p95_ms": 34.713,
        "errors": 0,
    }
    assert parse_wrk(WRK_NOT_FOUND)["errors"] == 1725


def test_no_response_within_the_run_has_no_latency():
    figures = parse_wrk(WRK_NO_RESPONSE)
    assert figures == {"requests": 0, "rps": 0.0, "p50_ms": None, "p95_ms": None, "errors": 0}
    verdict = budgets.page_verdicts(figures, BARE_LIST, risk_register=True)
    assert [v.passed for v in verdict] == [False, False]


def test_wrk_latency_in_seconds_and_socket_errors():
    slow = WRK_OK.replace("     50%    3.77ms", "     50%    1.70s").replace(
        "  1810 requests", "  Socket errors: connect 0, read 2, write 0, timeout 3\n  1810 requests"
    )
    figures = parse_wrk(slow)
    assert figures["p50_ms"] == pytest.approx(1700)
    assert figures["errors"] == 5


def test_wrk_output_without_the_script_lines_is_refused():
    with pytest.raises(ValueError):
        parse_wrk(WRK_OK.replace("bench p95 us: 34713\n", ""))


def verdicts(row_verdicts):
    return {verdict.budget: verdict.passed for verdict in row_verdicts}


BARE_LIST = {"rps": 90.0, "p95_ms": 150.0, "errors": 0}


def test_risk_register_needs_half_the_bare_list_and_p95_under_300_ms():
    page = {"rps": 45.0, "p95_ms": 299.0, "errors": 0, "queries_small": 9, "queries_scaled": 9}
    assert verdicts(budgets.page_verdicts(page, BARE_LIST, risk_register=True)) == {
        "queries scaled ≤ small": True,
        "req/s ≥ ½ bare list": True,
        "p95 < 300 ms": True,
    }
    slow = {**page, "rps": 44.9, "p95_ms": 300.0, "queries_scaled": 10}
    assert verdicts(budgets.page_verdicts(slow, BARE_LIST, risk_register=True)) == {
        "queries scaled ≤ small": False,
        "req/s ≥ ½ bare list": False,
        "p95 < 300 ms": False,
    }


def test_other_pages_need_a_third_of_the_bare_list():
    page = {"rps": 30.0, "p95_ms": 900.0, "errors": 0}
    assert verdicts(budgets.page_verdicts(page, BARE_LIST)) == {"req/s ≥ ⅓ bare list": True}
    assert verdicts(budgets.page_verdicts({**page, "rps": 29.9}, BARE_LIST)) == {
        "req/s ≥ ⅓ bare list": False
    }


def test_a_page_answering_other_than_200_fails():
    page = {"rps": 800.0, "p95_ms": 5.0, "errors": 3}
    assert verdicts(budgets.page_verdicts(page, BARE_LIST))["every response 200"] is False


def test_export_within_three_times_the_direct_writer_and_under_100_mib():
    assert all(v.passed for v in budgets.export_verdicts(3.0, 100 * budgets.MIB - 1, 1.0))
    assert verdicts(budgets.export_verdicts(3.1, 100 * budgets.MIB, 1.0)) == {
        "≤ 3× direct writer": False,
        "peak < 100 MiB": False,
    }


def test_pdf_at_ten_pages_per_second_under_one_gib():
    assert all(v.passed for v in budgets.pdf_verdicts(100, 10.0, 2**30 - 1))
    assert verdicts(budgets.pdf_verdicts(204, 33.0, 450 * budgets.MIB)) == {
        "≥ 10 pages/s": False,
        "peak < 1 GiB": True,
    }
    assert not any(v.passed for v in budgets.pdf_verdicts(0, 0, 0, finished=False))


def test_sweep_under_ten_seconds_with_flat_queries():
    assert all(v.passed for v in budgets.sweep_verdicts(9.9, 40, 40))
    assert verdicts(budgets.sweep_verdicts(10.0, 41, 40)) == {
        "< 10 s": False,
        "queries scaled ≤ small": False,
    }


def test_table_and_summary_count_every_budget():
    rows = [
        budgets.Row("Risk register", queries="9 → 9", rps=45.0, p50_ms=120.5, p95_ms=250.0),
        budgets.Row("Export", figures="1.00 s", verdicts=budgets.export_verdicts(4.0, 1, 1.0)),
    ]
    rows[0].verdicts = budgets.page_verdicts(
        {"rps": 45.0, "p95_ms": 250.0, "errors": 0}, BARE_LIST, risk_register=True
    )
    table = budgets.markdown(rows).splitlines()
    assert table[2] == (
        "| Risk register | 9 → 9 | – | 45.0 | 120 | 250 | – | – "
        "| PASS req/s ≥ ½ bare list; PASS p95 < 300 ms |"
    )
    assert "FAIL ≤ 3× direct writer; PASS peak < 100 MiB" in table[3]
    assert budgets.summary(rows) == "3 of 4 budgets PASS, 1 FAIL"


MIB = 1024 * 1024


def filling(mib, seconds):
    """A command that holds `mib` MiB, every page written (resident), for `seconds`."""
    code = (
        f"import time; held = bytearray({mib} << 20); held[::4096] = b'x' * ({mib} << 8); "
        f"time.sleep({seconds})"
    )
    return [sys.executable, "-c", code]


def measured(block):
    """ChildPeak's figure for `block` (Python that starts processes, with `filling`, `time`,
    `subprocess` and `sys` at hand) run by a fresh interpreter: in this process other tests
    may have left a browser or a worker thread that starts processes of its own."""
    script = (
        "import subprocess, sys, time\n"
        "from bench.pack import ChildPeak\n"
        "from tests.test_bench import filling\n"
        f"{block.strip()}\n"
        "print(peak.bytes)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return int(done.stdout.split()[-1])


def test_the_layout_child_s_memory_is_its_own_not_its_parent_s():
    """A parent holding 300 MiB starts a child that fills 60 MiB: the child's peak is about
    60 MiB (getrusage would give it as at least the parent's 300, taken over at the fork)."""
    peak = measured(
        """
ballast = bytearray(300 << 20); ballast[::4096] = b"x" * (300 << 8)
with ChildPeak() as peak:
    subprocess.run(filling(60, 0.5), check=True)
"""
    )
    assert 60 * MIB <= peak < 150 * MIB


def test_children_alive_at_once_count_together():
    """Two children that each fill 60 MiB at the same time: about 120 MiB in all."""
    peak = measured(
        """
with ChildPeak() as peak:
    running = [subprocess.Popen(filling(60, 1)) for _ in range(2)]
    assert [process.wait() for process in running] == [0, 0]
"""
    )
    assert 120 * MIB <= peak < 220 * MIB


def test_processes_started_before_the_block_are_not_counted():
    """A child of 200 MiB from before the block (as a browser another test left running) is
    not the block's."""
    peak = measured(
        """
earlier = subprocess.Popen(filling(200, 3))
time.sleep(1)
with ChildPeak() as peak:
    subprocess.run(filling(30, 0.5), check=True)
earlier.kill()
"""
    )
    assert 30 * MIB <= peak < 120 * MIB


@pytest.mark.django_db
def test_the_layout_baseline_is_the_portal_s_page_with_nothing_in_it(
    client, settings, compliance_officer
):
    """What every page costs before its content: the layout the portal's pages extend, drawn
    for the user logged in, with an empty main part."""
    settings.ROOT_URLCONF = "bench.urls"
    anonymous = client.get("/bench/layout/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))

    client.force_login(compliance_officer)
    empty = client.get("/bench/layout/").content.decode()
    register = client.get(reverse("risks:risk_list")).content.decode()

    def layout(html):
        """The page with its main part emptied."""
        return re.sub(r'(<main id="main"[^>]*>).*(</main>)', r"\1\2", html, flags=re.S)

    assert 'id="main-nav"' in empty
    assert re.search(r'<main id="main"[^>]*>\s*</main>', empty)
    # The title and the language form's return address name the page; the CSRF token is
    # masked anew for every response.
    varying = re.compile(
        r'<title>.*?</title>|name="next" value="[^"]*"|"X-CSRFToken": "\w+"'
        r'|name="csrfmiddlewaretoken" value="\w+"'
    )
    assert varying.sub("", layout(empty)) == varying.sub("", layout(register))
