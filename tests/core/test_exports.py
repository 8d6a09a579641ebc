"""CSV and XLSX exports: what the list shows, filtered, and safe to open in a spreadsheet."""

import csv
import hashlib
import io
from datetime import UTC, datetime

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.text import capfirst
from openpyxl import load_workbook

from aims.context.models import ContextIssue
from aims.core.registry import registry
from aims.inventory.models import Dataset
from controls.models import Evidence
from controls.services import evidence_revision_add
from tests.conftest import REGISTER_IDS, REGISTERS
from tests.factories import REGISTER_FACTORIES, ContextIssueFactory, DatasetFactory, EvidenceFactory

FORMULA = '=HYPERLINK("http://evil.example","click")'


def test_csv_export_has_headers_rows_and_neutralized_formulas(client, auditor):
    ContextIssueFactory(title=FORMULA, description="x")
    ContextIssueFactory(title="Über-Regulierung – Änderungen")
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    text = response.getvalue().decode("utf-8")
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
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8").lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == ["'" + title]


@pytest.mark.parametrize("title", ["Plain text", "1+1", "e-mail: a@b.example"], ids=str.strip)
def test_csv_export_leaves_text_that_starts_harmlessly_alone(client, auditor, title):
    ContextIssueFactory(title=title)
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_export", args=["csv"]))
    rows = list(csv.reader(io.StringIO(response.getvalue().decode("utf-8").lstrip("\ufeff"))))
    assert [row[1] for row in rows[1:]] == [title]


def test_xlsx_export_stores_formulas_as_text(client, auditor):
    ContextIssueFactory(title=FORMULA)
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    cell = sheet.cell(row=2, column=2)
    assert cell.value == FORMULA
    assert cell.data_type == "s"


def test_export_follows_the_search_and_filters(client, auditor):
    ContextIssueFactory(title="Supplier lock-in", kind="external")
    ContextIssueFactory(title="Supplier skills", kind="internal")
    ContextIssueFactory(title="Energy", kind="internal")
    client.force_login(auditor)
    url = reverse("context:contextissue_export", args=["csv"])
    text = client.get(url, {"q": "supplier", "kind": "internal"}).getvalue().decode()
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
    text = client.get(reverse("context:contextissue_export", args=["csv"])).getvalue().decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][-1] == "1 Jul 2026 12:30"  # Berlin summer time, in the reader's format


def test_invalid_filter_values_show_nothing_and_say_why(client, auditor):
    ContextIssueFactory()
    client.force_login(auditor)
    response = client.get(reverse("context:contextissue_list"), {"kind": "<b>zzz</b>"})
    page = response.content.decode()
    assert "These filter values are not valid" in page
    assert "<b>zzz</b>" not in page
    text = (
        client.get(reverse("context:contextissue_export", args=["csv"]), {"kind": "zzz"})
        .getvalue()
        .decode()
    )
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


# What an auditor reads in an export -------------------------------------------------------


def export_of(client, register, fmt="csv", **headers):
    """The export's rows as lists of strings, the header row first."""
    response = client.get(reverse(register.url_name("export"), args=[fmt]), **headers)
    assert response.status_code == 200
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.getvalue().decode("utf-8").lstrip("\ufeff"))))
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    return [[cell.value or "" for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def evidence_with_file(settings, tmp_path, compliance_officer):
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "evidence-storage"},
        },
    }
    evidence = EvidenceFactory(title="Model test report")
    for content in (b"%PDF-1.7\n% first run\n%%EOF\n", SIGNED_REPORT):
        evidence_revision_add(
            evidence=evidence,
            upload=SimpleUploadedFile("report.pdf", content, content_type="application/pdf"),
            user=compliance_officer,
        )
    return evidence


SIGNED_REPORT = b"%PDF-1.7\n% second run, signed\n%%EOF\n"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_evidence_export_holds_the_sha256_of_the_current_file(
    client, auditor, evidence_with_file, fmt
):
    client.force_login(auditor)
    header, *rows = export_of(client, registry[Evidence], fmt)
    column = header.index("SHA-256")
    assert [row[column] for row in rows] == [hashlib.sha256(SIGNED_REPORT).hexdigest()]
    # The list page keeps its columns: the hash is for the export.
    page = client.get(reverse("controls:evidence_list")).content.decode()
    assert "SHA-256" not in page


@pytest.mark.parametrize(
    ("language", "yes", "no"), [("en", "Yes", "No"), ("de", "Ja", "Nein")], ids=["en", "de"]
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_yes_no_fields_export_as_words_in_the_readers_language(
    client, auditor, fmt, language, yes, no
):
    DatasetFactory(name="Claims history", personal_data=True)
    DatasetFactory(name="Weather data", personal_data=False)
    client.force_login(auditor)
    _header, *rows = export_of(client, registry[Dataset], fmt, HTTP_ACCEPT_LANGUAGE=language)
    names = exported_column_names(registry[Dataset])
    cells = {row[names.index("name")]: row[names.index("personal_data")] for row in rows}
    assert cells == {"Claims history": yes, "Weather data": no}


def exported_column_names(register):
    table = register.table(register.model.objects.none())
    return [c.name for c in table.columns.iterall() if not c.column.exclude_from_export]


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_export_headers_are_the_verbose_names_of_the_fields(client, auditor, register):
    REGISTER_FACTORIES[register.model]()
    client.force_login(auditor)
    header = export_of(client, register)[0]
    table = register.table(register.model.objects.none())
    columns = [c for c in table.columns.iterall() if not c.column.exclude_from_export]
    assert len(header) == len(columns)
    for title, column in zip(header, columns, strict=True):
        name = str(column.accessor or column.name)
        if "." in name or "__" in name:
            continue  # a field of a linked entry, named by the column
        try:
            model_field = register.model._meta.get_field(name)
        except FieldDoesNotExist:
            continue  # a computed column
        if model_field.auto_created and not model_field.concrete:
            continue  # entries pointing here (a count), named by the column
        assert title == capfirst(model_field.verbose_name), column.name
