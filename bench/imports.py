"""Reading an upload once against reading it at every step of the import wizard
(`python -m bench --imports`).

A generated workbook shaped like a real register (a cover sheet, notes, the register on the
third sheet under title rows, `--import-rows` rows) is read once as the worker does after the
upload (`parsing.read_file`); each later step (columns, values, preview, import) then takes its
table from the kept sheets (`ParsedFile.from_json(...).table(...)`). The baseline is what each
step cost when it read the upload again (`parsing.read_table` on the file's bytes).
"""

import io
import statistics
import time
import tracemalloc

STEPS = 4  # columns, values, preview, import: each needs the table


def register_workbook(rows):
    """An XLSX upload of `rows` AI systems behind a cover page and a notes sheet."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    cover = book.create_sheet("Cover")
    for line in (["AI inventory"], ["Version", "3.2"], ["Owner", "Compliance"]):
        cover.append(line)
    notes = book.create_sheet("Notes")
    notes.append(["Column", "Meaning"])
    for header in ("Name", "Purpose", "Owner", "Lifecycle stage"):
        notes.append([header, f"What {header.lower()} holds"])
    register = book.create_sheet("Register")
    register.append(["AI system inventory 2025"])
    register.append([])
    register.append(
        ["ID", "Name", "Purpose", "Owner", "Lifecycle stage", "Next review", "Personal data"]
        + [f"Note {n}" for n in range(5)]
    )
    for n in range(rows):
        register.append(
            [f"AIS-{n:05d}", f"System {n}", f"Purpose of system {n}", "jdoe", "In Betrieb"]
            + ["01.07.2027", "Ja"]
            + [f"Remark {n}.{c}" for c in range(5)]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def measure(function, repeat):
    """The median seconds of `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def import_rows(rows, repeat=3):
    """The bench's rows: a later wizard step on the kept sheets against reading the upload again,
    and the peak memory of reading a workbook that the cell limit stops."""
    from aims.core.imports import parsing
    from aims.inventory.imports import AI_SYSTEMS
    from bench.budgets import MIB, Row

    content = register_workbook(rows)
    aliases = AI_SYSTEMS.aliases
    kept = parsing.read_file(content, "register.xlsx", aliases).to_json()

    def parse_once():
        parsing.read_file(content, "register.xlsx", aliases).to_json()

    def step_from_kept():
        table = parsing.ParsedFile.from_json(kept).table(None, aliases)
        assert table.sheet == "Register" and len(table.rows) == rows, table.sheet

    def step_reading_upload():
        parsing.read_table(content, "register.xlsx", aliases=aliases)

    once = measure(parse_once, repeat)
    step = measure(step_from_kept, repeat)
    baseline = measure(step_reading_upload, repeat)
    total, total_base = once + STEPS * step, STEPS * baseline
    memory = import_memory()
    return [
        Row(
            f"Import wizard, XLSX of {rows:,} rows: upload + {STEPS} steps",
            figures=f"{total:.2f} s (parse once {once:.2f} s, a later step {step:.2f} s)",
            baseline=f"every step reads the upload again: {total_base:.2f} s",
        ),
        Row(
            f"Import of {memory['cells']:,} cells, stopped by the cell limit",
            figures=f"{memory['seconds']:.2f} s, peak {memory['peak'] / MIB:.0f} MiB",
            baseline=(
                f"openpyxl loads it whole: {memory['base_seconds']:.2f} s, "
                f"peak {memory['base_peak'] / MIB:.0f} MiB"
            ),
        ),
    ]


def import_memory():
    """Reading a workbook of 2 million cells, which the cell limit stops, against openpyxl
    loading it whole (as the wizard did before it streamed)."""
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

    figures = {"cells": rows * columns}
    for name, function in (("", capped_read), ("base_", whole_workbook)):
        figures[f"{name}seconds"] = measure(function, 1)
        tracemalloc.start()
        function()
        figures[f"{name}peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return figures
