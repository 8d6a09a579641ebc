"""Time register pages on seeded scale data, against a baseline measured in the same run.

The baseline is the bare ORM work a page cannot avoid (count + one page of rows, or all rows
for an export); the figure to watch is the ratio, which does not depend on the machine.

    python -m bench [--rows 5000] [--repeat 15] [--import-rows 20000] [--pack-systems 100]
                   [--pack-risks 2000] [--pack-memory-mb 8192]

The import part also reports the peak memory of reading a 2-million-cell workbook, which the
cell limit (AIMS_IMPORT_MAX_CELLS) stops, against openpyxl loading it whole. The pack part
(bench/pack.py) renders the audit pack of a scaled organisation against a plain single-table
PDF of the same rows; bench/imports.py reads a large workbook once against once per wizard step.
"""

import argparse
import os
import statistics
import time
import tracemalloc

from bench.imports import run_import_steps
from bench.pack import run_pack


def measure(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory(function):
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--import-rows", type=int, default=20000, help="register rows of the import-steps workbook"
    )
    parser.add_argument(
        "--pack-systems", type=int, default=100, help="AI systems of the pack's organisation"
    )
    parser.add_argument(
        "--pack-risks",
        type=int,
        default=2000,
        help="risks of the pack's organisation; controls, evidence and audits follow from it",
    )
    parser.add_argument(
        "--pack-memory-mb",
        type=int,
        default=8192,
        help="address-space ceiling of the pack's layout child while measuring its peak",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test.runner import DiscoverRunner
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    runner = DiscoverRunner(verbosity=0)
    databases = runner.setup_databases()
    try:
        # First: it seeds an empty database (and rolls back), and its layout child is the
        # first child process, whose peak memory getrusage reports.
        run_pack(args)
        print()
        run(args)
        run_risks(args)
        run_import(args)
        run_import_steps(args, measure)
        run_soa_pdf(args)
    finally:
        runner.teardown_databases(databases)


def run(args):
    from django.test import Client
    from django.urls import reverse

    from aims.context.models import ContextIssue
    from tests.factories import ContextIssueFactory, UserFactory

    owner = UserFactory(role="System Owner")
    ContextIssueFactory.create_batch(args.rows, owner=owner)
    client = Client()
    client.force_login(UserFactory(role="Compliance Officer"))
    list_url = reverse("context:contextissue_list")
    export_url = reverse("context:contextissue_export", args=["csv"])

    def list_page():
        assert client.get(list_url, {"page": 3, "sort": "title"}).status_code == 200

    def list_baseline():
        queryset = ContextIssue.objects.select_related("owner").order_by("title")
        queryset.count()
        list(queryset[50:75])

    def export():
        assert client.get(export_url).status_code == 200

    def export_baseline():
        list(ContextIssue.objects.select_related("owner").values_list())

    print(f"Register benchmark: {args.rows} context issues, median of {args.repeat} runs")
    print(f"{'what':<28}{'page ms':>10}{'baseline ms':>14}{'ratio':>8}{'peak MiB':>10}")
    for name, page, baseline in (
        ("list, page 3 sorted", list_page, list_baseline),
        ("CSV export, all rows", export, export_baseline),
    ):
        page_time = measure(page, args.repeat)
        base_time = measure(baseline, args.repeat)
        memory = peak_memory(page) / 2**20
        print(
            f"{name:<28}{page_time * 1000:>10.1f}{base_time * 1000:>14.1f}"
            f"{page_time / base_time:>8.1f}{memory:>10.1f}"
        )


def run_risks(args):
    """The risk list draws two heat maps over the filtered risks: what do they cost?"""
    from django.test import Client
    from django.urls import reverse

    from risks.models import Risk
    from tests.factories import UserFactory, active_criteria

    criteria = active_criteria()
    Risk.objects.bulk_create(
        Risk(
            reference=f"R-{n:05d}",
            title=f"Risk {n}",
            category="security",
            criteria=criteria,
            inherent_likelihood=n % 5 + 1,
            inherent_impact=n // 5 % 5 + 1,
            inherent_level=criteria.level(n % 5 + 1, n // 5 % 5 + 1),
        )
        for n in range(args.rows)
    )
    client = Client()
    client.force_login(UserFactory(role="Compliance Officer"))
    list_url = reverse("risks:risk_list")

    def list_page():
        assert client.get(list_url, {"page": 3, "category": "security"}).status_code == 200

    def list_baseline():
        queryset = Risk.objects.filter(category="security").select_related("owner")
        queryset.count()
        list(queryset.prefetch_related("ai_systems")[50:75])

    page_time = measure(list_page, args.repeat)
    base_time = measure(list_baseline, args.repeat)
    memory = peak_memory(list_page) / 2**20
    print(f"Risk register: {args.rows} risks, median of {args.repeat} runs")
    print(
        f"{'list + heat maps, page 3':<28}{page_time * 1000:>10.1f}{base_time * 1000:>14.1f}"
        f"{page_time / base_time:>8.1f}{memory:>10.1f}"
    )


def run_import(args):
    """Import a spreadsheet of `--rows` AI systems through the wizard's services, against the
    baseline of only reading the file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from aims import celery_app
    from aims.core.imports import parsing, services
    from aims.inventory.imports import AI_SYSTEMS
    from aims.inventory.models import AISystem, SystemImport
    from tests.factories import UserFactory

    user = UserFactory(role="Compliance Officer")
    lines = ["Name;Purpose;Owner;Lifecycle stage;Next review;Personal data;AI Act role"]
    lines += [
        f"System {n};Purpose of system {n}\nsecond line;{user.username};In Betrieb;"
        f"01.07.2027;Ja;Betreiber"
        for n in range(args.rows)
    ]
    content = "\r\n".join(
        ";".join(f'"{cell}"' if "\n" in cell else cell for cell in line.split(";"))
        for line in lines
    ).encode("cp1252")

    def read_only():
        parsing.read_table(content, "register.csv", aliases=AI_SYSTEMS.aliases)

    def full_import():
        AISystem.objects.filter(name__startswith="System ").delete()
        upload = SimpleUploadedFile("register.csv", content)
        record = services.import_start(spec=AI_SYSTEMS, upload=upload, user=user)
        record.refresh_from_db()  # as read by the worker's task
        table = services.import_read(AI_SYSTEMS, record)
        mapping = services.proposed_columns(AI_SYSTEMS, table)
        services.column_mapping_save(
            spec=AI_SYSTEMS, record=record, table=table, mapping=mapping, remember=False
        )
        created = services.import_run(spec=AI_SYSTEMS, record=record, user=user, skip_invalid=False)
        assert created == args.rows, created

    repeat = max(1, args.repeat // 5)
    # The worker reads the upload; here its task runs at once in this process.
    celery_app.conf.task_always_eager = True
    import_time = measure(full_import, repeat)
    read_time = measure(read_only, repeat)
    print()
    print(f"Import benchmark: {args.rows} rows (CSV, Windows-1252), median of {repeat} runs")
    print(f"{'what':<28}{'import s':>10}{'read-only s':>14}{'ratio':>8}")
    print(
        f"{'upload → map → import':<28}{import_time:>10.2f}{read_time:>14.2f}"
        f"{import_time / read_time:>8.1f}"
    )
    assert SystemImport.objects.filter(status="imported").exists()
    run_import_memory()


def run_import_memory():
    """Peak memory of reading a workbook of 2 million cells, which the cell limit stops, against
    the baseline of openpyxl loading it whole (as the wizard did before it streamed)."""
    import io

    from openpyxl import Workbook, load_workbook

    from aims.core.imports import parsing

    rows, columns = 100_000, 20
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append([f"Column {c}" for c in range(columns)])
    for n in range(rows):
        sheet.append([f"R{n}C{c}" for c in range(columns)])
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    limits = parsing.Limits.configured()

    def capped_read():
        try:
            parsing.read_table(content, "big.xlsx", limits=limits)
        except parsing.ImportFileError:
            return
        raise AssertionError("the cell limit did not stop the reading")

    def whole_workbook():
        load_workbook(io.BytesIO(content), read_only=False).close()

    read_time = measure(capped_read, 1)
    base_time = measure(whole_workbook, 1)
    read_peak = peak_memory(capped_read) / 2**20
    base_peak = peak_memory(whole_workbook) / 2**20
    print()
    print(
        f"Import memory: XLSX of {rows * columns:,} cells ({len(content) / 2**20:.1f} MiB), "
        f"cell limit {limits.cells:,}"
    )
    print(f"{'what':<28}{'s':>10}{'peak MiB':>14}{'baseline':>10}{'ratio':>8}")
    print(
        f"{'streamed read, capped':<28}{read_time:>10.2f}{read_peak:>14.1f}"
        f"{base_peak:>10.1f}{read_peak / base_peak:>8.2f}"
    )
    print(f"{'(baseline: load whole)':<28}{base_time:>10.2f}")


def run_soa_pdf(args):
    """The SoA PDF of the 38 Annex A controls with filled-in justifications, against the
    baseline of rendering its HTML only (what WeasyPrint's layout adds)."""
    from django.template.loader import render_to_string

    from aims.core import pdf
    from controls.models import SoAEntry
    from controls.services import soa_content
    from controls.soa_document import soa_document

    for entry in SoAEntry.objects.all():
        entry.inclusion_justification = "Needed for the claims and recruiting systems. " * 6
        entry.save()
    entries = soa_content()["entries"]
    repeat = max(3, args.repeat // 3)

    def render():
        return pdf.render_pdf("controls/soa_pdf.html", soa_document(None, entries))

    def baseline():
        render_to_string("controls/soa_pdf.html", soa_document(None, entries))

    page_time, base_time = measure(render, repeat), measure(baseline, repeat)
    memory = peak_memory(render) / 2**20
    print(f"SoA PDF: {len(entries)} entries, {len(render()) // 1024} KiB, median of {repeat} runs")
    print(
        f"{'PDF vs. HTML only':<28}{page_time * 1000:>10.1f}{base_time * 1000:>14.1f}"
        f"{page_time / base_time:>8.1f}{memory:>10.1f}"
    )


if __name__ == "__main__":
    main()
