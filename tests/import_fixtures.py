"""Spreadsheets shaped like the registers organisations publish and upload, made in code.

Never real files: each builder writes a small CSV or XLSX with the shape that mattered — a cover
sheet before the data, title rows, IDs, agency columns, blank cells, formulas, duplicates,
multi-line cells, a semicolon CSV with a BOM, a register with one record per column.
"""

import io
import re
import zipfile

from openpyxl import Workbook

AGENCIES = ["Department of Justice", "Department of Labor"]

# The columns of a national AI use-case inventory: the agency first, an ID per use case, a long
# summary, a stage in the inventory's own words and a yes/no question that is often left blank.
USE_CASE_HEADER = [
    "Agency Name",
    "Use Case ID",
    "Use Case Name",
    "Summary of Use Case",
    "Development Stage",
    "Personal data (PII)",
    "Contact",
]
STAGES = ["Pilot", "Retired", "Decommissioned", "Pre-deployment", "Operation and Maintenance"]


def use_case_rows(count=10):
    """`count` use cases of two agencies, each with a unique ID and a long summary."""
    rows = []
    for number in range(1, count + 1):
        agency = AGENCIES[number % 2]
        prefix = "DOJ" if agency == AGENCIES[0] else "DOL"
        rows.append(
            [
                agency,
                f"{prefix}-{number:04d}",
                f"Use case {number}: document triage",
                f"Sorts incoming documents of case {number} by topic so that staff read the "
                f"urgent ones first; the model suggests, a person decides.\nSecond line.",
                STAGES[number % len(STAGES)],
                ["Yes", "No", ""][number % 3],
                f"Person {number} <person{number}@agency.example>",
            ]
        )
    return rows


def workbook(*sheets):
    """XLSX bytes of (title, rows) sheets, in order."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, delimiter=";", bom=True):
    """A CSV as Excel saves it in Europe: semicolons, a byte-order mark, quoted line breaks."""
    import csv

    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" if bom else "").encode() + out.getvalue().encode()


REGISTER_HEADER = ["ID", "Name", "Purpose", "Owner", "Lifecycle stage", "Next review"]


def register_rows(count):
    """`count` AI systems as a register lists them: every fifth without an owner, every
    seventh without a review date, the last one a duplicate of the first."""
    rows = [
        [
            f"AIS-{n:03d}",
            f"System {n}",
            f"Sorts case {n}",
            "" if n % 5 == 0 else "IT",
            "In Betrieb" if n % 2 else "Pilot",
            "" if n % 7 == 0 else "01.07.2027",
        ]
        for n in range(1, count)
    ]
    return rows + [list(rows[0])] if rows else rows


def cover_notes_register(rows):
    """A workbook whose first sheet is a cover page, the second notes on the columns, the third
    the register under two title rows; `rows` as `register_rows` gives them."""
    cover = [
        ["AI inventory of Example GmbH"],
        ["Version", "3.2"],
        ["Approved by", "T. Keller"],
        ["Systems", "=COUNTA(Register!B4:B1000)"],
    ]
    notes = [["Column", "Meaning"]] + [
        [header, f"What the column {header} holds"] for header in REGISTER_HEADER
    ]
    register = [["AI system inventory – as of 10/2026"], [], REGISTER_HEADER, *rows]
    return workbook(("Cover", cover), ("Notes", notes), ("Register", register))


def cover_sheet_inventory():
    """An agency workbook: a cover sheet first, then the inventory under two title rows."""
    cover = [
        ["AI Use Case Inventory"],
        ["Prepared under the national guidance on AI use-case inventories."],
        ["See the sheet “Inventory” for the use cases."],
    ]
    data = [["2024 AI Use Case Inventory"], ["As of 2024-12-16"], USE_CASE_HEADER, *use_case_rows()]
    return workbook(("Cover", cover), ("Inventory", data))


def agency_inventory(count=10):
    """The inventory on one sheet, as the consolidated CSV of all agencies is: ";" with a BOM."""
    return csv_bytes([USE_CASE_HEADER, *use_case_rows(count)])


SIMPLE_HEADER = ["Name", "Purpose", "Lifecycle stage", "Personal data", "Special category data"]


def blank_booleans_inventory():
    """Yes/no questions answered for some systems and left blank (or "unknown") for others."""
    return csv_bytes(
        [
            SIMPLE_HEADER,
            ["Chatbot", "Answers questions", "In production", "Yes", "No"],
            ["OCR", "Reads forms", "In production", "", ""],
            ["Scorer", "Ranks leads", "In production", "unknown", "n/a"],
        ]
    )


def duplicates_inventory():
    """Systems without IDs; the first two exist already, the third has a new purpose."""
    return csv_bytes(
        [
            SIMPLE_HEADER,
            ["Chatbot", "Answers questions", "In production", "Yes", "No"],
            ["OCR", "Reads forms", "In production", "No", "No"],
            ["Scorer", "Ranks leads and flags churn", "In production", "No", "No"],
            ["Translator", "Translates letters", "Pilot", "No", "No"],
        ]
    )


def same_content(kind):
    """The same register as a CSV and as a workbook: ("csv" | "xlsx") bytes."""
    rows = [SIMPLE_HEADER, ["Chatbot", "Answers questions", "Pilot", "Yes", "No"]]
    rows.append(["OCR", "Reads forms\nand letters", "Retired", "No", "No"])
    if kind == "csv":
        return csv_bytes(rows)
    return workbook(("Register", rows))


TRANSPOSED_ROWS = [
    ["Field", "System 1", "System 2", "System 3"],
    ["Name", "Chatbot", "OCR", "Scorer"],
    ["Purpose", "Answers questions", "Reads forms", "Ranks leads"],
    ["Lifecycle stage", "Pilot", "Retired", "In production"],
    ["Business unit", "Service", "Back office", "Sales"],
    ["Personal data", "Yes", "No", ""],
]


def transposed_register():
    """One record per column, the field names down the first column, as filled templates are."""
    return workbook(("Systems", TRANSPOSED_ROWS))


# An ISO/IEC 42001 risk register template, filled: instructions first, title rows, the file's
# own rating as a formula (likelihood × impact) and level, existing controls, owners by e-mail.
RISK_HEADER = [
    "Risk ID",
    "Risk",
    "AI System",
    "Risk Owner",
    "Likelihood",
    "Impact",
    "Risk Rating",
    "Risk Level",
    "Existing Controls",
    "Category",
    "Review Date",
]


def risk_register_rows():
    return [
        ["RR-01", "Biased ranking", "Scorer", "Ann Lee <ann.lee@example.org>", 4, 4,
         "=E5*F5", "High", "Quarterly bias test", "Bias", "2025-09-30"],
        ["RR-02", "Prompt injection", "Chatbot", "ann.lee@example.org", 2, 2,
         "=E6*F6", "Critical", "Input filter\nOutput review", "Security", "2025-10-31"],
        ["RR-03", "Stale training data", "Scorer", "Bob Stone", 2, 5,
         "=E7*F7", "", "", "Data quality", "2025-12-31"],
    ]  # fmt: skip


def iso_risk_register(cached=None):
    """The template as Excel saved it: formulas with their cached values (`cached` by cell of
    the register sheet; a formula cell left out has none, as if never calculated)."""
    instructions = [["How to use this register"], ["Rate likelihood and impact from 1 to 5."]]
    data = [
        ["AI Risk Register (ISO/IEC 42001 6.1.2)"],
        ["Organisation: Example Ltd"],
        [],
        RISK_HEADER,
        *risk_register_rows(),
    ]
    content = workbook(("Instructions", instructions), ("Risk Register", data))
    cached = {"G5": "16", "G6": "4"} if cached is None else cached
    return with_cached_values(content, "xl/worksheets/sheet2.xml", cached)


def with_cached_values(content, part, values):
    """The workbook with the cached results of formula cells written in, as Excel keeps them
    (openpyxl writes formulas without results)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == part:
                text = data.decode()
                for cell, value in values.items():
                    text = re.sub(
                        rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
                        rf"\1\2<v>{value}</v>",
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return out.getvalue()


# A published AI risk repository: an evidence ID, the paper's title repeated for every risk it
# names, the risk, a long description and a domain that groups the risks.
REPOSITORY_HEADER = ["Ev_ID", "Paper title", "Risk category", "Description", "Domain", "Timing"]
DOMAINS = ["1. Discrimination & Toxicity", "2. Privacy & Security", "4. Malicious actors & Misuse"]


def risk_repository(count=9):
    rows = []
    for number in range(1, count + 1):
        rows.append(
            [
                f"{number // 4 + 1:02d}.{number:02d}.00",
                ["Taxonomy of harms", "Risks of language models"][number % 2],
                f"Risk {number} of the repository",
                f"What can go wrong in case {number}, with the evidence the paper cites, "
                "in a sentence long enough to be a description.",
                DOMAINS[number % len(DOMAINS)],
                ["1 - Pre-deployment", "2 - Post-deployment"][number % 2],
            ]
        )
    return workbook(("Contents", [["AI Risk Repository"], ["Read me first"]]),
                    ("AI Risk Database", [REPOSITORY_HEADER, *rows]))  # fmt: skip


def upload(client, namespace, record_model, content, name="register.xlsx"):
    """The upload step as the user posts it; the new import's record."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    response = client.post(
        reverse(f"{namespace}:import_upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return record_model.objects.latest("pk")


def accept_values(client, namespace, record):
    """Post the value step as proposed (where the import asks about values); the preview's
    URL."""
    from django.urls import reverse

    values_url = reverse(f"{namespace}:import_values", args=[record.pk])
    page = client.get(values_url)
    if page.status_code == 200:
        client.post(
            values_url,
            {
                f"value-{group['code']}-{position}": value or ""
                for group in page.context["groups"]
                for position, _text, value in group["values"]
            },
        )
    return reverse(f"{namespace}:import_preview", args=[record.pk])


def post_proposals(client, namespace, record, **changes):
    """Post the columns as proposed (`changes`: column index → field code, "" to ignore),
    remembered, and the values as proposed; the preview's URL."""
    from django.urls import reverse

    columns_url = reverse(f"{namespace}:import_columns", args=[record.pk])
    page = client.get(columns_url)
    data = {f"column-{c['index']}": c["field"] for c in page.context["columns"]}
    data.update({f"column-{index}": code for index, code in changes.items()})
    response = client.post(columns_url, {**data, "remember": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return accept_values(client, namespace, record)


def run_wizard(
    client, namespace, record_model, content, name, columns=None, sheet=None, transposed=False
):
    """Upload `content`, choose the `sheet`, have the records read from the columns
    (`transposed`, which the wizard must offer) and accept what it proposes (the columns, or
    `columns`: index → field, and the values); the record, the proposed columns and the preview
    page's context."""
    from django.urls import reverse

    record = upload(client, namespace, record_model, content, name)
    columns_url = reverse(f"{namespace}:import_columns", args=[record.pk])
    page = client.get(columns_url)
    if sheet and sheet != page.context["record"].sheet:
        assert client.post(columns_url, {"sheet": sheet}).status_code == 302
        page = client.get(columns_url)
    if transposed:
        assert page.context["offer_transpose"]
        assert client.post(columns_url, {"transpose": "1"}).status_code == 302
        page = client.get(columns_url)
    proposed = {c["index"]: c["field"] for c in page.context["columns"] if c["field"]}
    chosen = proposed if columns is None else columns
    data = {f"column-{index}": code for index, code in chosen.items()}
    assert client.post(columns_url, data).status_code == 302
    preview = client.get(accept_values(client, namespace, record))
    record.refresh_from_db()
    return record, proposed, preview.context


def confirm(client, namespace, record, **data):
    """Confirm the preview; the record after the import."""
    from django.urls import reverse

    url = reverse(f"{namespace}:import_preview", args=[record.pk])
    assert client.post(url, data).status_code == 302
    record.refresh_from_db()
    return record
