"""The import's check lists every error, one per cause, on the field it concerns: paginated
in the preview and downloadable as CSV with row, column, value and message."""

import csv
import io

import pytest

from aims.inventory.models import SystemImport
from risks.models import RiskImport
from tests.factories import active_criteria
from tests.import_fixtures import post_proposals, upload, workbook

pytestmark = pytest.mark.usefixtures("tasks_in_process")

HEADER = "Name;Purpose;Lifecycle stage;Next review\n"


def test_six_hundred_invalid_rows_are_all_listed_paginated_and_downloadable(
    client, compliance_officer
):
    rows = "".join(f"System {n};Sorts case {n};Pilot;someday {n}\n" for n in range(600))
    client.force_login(compliance_officer)
    record = upload(
        client, "inventory", SystemImport, (HEADER + rows).encode(), name="register.csv"
    )
    preview_url = post_proposals(client, "inventory", record)
    page = client.get(preview_url)
    errors = page.context["errors"]
    assert errors.paginator.count == 600
    assert errors.paginator.num_pages == 6
    assert "600 errors in all." in page.content.decode()
    last = client.get(preview_url, {"page": 6}).context["errors"]
    assert [number for number, _label, _message in last][-1] == 601

    download = client.get(preview_url, {"errors": "csv"})
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    lines = list(csv.reader(io.StringIO(download.getvalue().decode("utf-8-sig"))))
    assert lines[0] == ["Row", "Column", "Value", "Problem"]
    assert len(lines) == 601
    assert lines[1] == [
        "2",
        "Next review",
        "someday 0",
        "“someday 0” is not a date. Please write it like 2025-07-01 or 01.07.2025.",
    ]


def test_a_wrong_value_gives_one_error_on_its_field(client, compliance_officer):
    content = (HEADER + "Chatbot;Answers questions;Daydream;01.07.2027\n").encode()
    client.force_login(compliance_officer)
    record = upload(client, "inventory", SystemImport, content, name="register.csv")
    preview_url = post_proposals(client, "inventory", record)
    preview = client.get(preview_url).context["preview"]
    # Not also "This field cannot be blank." for the stage the cell could not give.
    assert preview.errors == [(2, "Life-cycle stage", "“Daydream” is not a known choice.")]


def test_a_score_off_the_scale_names_its_field(client, compliance_officer):
    active_criteria()
    content = workbook(
        (
            "Risks",
            [
                ["Risk", "Category", "Likelihood", "Impact"],
                ["Prompt injection", "Security", 7, 3],
                ["Drift", "Security", 2, 3],
            ],
        )
    )
    client.force_login(compliance_officer)
    record = upload(client, "risks", RiskImport, content, name="risks.xlsx")
    preview_url = post_proposals(client, "risks", record)
    page = client.get(preview_url)
    assert page.context["preview"].errors == [
        (2, "Inherent likelihood", "“7” is not on the scale 1–5.")
    ]
    assert "Inherent likelihood" in page.content.decode()
    lines = list(
        csv.reader(io.StringIO(client.get(preview_url, {"errors": "csv"}).getvalue().decode()))
    )
    assert lines[1] == ["2", "Likelihood", "7", "“7” is not on the scale 1–5."]
