"""The SoA as documents a person reads: the XLSX file (cover sheet naming the version, named
sheets, frozen header, filter, date cells, no formulas) and the comparison of two versions
(field labels and readable values, never field names or Python lists)."""

import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from controls import services
from controls.models import Control, ImplementationStatus, SoAEntry, SoAVersion
from tests.controls.test_catalogue import ANNEX_A_IDS
from tests.factories import PartyRequirementFactory

FORMULA = '=HYPERLINK("https://attacker.example/","Click")'


@pytest.fixture(autouse=True)
def someone_may_decide(ai_officer):
    """An AI officer who changed nothing: without an eligible decider no version is issued."""
    return ai_officer


def org_entry(code):
    return SoAEntry.objects.get(control__code=code, ai_system=None)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def justify_every_applicable_entry(user):
    for entry in SoAEntry.objects.for_framework("iso42001").filter(applicable=True):
        if not entry.inclusion_justification.strip():
            entry.inclusion_justification = f"{entry.control.code} treats a risk of the register."
            entry._history_user = user
            entry.save()


def workbook_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(response.content))


def cover_values(workbook):
    """The cover sheet as {label: cell}."""
    return {row[0].value: row[1] for row in workbook["Cover"].iter_rows()}


def entry_rows(workbook):
    sheet = workbook["Statement of Applicability"]
    header, *rows = sheet.iter_rows()
    return [cell.value for cell in header], {row[0].value: row for row in rows}


@pytest.fixture
def approved(compliance_officer, ai_officer):
    """Version 1, issued by the compliance officer and approved by the AI officer, with A.2.2
    reviewed on 15 January 2026 and due again on 31 March 2027."""
    entry = org_entry("A.2.2")
    entry.last_review = datetime.date(2026, 1, 15)
    entry.next_review = datetime.date(2027, 3, 31)
    entry.save()
    justify_every_applicable_entry(compliance_officer)
    version = services.soa_version_issue(user=compliance_officer, note="Annual review")
    services.soa_version_decide(version=version, user=ai_officer, approve=True)
    version.refresh_from_db()
    return version


# XLSX -----------------------------------------------------------------------------------------


def test_the_xlsx_opens_on_a_cover_sheet_followed_by_the_statement(auditor, approved):
    workbook = workbook_of(client_of(auditor).get(reverse("controls:soa_version_xlsx", args=[1])))
    assert workbook.sheetnames == ["Cover", "Statement of Applicability"]
    assert workbook.active.title == "Cover"


def test_the_cover_sheet_names_version_status_issuer_approver_and_hash(
    auditor, compliance_officer, ai_officer, approved
):
    workbook = workbook_of(client_of(auditor).get(reverse("controls:soa_version_xlsx", args=[1])))
    cover = cover_values(workbook)
    assert cover["Version"].value == 1
    assert cover["Status"].value == "Approved"
    assert cover["Issued by"].value == str(compliance_officer)
    assert cover["Approved by"].value == str(ai_officer)
    assert cover["SHA-256"].value == approved.sha256
    assert cover["Summary of changes"].value == "Annual review"
    assert cover["Statement of Applicability"].value == "ISO/IEC 42001 · 6.1.3"


def test_the_cover_sheet_stores_when_the_version_was_issued_and_approved_as_dates(
    auditor, approved
):
    workbook = workbook_of(client_of(auditor).get(reverse("controls:soa_version_xlsx", args=[1])))
    cover = cover_values(workbook)
    for label, moment in (("Issued", approved.issued_at), ("Approved", approved.decided_at)):
        cell = cover[label]
        assert cell.is_date, label
        assert cell.number_format == "yyyy-mm-dd hh:mm"
        local = timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)
        assert cell.value.replace(second=0, microsecond=0) == local


def test_a_rejected_version_names_who_rejected_it(compliance_officer, ai_officer, auditor):
    justify_every_applicable_entry(compliance_officer)
    version = services.soa_version_issue(user=compliance_officer)
    services.soa_version_decide(
        version=version, user=ai_officer, approve=False, comment="A.10.4 is missing."
    )
    workbook = workbook_of(client_of(auditor).get(reverse("controls:soa_version_xlsx", args=[1])))
    cover = cover_values(workbook)
    assert cover["Status"].value == "Rejected"
    assert cover["Rejected by"].value == str(ai_officer)
    assert cover["Decision comment"].value == "A.10.4 is missing."
    assert "Approved by" not in cover


def test_the_current_soa_says_on_its_cover_that_it_is_not_issued(compliance_officer):
    workbook = workbook_of(client_of(compliance_officer).get(reverse("controls:soa_xlsx")))
    cover = cover_values(workbook)
    assert cover["Version"].value == "current, not issued"
    assert cover["Status"].value == "Working copy: not issued and not approved."
    assert len(cover["SHA-256"].value) == 64


def test_the_statement_sheet_freezes_its_header_and_filters_every_column(auditor, approved):
    workbook = workbook_of(client_of(auditor).get(reverse("controls:soa_version_xlsx", args=[1])))
    sheet = workbook["Statement of Applicability"]
    header, rows = entry_rows(workbook)
    assert sheet.freeze_panes == "A2"
    last_column = get_column_letter(len(header))
    assert sheet.auto_filter.ref == f"A1:{last_column}{len(ANNEX_A_IDS) + 1}"
    assert set(rows) == set(ANNEX_A_IDS)


def test_review_dates_are_date_cells(auditor, approved):
    workbook = workbook_of(client_of(auditor).get(reverse("controls:soa_version_xlsx", args=[1])))
    header, rows = entry_rows(workbook)
    last = rows["A.2.2"][header.index("Last review")]
    following = rows["A.2.2"][header.index("Next review")]
    assert (last.is_date, last.number_format) == (True, "yyyy-mm-dd")
    assert last.value.date() == datetime.date(2026, 1, 15)
    assert (following.is_date, following.number_format) == (True, "yyyy-mm-dd")
    assert following.value.date() == datetime.date(2027, 3, 31)
    # No review recorded: an empty cell, not a text.
    assert rows["A.3.2"][header.index("Next review")].value is None


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_a_spreadsheet_would_run_stays_text(compliance_officer, trigger):
    entry = org_entry("A.2.2")
    entry.inclusion_justification = f"{trigger}1+cmd|' /C calc'!A0"
    entry.save()
    workbook = workbook_of(client_of(compliance_officer).get(reverse("controls:soa_xlsx")))
    header, rows = entry_rows(workbook)
    cell = rows["A.2.2"][header.index("Justification for inclusion")]
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    # XML turns a leading carriage return into a line feed; the rest is kept as written.
    assert cell.value.endswith("1+cmd|' /C calc'!A0")


def test_a_formula_in_the_summary_of_changes_stays_text_on_the_cover(compliance_officer):
    justify_every_applicable_entry(compliance_officer)
    services.soa_version_issue(user=compliance_officer, note=FORMULA)
    workbook = workbook_of(
        client_of(compliance_officer).get(reverse("controls:soa_version_xlsx", args=[1]))
    )
    cell = cover_values(workbook)["Summary of changes"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (FORMULA, "s", True)


def test_ordinary_text_gets_no_quote_prefix(compliance_officer):
    entry = org_entry("A.2.2")
    entry.inclusion_justification = "Customers ask how their claims are scored."
    entry.save()
    workbook = workbook_of(client_of(compliance_officer).get(reverse("controls:soa_xlsx")))
    header, rows = entry_rows(workbook)
    cell = rows["A.2.2"][header.index("Justification for inclusion")]
    assert (cell.value, cell.quotePrefix) == ("Customers ask how their claims are scored.", False)


# Comparing versions ---------------------------------------------------------------------------


EXCLUSION = "We provide no AI products or services to customers."


@pytest.fixture
def changed(compliance_officer, ai_officer):
    """Version 1 approved; then A.10.4 excluded, A.2.2 linked to two requirements and to
    Art. 12, its status, owner and next review set; version 2 issued."""
    justify_every_applicable_entry(compliance_officer)
    first = services.soa_version_issue(user=compliance_officer)
    services.soa_version_decide(version=first, user=ai_officer, approve=True)
    excluded = org_entry("A.10.4")
    excluded.applicable = False
    excluded.exclusion_justification = EXCLUSION
    excluded.save()
    entry = org_entry("A.2.2")
    requirements = [
        PartyRequirementFactory(title="Explain scoring to customers"),
        PartyRequirementFactory(title="Keep model documentation"),
    ]
    entry.requirements.set(requirements)
    entry.legal_requirements.set([Control.objects.get(framework="eu_ai_act", code="Art. 12")])
    entry.status = ImplementationStatus.PARTIAL
    entry.owner = compliance_officer
    entry.next_review = datetime.date(2027, 3, 31)
    entry.save()
    services.soa_version_issue(user=compliance_officer)
    return requirements


def compare_page(user):
    response = client_of(user).get(reverse("controls:soa_compare"), {"from": 1, "to": 2})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Changed entries" in page
    return page


def change_rows(page):
    """(label, before, after) of each changed field, as the table shows them."""
    cells = re.findall(
        r'<th scope="row">(.*?)</th><td class="field-text"><del>(.*?)</del></td>'
        r'<td class="field-text"><ins>(.*?)</ins></td>',
        page,
        re.S,
    )
    return {label: (before, after) for label, before, after in cells}


def test_the_comparison_names_fields_by_their_labels(auditor, changed):
    rows = change_rows(compare_page(auditor))
    assert set(rows) == {
        "Applicable",
        "Justification for exclusion",
        "Requirements of interested parties",
        "Legal requirements",
        "Implementation status",
        "Owner",
        "Next review",
    }


def test_the_comparison_shows_values_as_a_person_reads_them(auditor, compliance_officer, changed):
    first, second = (str(requirement) for requirement in changed)
    rows = change_rows(compare_page(auditor))
    assert rows["Applicable"] == ("Yes", "No")
    assert rows["Justification for exclusion"] == ("—", EXCLUSION)
    assert rows["Requirements of interested parties"] == ("—", f"{first}; {second}")
    assert rows["Legal requirements"] == ("—", "Art. 12")
    assert rows["Implementation status"] == ("Not started", "Partially implemented")
    assert rows["Owner"] == ("—", str(compliance_officer))
    assert rows["Next review"] == ("—", "31 Mar 2027")


def test_the_comparison_shows_no_field_names_or_python_values(auditor, changed):
    page = compare_page(auditor)
    for raw in (
        "exclusion_justification",
        "legal_requirements",
        "next_review",
        "not_started",
        "[",
        "True",
        "False",
        "2027-03-31",
    ):
        assert raw not in page.split("<main", 1)[1], raw


@pytest.fixture
def english_afterwards():
    """The locale middleware leaves the request's language active in the test's thread."""
    yield
    translation.activate("en")


def test_the_comparison_reads_in_german(auditor, changed, english_afterwards):
    response = client_of(auditor).get(
        reverse("controls:soa_compare"), {"from": 1, "to": 2}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert response.status_code == 200
    rows = change_rows(response.content.decode())
    assert rows["Anwendbar"] == ("Ja", "Nein")
    assert rows["Nächste Überprüfung"] == ("—", "31.03.2027")


def test_a_version_page_links_the_comparison_of_its_own_framework(auditor, changed):
    second = SoAVersion.objects.get(number=2)
    response = client_of(auditor).get(second.get_absolute_url())
    assert response.status_code == 200
    assert (
        f"{reverse('controls:soa_compare')}?framework=iso42001&amp;from=1&amp;to=2"
        in response.content.decode()
    )
