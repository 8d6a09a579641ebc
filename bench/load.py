"""HTTP load: gunicorn serving the portal (bench settings) and wrk loading one URL at a time.

wrk prints its latency distribution at 50/75/90/99 %; a small Lua script adds the 95th
percentile and counts every response that is not 200 (a redirect to the log-in page would
otherwise pass as a fast page).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) other = 0 end
function response(status, headers, body) if status ~= 200 then other = other + 1 end end
function done(summary, latency, requests)
  local count = 0
  for _, thread in ipairs(threads) do count = count + thread:get("other") end
  io.write(string.format("bench p95 us: %d\\n", latency:percentile(95)))
  io.write(string.format("bench not 200: %d\\n", count))
end
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """gunicorn serving `bench.wsgi` on 127.0.0.1 (`with Gunicorn(...) as server:`)."""

    def __init__(self, env, workers, log):
        self.env, self.workers, self.log = env, workers, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self):
        command = [sys.executable, "-m", "gunicorn", "bench.wsgi", "--bind"]
        command += [f"127.0.0.1:{self.port}", "--workers", str(self.workers)]
        command += ["--timeout", "60", "--preload"]  # as in docker-compose.yml
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                command, env=self.env, stdout=output, stderr=output, start_new_session=True
            )
        wait_until_up(self.port, self.process, self.log)
        return self

    def __exit__(self, *exc):
        # The master and its workers, at once: a worker would finish its request first.
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def restart(self):
        """Drops the requests that wrk left queued (wrk stops at its duration; the workers would
        go on serving what they accepted and slow the next page down)."""
        self.__exit__()
        self.__enter__()

    def backlog(self, seconds_per_request, connections=10):
        """Seconds the workers need for what a run of `connections` leaves queued."""
        return connections * seconds_per_request / self.workers


def wait_until_up(port, server, log, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn ended; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare/", timeout=5):  # noqa: S310
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer within {seconds} s; see {log}")


def wrk(url, cookie, seconds, connections=10, threads=2):
    """req/s, p50 and p95 in ms, and the number of responses that were not 200."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
        command += ["--timeout", "60s", "-s", script.name]
        if cookie:
            command += ["-H", f"Cookie: {cookie}"]
        result = subprocess.run([*command, url], capture_output=True, text=True)  # noqa: S603
    finally:
        Path(script.name).unlink()
    return parse_wrk(result.stdout + result.stderr)


def parse_wrk(output):
    """The figures of one wrk run (with --latency and WRK_SCRIPT) from its output."""
    completed = re.search(r"^\s+(\d+) requests in ", output, re.M)
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    p95 = re.search(r"^bench p95 us: (\d+)", output, re.M)
    other = re.search(r"^bench not 200: (\d+)", output, re.M)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if not (completed and rps and p50 and p95 and other):
        raise ValueError(f"unexpected wrk output:\n{output}")
    # No response within the run: wrk reports latencies of 0, which are none.
    answered = int(completed.group(1)) > 0
    return {
        "requests": int(completed.group(1)),
        "rps": float(rps.group(1)),
        "p50_ms": float(p50.group(1)) * UNITS[p50.group(2)] if answered else None,
        "p95_ms": int(p95.group(1)) / 1000 if answered else None,
        "errors": int(other.group(1)) + (sum(map(int, errors.groups())) if errors else 0),
    }


def warm_up(url, cookie, times=3):
    """Requests `url` `times` in a row (each gunicorn worker compiles its templates and fills
    its caches on its first requests); returns the statuses that were not 200 and the seconds
    of the last request."""
    statuses = set()
    for _ in range(times):
        start = time.perf_counter()
        request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                response.read()
                if response.status != 200 or response.url != url:  # a redirect was followed
                    statuses.add(response.status if response.url == url else 302)
        except urllib.error.HTTPError as refused:
            statuses.add(refused.code)
        except TimeoutError:
            statuses.add("no answer within 120 s")
    return statuses, time.perf_counter() - start
