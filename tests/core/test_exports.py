"""CSV and XLSX exports: what the list shows, filtered, and safe to open in a spreadsheet."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aims.context.models import ContextIssue
from tests.factories import ContextIssueFactory

FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_csv_export_has_headers_rows_and_neutralized_formulas(client, auditor):
    ContextIssueFactory(title=FORMULA, description="x")
    ContextIssueFactory(title="Über-Regulierung – Änderungen")
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Reference", "Title", "Internal or external"]
    titles = {row[1] for row in rows[1:]}
    assert titles == {"'" + FORMULA, "Über-Regulierung – Änderungen"}
    assert rows[1][2] == "External"  # choice labels, not codes


# Every character a spreadsheet program reads as the start of a formula (OWASP's list).
FORMULA_STARTS = {
    "equals": "=1+1",
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "carriage-return": "\r=1+1",
}


@pytest.mark.parametrize("title", FORMULA_STARTS.values(), ids=FORMULA_STARTS.keys())
def test_csv_export_neutralizes_every_formula_start(client, auditor, title):
    ContextIssueFactory(title=title)
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_export", args=["csv"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["'" + title]


@pytest.mark.parametrize("title", ["Plain text", "1+1", "e-mail: a@b.example"], ids=str.strip)
def test_csv_export_leaves_text_that_starts_harmlessly_alone(client, auditor, title):
    ContextIssueFactory(title=title)
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == [title]


def test_xlsx_export_stores_formulas_as_text(client, auditor):
    ContextIssueFactory(title=FORMULA)
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == FORMULA
    assert cell.data_type == "s"


def test_export_follows_the_search_and_filters(client, auditor):
    ContextIssueFactory(title="Supplier lock-in", kind="external")
    ContextIssueFactory(title="Supplier skills", kind="internal")
    ContextIssueFactory(title="Energy", kind="internal")
    client.force_login(auditor)
    url = reverse("context:contextissue_export", args=["csv"])
    text = client.get(url, {"q": "supplier", "kind": "internal"}).content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["Supplier skills"]


def test_unknown_export_format_is_not_found(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("context:contextissue_export", args=["pdf"])).status_code == 404


def test_timestamps_are_exported_in_local_time(client, auditor, settings):
    issue = ContextIssueFactory()
    ContextIssue.objects.filter(pk=issue.pk).update(
        updated_at=datetime(2026, 7, 1, 10, 30, tzinfo=UTC)
    )
    client.force_login(auditor)
    text = client.get(reverse("context:contextissue_export", args=["csv"])).content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][-1] == "2026-07-01 12:30"  # Berlin summer time


def test_invalid_filter_values_show_nothing_and_say_why(client, auditor):
    ContextIssueFactory()
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_list"), {"kind": "<b>zzz</b>"})
    page = response.content.decode()
    assert "These filter values are not valid" in page
    assert "<b>zzz</b>" not in page
    text = client.get(
        reverse("context:contextissue_export", args=["csv"]), {"kind": "zzz"}
    ).content.decode()
    assert len(list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))) == 1  # headers only


def test_the_page_size_is_not_the_visitors_to_choose(client, auditor):
    ContextIssueFactory.create_batch(30)
    client.force_login(auditor)
    for per_page in ("-5", "100000"):
        response = client.get(reverse("context:contextissue_list"), {"per_page": per_page})
        assert response.status_code == 200
        assert len(response.context["table"].page.object_list) == 25
    response = client.get(reverse("context:contextissue_list"), {"page": "99"})
    assert response.context["table"].page.number == 2


def test_nul_characters_in_the_search_are_ignored(client, auditor):
    ContextIssueFactory(title="Energy use")
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_list"), {"q": "ener\x00gy"})
    assert response.status_code == 200
