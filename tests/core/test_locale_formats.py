"""Dates and times in the reader's language, one style each: German 04.12.2026 and
04.12.2026 20:35, English 4 Dec 2026 and 4 Dec 2026 20:35 — on list and detail pages, in CSV
(text) and XLSX (date cells with a matching number format) and in printed entries."""

import csv
import io
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from aims.context.models import ContextIssue
from tests.factories import AISystemFactory, ContextIssueFactory

STYLES = {
    "de": {"date": "04.12.2026", "moment": "01.07.2026 12:30", "xlsx": "DD.MM.YYYY"},
    "en": {"date": "4 Dec 2026", "moment": "1 Jul 2026 12:30", "xlsx": "D MMM YYYY"},
}
LANGUAGES = list(STYLES)


@pytest.fixture
def system(db):
    return AISystemFactory(next_review=date(2026, 12, 4))


def get(client, user, url, language):
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_list_shows_dates_in_the_readers_style(client, compliance_officer, system, language):
    page = get(client, compliance_officer, reverse("inventory:aisystem_list"), language)
    assert STYLES[language]["date"] in page.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_detail_page_shows_dates_in_the_readers_style(
    client, compliance_officer, system, language
):
    page = get(client, compliance_officer, system.get_absolute_url(), language)
    assert STYLES[language]["date"] in page.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_csv_export_writes_dates_and_times_in_the_readers_style(client, auditor, language):
    issue = ContextIssueFactory()
    ContextIssue.objects.filter(pk=issue.pk).update(
        updated_at=datetime(2026, 7, 1, 10, 30, tzinfo=UTC)
    )
    url = reverse("context:contextissue_export", args=["csv"])
    text = get(client, auditor, url, language).getvalue().decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][-1] == STYLES[language]["moment"]  # in Berlin time


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_xlsx_export_holds_date_cells_in_the_readers_style(
    client, compliance_officer, system, language
):
    url = reverse("inventory:aisystem_export", args=["xlsx"])
    sheet = load_workbook(
        io.BytesIO(get(client, compliance_officer, url, language).getvalue())
    ).active
    rows = list(sheet.iter_rows())
    column = [cell.value for cell in rows[0]].index(
        "Nächste Überprüfung" if language == "de" else "Next review"
    )
    cell = rows[1][column]
    assert cell.is_date and cell.value.date() == date(2026, 12, 4)
    assert cell.number_format == STYLES[language]["xlsx"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_printed_entry_shows_dates_in_the_readers_style(
    client, compliance_officer, system, language
):
    url = reverse("inventory:aisystem_pdf", args=[system.pk])
    response = get(client, compliance_officer, url, language)
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert STYLES[language]["date"] in text
