"""Workbooks shaped like the registers people upload, built in code: a cover page in front, a
notes sheet, the register further back under title rows, with IDs, blank cells, formulas and a
duplicate row; and the wizard's upload as a user posts it."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

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
    book = Workbook()
    cover = book.active
    cover.title = "Cover"
    cover.append(["AI inventory of Example GmbH"])
    cover.append(["Version", "3.2"])
    cover.append(["Approved by", "T. Keller"])
    cover.append(["Systems", "=COUNTA(Register!B4:B1000)"])
    notes = book.create_sheet("Notes")
    notes.append(["Column", "Meaning"])
    for header in REGISTER_HEADER:
        notes.append([header, f"What the column {header} holds"])
    register = book.create_sheet("Register")
    register.append(["AI system inventory – as of 10/2026"])
    register.append([])
    register.append(REGISTER_HEADER)
    for row in rows:
        register.append(row)
    return xlsx(book)


def xlsx(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, namespace, record_model, content, name="register.xlsx"):
    """The upload step as the user posts it; the new import's record."""
    response = client.post(
        reverse(f"{namespace}:import_upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return record_model.objects.latest("pk")


def post_proposals(client, namespace, record, **changes):
    """Post the columns as proposed (`changes`: column index → field code, "" to ignore) and
    the values as proposed; the preview's URL."""
    columns_url = reverse(f"{namespace}:import_columns", args=[record.pk])
    page = client.get(columns_url)
    data = {f"column-{c['index']}": c["field"] for c in page.context["columns"]}
    data.update({f"column-{index}": code for index, code in changes.items()})
    response = client.post(columns_url, {**data, "remember": "1"})
    assert response.status_code == 302, response.content.decode()[:3000]
    values_url = reverse(f"{namespace}:import_values", args=[record.pk])
    page = client.get(values_url)
    if page.status_code == 200:
        client.post(
            values_url,
            {
                f"value-{group['code']}-{position}": proposed or ""
                for group in page.context["groups"]
                for position, _text, proposed in group["values"]
            },
        )
    return reverse(f"{namespace}:import_preview", args=[record.pk])
