"""Measurements that run inside one database: `python -m bench.probe <what>`, started by the
bench with DATABASE_URL (and AIMS_VAR_DIR) of the small or the scaled organisation. Each prints
one line `BENCH-RESULT <json>` that the bench reads.

- pages: a session of the compliance officer (its cookie, for wrk) and, for every page, its
  URL, status, SQL queries (the lower of two requests, so that per-process caches filled by the
  first do not count) and HTML size; a detail page by its costliest entry among the first of
  each state;
- exports: the risk register's CSV and XLSX export through the view, against writing the same
  rows with the csv module and openpyxl's write-only mode directly;
- soa-pdf: the SoA of the organisation laid out and written as a PDF;
- pack: the audit pack (bench/pack.py) and its plain-table baseline;
- sweep: the reminder engine's sweep.
"""

import csv
import io
import json
import os
import resource
import sys
import time
import tracemalloc

COMPLIANCE = "scale-compliance"


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    # The test client's host and the in-memory mail outbox; nothing else changes.
    setup_test_environment()


def compliance_officer():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=COMPLIANCE)


def logged_in_client():
    from django.test import Client

    client = Client()
    client.force_login(compliance_officer())
    return client


def page_list(user):
    """(key, name, urls) of the dashboard, every register's list and the detail pages of its
    entries the user may view: the first entry in each state, as a page's queries depend on its
    entry's state (a risk awaiting a decision names who may decide) and the two organisations'
    first entries need not be in the same one. The SoA and the risk register are registers'
    lists."""
    from django.urls import reverse

    from aims.core.registry import registry

    pages = [("dashboard", "Dashboard", [reverse("core:dashboard")])]
    for register in registry:
        name = str(register.verbose_name_plural)
        pages.append(
            (f"{register.label}:list", f"{name}: list", [reverse(register.url_name("list"))])
        )
        urls = [
            reverse(register.url_name("detail"), args=[pk])
            for pk in first_per_state(register, user)
        ]
        pages.append((f"{register.label}:detail", f"{name}: detail", urls))
    return pages


def first_per_state(register, user):
    """The primary keys of the first entry the user may view in each state (each status where
    the model has one)."""
    from django.db.models import Min

    entries = register.model._default_manager.restrict(user, "view")
    if not any(field.name == "status" for field in register.model._meta.concrete_fields):
        first = entries.order_by("pk").values_list("pk", flat=True).first()
        return [first] if first else []
    firsts = entries.order_by().values("status").annotate(first=Min("pk"))
    return sorted(row["first"] for row in firsts)


def pages():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = logged_in_client()
    results = []
    for key, name, urls in page_list(compliance_officer()):
        entry = {"key": key, "name": name, "url": None}
        # The costliest of the page's entries stands for it (and is the one put under load).
        for url in urls:
            counts = []
            for _ in range(2):
                with CaptureQueriesContext(connection) as queries:
                    response = client.get(url)
                counts.append(len(queries))
            if entry["url"] is None or min(counts) > entry["queries"]:
                entry.update(
                    url=url,
                    status=response.status_code,
                    queries=min(counts),
                    bytes=len(response.content),
                )
        results.append(entry)
    cookie = f"{client.cookies['sessionid'].key}={client.cookies['sessionid'].value}"
    return {"cookie": cookie, "pages": results}


def traced(function):
    """(seconds, peak bytes of Python allocations): timed without tracing, then traced."""
    start = time.perf_counter()
    function()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        function()
        return seconds, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


class Sink:
    """A file that keeps nothing: the direct writers' output counts, it is not held."""

    size = 0

    def write(self, data):
        self.size += len(data)
        return len(data)


def response_bytes(response):
    """Consumes the response as a server would, chunk by chunk, and counts its bytes."""
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def exports():
    from django.urls import reverse
    from openpyxl import Workbook

    from risks.models import Risk

    client = logged_in_client()
    rows_of_export = {}

    def export(fmt):
        def run():
            response = client.get(reverse("risks:risk_export", args=[fmt]))
            assert response.status_code == 200, response.status_code
            rows_of_export[fmt] = response_bytes(response)

        return run

    response = client.get(reverse("risks:risk_export", args=["csv"]))
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))

    def read():
        # The rows of the portal's own CSV, each paired with its risk read from the database
        # with its owner: the direct writers also pay for reading the register.
        risks = Risk.objects.select_related("owner").order_by("reference").iterator(2000)
        for row, _risk in zip(rows[1:], risks, strict=False):
            yield row

    def direct_csv():
        writer = csv.writer(Sink())
        writer.writerow(rows[0])
        writer.writerows(read())

    def direct_xlsx():
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Risks")
        sheet.append(rows[0])
        for row in read():
            sheet.append(row)
        book.save(io.BytesIO())

    result = {"rows": len(rows) - 1, "columns": len(rows[0])}
    for fmt, direct in (("csv", direct_csv), ("xlsx", direct_xlsx)):
        seconds, peak = traced(export(fmt))
        direct_seconds, direct_peak = traced(direct)
        result[fmt] = {
            "seconds": seconds,
            "peak": peak,
            "bytes": rows_of_export[fmt],
            "direct_seconds": direct_seconds,
            "direct_peak": direct_peak,
        }
    return result


def soa_pdf():
    from django.template.loader import render_to_string

    from aims.core import pdf
    from controls.services import soa_content
    from controls.soa_document import soa_document

    user = compliance_officer()
    start = time.perf_counter()
    entries = soa_content()["entries"]
    html = render_to_string("controls/soa_pdf.html", soa_document(None, entries, reader=user))
    document = pdf.html_to_document(html)
    content = document.write_pdf()
    seconds = time.perf_counter() - start
    return {
        "entries": len(entries),
        "pages": len(document.pages),
        "seconds": seconds,
        "bytes": len(content),
        # The whole process at its peak: Django, the data, WeasyPrint's layout.
        "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def pack():
    from bench.pack import measure_pack

    return measure_pack(
        compliance_officer(), time_limit=float(sys.argv[2]), memory_mb=int(sys.argv[3])
    )


def sweep():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from aims.core.reminders import sweep as reminder_sweep
    from aims.core.scale import REFERENCE_DATE

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = reminder_sweep(today=REFERENCE_DATE)
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "queries": len(queries), **vars(result)}


def main():
    what = sys.argv[1]
    setup()
    measurement = {
        "pages": pages,
        "exports": exports,
        "soa-pdf": soa_pdf,
        "pack": pack,
        "sweep": sweep,
    }[what]
    print("BENCH-RESULT " + json.dumps(measurement()), flush=True)


if __name__ == "__main__":
    main()
