"""Reading an upload once against reading it at every step of the import wizard.

A generated workbook shaped like a real register (a cover sheet, notes, the register on the
third sheet under title rows, `--import-rows` rows) is read once as the worker does after the
upload (`parsing.read_file`); each later step (columns, values, preview, import) then takes its
table from the kept sheets (`ParsedFile.from_json(...).table(...)`). The baseline is what each
step cost when it read the upload again (`parsing.read_table` on the file's bytes).
"""

import io

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


def run_import_steps(args, measure):
    """`measure(function, repeat)`: the median seconds of `repeat` runs."""
    from aims.core.imports import parsing
    from aims.inventory.imports import AI_SYSTEMS

    rows = args.import_rows
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

    repeat = max(1, args.repeat // 5)
    once = measure(parse_once, repeat)
    step = measure(step_from_kept, repeat)
    baseline = measure(step_reading_upload, repeat)
    print()
    print(
        f"Import steps: XLSX of 3 sheets, {rows} register rows ({len(content) / 2**20:.1f} MiB), "
        f"median of {repeat} runs"
    )
    print(f"{'what':<34}{'s':>10}{'baseline s':>12}{'ratio':>8}")
    print(f"{'parse once at upload':<34}{once:>10.2f}")
    print(
        f"{'one later step (kept sheets)':<34}{step:>10.2f}{baseline:>12.2f}{step / baseline:>8.2f}"
    )
    total, total_base = once + STEPS * step, STEPS * baseline
    print(
        f"{f'upload + {STEPS} steps':<34}{total:>10.2f}{total_base:>12.2f}"
        f"{total / total_base:>8.2f}"
    )
    print("(baseline: every step reads the upload again)")
