"""Importing an existing risk register (an ISMS register in Excel) through the import wizard."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from risks.models import Risk, RiskImport
from tests.factories import AISystemFactory, UserFactory, active_criteria

HEADERS = [
    "Lfd. Nr.",
    "Risiko",
    "Kategorie",
    "Betroffene Systeme",
    "Risikoeigner",
    "Eintrittswahrscheinlichkeit",
    "Schadensausmaß",
    "Risikobehandlung",
    "EW netto",
    "SA netto",
    "Status",
    "Wiedervorlage",
]

pytestmark = pytest.mark.usefixtures("tasks_in_process")


def isms_workbook(rows):
    """An ISMS register as kept in Excel: a title row, a blank row, the header, a total row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Risikoregister ISMS – Stand 10/2026"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    sheet.append(["Summe", f"{len(rows)} Risiken"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content, name="Risikoregister.xlsx"):
    response = client.post(
        reverse("risks:import_upload"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return RiskImport.objects.latest("pk")


def accept_proposals(client, record):
    """Post the columns and values exactly as the wizard proposes them."""
    columns_url = reverse("risks:import_columns", args=[record.pk])
    page = client.get(columns_url)
    data = {f"column-{c['index']}": c["field"] for c in page.context["columns"]}
    assert client.post(columns_url, data).status_code == 302
    values_url = reverse("risks:import_values", args=[record.pk])
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
    return reverse("risks:import_preview", args=[record.pk])


def test_an_isms_register_is_imported_with_scores_written_as_words(client, compliance_officer):
    criteria = active_criteria()
    owner = UserFactory(username="m.weber", first_name="Maria", last_name="Weber")
    chatbot = AISystemFactory(reference="AIS-002", name="Customer-service chatbot")
    content = isms_workbook(
        [
            [1, "Prompt Injection im Chatbot", "KI-Sicherheit", "AIS-002", "m.weber",
             "hoch", "4 (4)", "Mindern", "niedrig", 3, "In Behandlung", "01.03.2027"],
            [2, "Ausfall des Rechenzentrums", "Informationssicherheit", "", "Maria Weber",
             "2", "sehr hoch", "Übertragen", "", "", "offen", "2027"],
        ]
    )  # fmt: skip
    client.force_login(compliance_officer)
    record = upload(client, content)
    assert record.rows_total == 2  # the title and the total row are not risks
    preview_url = accept_proposals(client, record)
    preview = client.get(preview_url)
    assert preview.context["preview"].errors == []
    assert client.post(preview_url).status_code == 302

    injection = Risk.objects.get(title="Prompt Injection im Chatbot")
    assert (injection.category, injection.owner, injection.criteria) == (
        "security",
        owner,
        criteria,
    )
    assert (injection.inherent_likelihood, injection.inherent_impact) == (4, 4)
    assert injection.inherent_level == criteria.level(4, 4)
    assert (injection.residual_likelihood, injection.residual_impact) == (2, 3)
    assert injection.residual_level == criteria.level(2, 3)
    assert (injection.treatment_option, injection.status) == ("modify", "in_treatment")
    assert list(injection.ai_systems.all()) == [chatbot]
    assert str(injection.next_review) == "2027-03-01"
    outage = Risk.objects.get(title="Ausfall des Rechenzentrums")
    assert (outage.category, outage.treatment_option, outage.status) == (
        "information_security",
        "share",
        "identified",
    )
    assert (outage.inherent_likelihood, outage.inherent_impact, outage.residual_level) == (2, 5, "")
    assert outage.reference.startswith("R-") and len(outage.reference) == 6
    record.refresh_from_db()
    assert (record.status, record.rows_imported) == ("imported", 2)
    assert set(record.risks.all()) == {injection, outage}
    assert injection.history.count() == 1


def errors_by_row(preview):
    rows = {}
    for number, label, message in preview.errors:
        rows.setdefault(number, []).append((label, message))
    return rows


def test_rows_with_unreadable_scores_or_unknown_systems_are_errors_of_their_row(
    client, compliance_officer
):
    active_criteria()
    content = isms_workbook(
        [
            [1, "Drift", "Drift", "", "", "12 (12)", 3, "", "", "", "", ""],
            [2, "Leak", "Datenschutz", "Unknown system", "", 3, 3, "", "", "", "", ""],
            [3, "Bias", "Datenschutz", "", "", "gelegentlich", 3, "", "", "", "", ""],
            [4, "Half scored", "Datenschutz", "", "", 3, "", "", "", "", "", ""],
            [5, "Fine", "Datenschutz", "", "", 3, 3, "", "", "", "", ""],
        ]
    )  # fmt: skip
    client.force_login(compliance_officer)
    record = upload(client, content)
    preview_url = accept_proposals(client, record)
    preview = client.get(preview_url).context["preview"]
    # Rows as Excel numbers them: title, blank row and header above the data.
    assert errors_by_row(preview) == {
        4: [("Inherent likelihood", "“12 (12)” is not on the scale 1–5.")],
        5: [
            (
                "AI systems",
                "“Unknown system” names no single AI system. Use its reference, e.g. AIS-001.",
            )
        ],
        6: [
            (
                "Inherent likelihood",
                "“gelegentlich” is not on the scale. Please write a number from 1 to 5 or one "
                "of: Rare, Unlikely, Possible, Likely, Almost certain.",
            )
        ],
        7: [("", "Give likelihood and impact together, or neither.")],
    }
    assert [number for number, _risk in preview.valid] == [8]
    response = client.post(preview_url, follow=True)  # invalid rows are not skipped silently
    assert (
        "Some rows are invalid. Skip them explicitly, or fix the file." in response.content.decode()
    )
    assert not Risk.objects.exists()
    client.post(preview_url, {"skip_invalid": "1"})
    assert list(Risk.objects.values_list("title", flat=True)) == ["Fine"]


REFERENCE_HEADERS = [
    "Nr.",
    "Risiko",
    "Kategorie",
    "Betroffene Systeme",
    "Risikoeigner",
    "Maßnahmen",
]


def reference_workbook(rows):
    """A register as exported from another tool: a title row, a blank row, then the table, with
    blank cells and a row repeated."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Risiken KI-Systeme (Export 12/2026)"])
    sheet.append([])
    sheet.append(REFERENCE_HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_unknown_reference_is_an_error_of_its_row_naming_the_value_and_nothing_of_it_is_saved(
    client, compliance_officer
):
    active_criteria()
    UserFactory(username="m.weber", first_name="Maria", last_name="Weber")
    chatbot = AISystemFactory(reference="AIS-002", name="Customer-service chatbot")
    content = reference_workbook(
        [
            [
                1,
                "Known twice",
                "Datenschutz",
                "AIS-002, Customer-service chatbot",
                "m.weber",
                "A.6.2.4",
            ],
            [2, "One system unknown", "Datenschutz", "AIS-002; AIS-404", "", ""],
            [3, "One system unknown", "Datenschutz", "AIS-002; AIS-404", "", ""],
            [4, "Owner unknown", "Datenschutz", "", "k.unbekannt", ""],
            [5, "Control unknown", "Datenschutz", "AIS-002", "", "A.6.2.4, A.6.1.1"],
            [6, "Nothing named", "Datenschutz", None, None, None],
        ]
    )
    client.force_login(compliance_officer)
    record = upload(client, content, "Risiken.xlsx")
    preview_url = accept_proposals(client, record)
    preview = client.get(preview_url).context["preview"]
    system_unknown = [
        ("AI systems", "“AIS-404” names no single AI system. Use its reference, e.g. AIS-001.")
    ]
    assert errors_by_row(preview) == {
        5: system_unknown,
        6: system_unknown,
        8: [("Linked controls", "“A.6.1.1” is not the ID of a control, e.g. A.6.2.4 or 8.16.")],
    }
    client.post(preview_url, {"skip_invalid": "1"})
    imported = Risk.objects.order_by("title")
    # An owner who is no portal user is kept by name (aims/core/imports/people.py).
    assert list(imported.values_list("title", flat=True)) == [
        "Known twice",
        "Nothing named",
        "Owner unknown",
    ]
    assert imported.get(title="Owner unknown").owner_name == "k.unbekannt"
    known = imported.get(title="Known twice")
    assert list(known.ai_systems.all()) == [chatbot]
    assert list(known.controls.values_list("code", flat=True)) == ["A.6.2.4"]
    assert known.owner.username == "m.weber"
    # Nothing of a refused row exists: no risk and no link of one to the system or control.
    assert list(chatbot.risks.all()) == [known]
    assert Risk.controls.through.objects.count() == 1
    record.refresh_from_db()
    assert (record.rows_imported, record.rows_skipped) == (3, 3)


def test_auditors_cannot_import(client, auditor):
    client.force_login(auditor)
    assert client.get(reverse("risks:import_upload")).status_code == 403


def test_a_crafted_value_mapping_cannot_import_a_risk_as_accepted(client, compliance_officer):
    active_criteria()
    content = isms_workbook([[1, "Leak", "Datenschutz", "", "", "", "", "", "", "", "offen", ""]])
    client.force_login(compliance_officer)
    record = upload(client, content)
    preview_url = accept_proposals(client, record)
    values_url = reverse("risks:import_values", args=[record.pk])
    groups = client.get(values_url).context["groups"]
    posted = {
        f"value-{group['code']}-{position}": "accepted" if group["code"] == "status" else proposed
        for group in groups
        for position, _text, proposed in group["values"]
    }
    client.post(values_url, posted)
    preview = client.get(preview_url).context["preview"]
    assert [message for _number, _label, message in preview.errors] == [
        "“offen” is not a known choice."
    ]
    client.post(preview_url, {"skip_invalid": "1"})
    assert not Risk.objects.filter(status=Risk.Status.ACCEPTED).exists()
