"""The control catalogues in the database: what the migration loads, own controls beside the
shipped ones, symmetric mappings, the control page, and controls named in a risk import.

The expected catalogue is written out here, not read from the data files, so that a change to a
data file cannot silently change what the test expects.
"""

import io
from collections import Counter

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from openpyxl import Workbook

from aims.core.registry import registry
from controls.models import Control, ControlObjective, Framework, SoAEntry
from risks.models import Risk
from tests.conftest import form_payload
from tests.factories import EvidenceFactory, RiskFactory
from tests.risks.test_import import accept_proposals, upload
from tests.risks.test_library_data import EXPECTED_CONTROLS as ANNEX_A

ANNEX_A_IDS = [code for codes in ANNEX_A.values() for code in codes]
ISO27001_THEMES = {"5": 37, "6": 8, "7": 14, "8": 34}
AI_ACT_ARTICLES = [
    "Art. 4", "Art. 5", "Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 13", "Art. 14",
    "Art. 15", "Art. 17", "Art. 26", "Art. 27", "Art. 50", "Art. 72", "Art. 73",
]  # fmt: skip
LOCKED = "Catalogue entries ship with the portal and are not changed here."


def related(response):
    """The linked entries the page lists, by register."""
    return {s["register"].model_name: list(s["objects"]) for s in response.context["related"]}


def control(code):
    return Control.objects.exclude(framework=Framework.OWN).get(code=code)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def add_own_control(client, **fields):
    data = {
        "code": "OWN-01",
        "title": "Model cards for every AI system",
        "title_de": "",
        "guidance": "Keep a model card for each AI system in the document system.",
        "guidance_de": "",
        "loaded_version": "",
        **fields,
    }
    return client.post(reverse("controls:control_add"), data)


@pytest.fixture
def english_afterwards():
    """The locale middleware leaves the request's language active in the test's thread."""
    yield
    translation.activate("en")


# What the migration loads ---------------------------------------------------------------------


def test_the_database_holds_the_38_annex_a_controls_under_their_objectives(db):
    controls = Control.objects.filter(framework=Framework.ISO42001).select_related("objective")
    assert len(ANNEX_A_IDS) == 38
    assert sorted(c.code for c in controls) == sorted(ANNEX_A_IDS)
    by_objective = {code: [] for code in ANNEX_A}
    for item in controls.order_by("position"):
        by_objective[item.objective.code].append(item.code)
    assert by_objective == ANNEX_A


def test_annex_a_objectives_a6_1_and_a6_2_hang_under_a6(db):
    objectives = ControlObjective.objects.filter(framework=Framework.ISO42001)
    parents = {o.code: o.parent.code if o.parent else None for o in objectives}
    assert parents == {
        **{code: None for code in ANNEX_A},
        "A.6.1": "A.6",
        "A.6.2": "A.6",
    }


def test_the_database_holds_93_iso27001_controls_in_four_themes(db):
    controls = Control.objects.filter(framework=Framework.ISO27001).select_related("objective")
    assert Counter(c.objective.code for c in controls) == ISO27001_THEMES
    assert controls.count() == 93
    for item in controls:
        assert item.code.split(".")[0] == item.objective.code


def test_the_database_holds_15_eu_ai_act_requirements(db):
    articles = Control.objects.filter(framework=Framework.EU_AI_ACT)
    assert sorted(articles.values_list("code", flat=True)) == sorted(AI_ACT_ARTICLES)


def test_every_annex_a_control_has_exactly_one_organization_wide_soa_entry(db):
    entries = SoAEntry.objects.filter(ai_system=None)
    assert Counter(entries.values_list("control__code", flat=True)) == dict.fromkeys(ANNEX_A_IDS, 1)
    # The other catalogues are not listed in the SoA.
    assert not SoAEntry.objects.exclude(control__framework=Framework.ISO42001).exists()


def test_an_own_control_added_in_the_register_gets_its_organization_wide_soa_entry(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    response = add_own_control(client, mappings=[control("8.15").pk])
    assert response.status_code == 302, response.content.decode()[:2000]
    own = Control.objects.get(framework=Framework.OWN, code="OWN-01")
    assert response["Location"] == own.get_absolute_url()
    entries = SoAEntry.objects.filter(control=own)
    assert [(e.ai_system, e.applicable) for e in entries] == [(None, True)]
    assert list(own.mappings.values_list("code", flat=True)) == ["8.15"]


# Shipped controls are read-only, own controls are not ----------------------------------------


@pytest.mark.parametrize("code", ["A.6.2.8", "5.1", "Art. 12"])
def test_a_shipped_control_cannot_be_edited(client, compliance_officer, code):
    shipped = control(code)
    client.force_login(compliance_officer)
    edit_url = reverse("controls:control_edit", args=[shipped.pk])

    response = client.get(edit_url)
    assert response.status_code == 302
    assert response["Location"] == shipped.get_absolute_url()
    assert any(LOCKED in message for message in messages_of(response))

    payload = form_payload(registry[Control], shipped, compliance_officer)
    response = client.post(edit_url, {**payload, "title": "Changed", "guidance": "Changed"})
    assert response.status_code == 302
    assert response["Location"] == shipped.get_absolute_url()
    assert any(LOCKED in message for message in messages_of(response))
    refreshed = Control.objects.get(pk=shipped.pk)
    assert (refreshed.title, refreshed.guidance, refreshed.version) == (
        shipped.title,
        shipped.guidance,
        shipped.version,
    )


@pytest.mark.parametrize("code", ["A.6.2.8", "5.1", "Art. 12"])
def test_a_shipped_control_cannot_be_deleted(client, compliance_officer, code):
    shipped = control(code)
    client.force_login(compliance_officer)
    delete_url = reverse("controls:control_delete", args=[shipped.pk])
    for response in (client.get(delete_url), client.post(delete_url)):
        assert response.status_code == 302
        assert response["Location"] == shipped.get_absolute_url()
        assert any(LOCKED in message for message in messages_of(response))
    assert Control.objects.filter(pk=shipped.pk).exists()
    assert SoAEntry.objects.filter(control=shipped).count() == (
        1 if shipped.framework == Framework.ISO42001 else 0
    )


def test_the_page_of_a_shipped_control_offers_no_edit_or_delete(client, compliance_officer):
    shipped = control("A.6.2.8")
    client.force_login(compliance_officer)
    response = client.get(shipped.get_absolute_url())
    assert response.status_code == 200
    assert response.context["object"] == shipped
    page = response.content.decode()
    assert "A.6.2.8" in page
    assert reverse("controls:control_edit", args=[shipped.pk]) not in page
    assert reverse("controls:control_delete", args=[shipped.pk]) not in page


def test_an_own_control_can_be_edited_and_deleted(client, compliance_officer):
    client.force_login(compliance_officer)
    add_own_control(client)
    own = Control.objects.get(framework=Framework.OWN, code="OWN-01")

    payload = form_payload(registry[Control], own, compliance_officer)
    response = client.post(
        reverse("controls:control_edit", args=[own.pk]),
        {**payload, "title": "Model cards reviewed yearly"},
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.title, own.version) == ("Model cards reviewed yearly", 2)

    response = client.post(reverse("controls:control_delete", args=[own.pk]))
    assert response.status_code == 302
    assert not Control.objects.filter(pk=own.pk).exists()
    assert not SoAEntry.objects.filter(control_id=own.pk).exists()


# Mappings and the control page ----------------------------------------------------------------


def test_mappings_are_symmetric_on_the_control_pages(client, auditor):
    logging_control, clock, record_keeping = control("8.15"), control("8.17"), control("Art. 12")
    event_logs = control("A.6.2.8")
    client.force_login(auditor)

    response = client.get(event_logs.get_absolute_url())
    mapped = {other.code for group in response.context["mapped"].values() for other in group}
    assert {"8.15", "8.17", "Art. 12"} <= mapped
    page = response.content.decode()
    for other in (logging_control, clock, record_keeping):
        assert f'href="{other.get_absolute_url()}"' in page

    response = client.get(logging_control.get_absolute_url())
    mapped = {other.code for group in response.context["mapped"].values() for other in group}
    assert "A.6.2.8" in mapped
    assert f'href="{event_logs.get_absolute_url()}"' in response.content.decode()


def test_the_control_page_shows_guidance_mappings_soa_entry_risks_evidence_and_history(
    client, compliance_officer
):
    event_logs = control("A.6.2.8")
    risk = RiskFactory(title="Incidents cannot be reconstructed", controls=["A.6.2.8"])
    evidence = EvidenceFactory(title="Logging concept v2", controls=["A.6.2.8"])
    entry = SoAEntry.objects.get(control=event_logs, ai_system=None)
    client.force_login(compliance_officer)

    response = client.get(event_logs.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Log inputs, outputs and key events of the AI system" in page  # guidance
    assert f'href="{control("8.15").get_absolute_url()}"' in page  # mappings
    assert f'href="{entry.get_absolute_url()}"' in page  # the SoA entry
    assert related(response)["risk"] == [risk]
    assert f'href="{risk.get_absolute_url()}"' in page
    assert "Incidents cannot be reconstructed" in page
    assert related(response)["evidence"] == [evidence]
    assert f'href="{evidence.get_absolute_url()}"' in page
    assert "Logging concept v2" in page
    assert f'href="{reverse("controls:control_history", args=[event_logs.pk])}"' in page


def test_a_control_without_links_says_so(client, auditor):
    unlinked = control("A.3.3")
    client.force_login(auditor)
    response = client.get(unlinked.get_absolute_url())
    assert related(response) == {"risk": [], "evidence": []}
    assert response.content.decode().count("None yet.") == 2


def test_in_german_an_iso27001_control_is_shown_with_its_english_title_and_says_so(
    client, auditor, english_afterwards
):
    logging_control = control("8.15")
    with translation.override("de"):
        assert logging_control.title_in_english_only
        note = translation.gettext(
            "This catalogue has no German title for this entry; it is shown in English."
        )
    client.force_login(auditor)

    page = client.get(logging_control.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de")
    page = page.content.decode()
    assert '<html lang="de"' in page
    assert "8.15 Logging" in page
    assert escape(note) in page

    # An Annex A control has its German title: no note.
    event_logs = control("A.6.2.8")
    with translation.override("de"):
        assert not event_logs.title_in_english_only
    page = client.get(event_logs.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "A.6.2.8 Protokollierung von Ereignissen des KI-Systems" in page
    assert escape(note) not in page


def test_in_english_no_control_page_carries_the_english_only_note(client, auditor):
    logging_control = control("8.15")
    assert not logging_control.title_in_english_only
    client.force_login(auditor)
    response = client.get(logging_control.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en"' in page
    assert "8.15 Logging" in page
    assert "no German title" not in page


# Controls named in a risk import --------------------------------------------------------------


def risk_workbook(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Risk", "Category", "Controls"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.usefixtures("tasks_in_process")
def test_a_risk_import_links_the_controls_named_in_its_controls_column(client, compliance_officer):
    content = risk_workbook([["Prompt injection in the chatbot", "Privacy", "A.6.2.4, 8.16"]])
    client.force_login(compliance_officer)
    record = upload(client, content, name="risks.xlsx")
    preview_url = accept_proposals(client, record)
    preview = client.get(preview_url).context["preview"]
    assert preview.errors == []
    assert client.post(preview_url).status_code == 302

    risk = Risk.objects.get(title="Prompt injection in the chatbot")
    linked = set(risk.controls.values_list("framework", "code"))
    assert linked == {(Framework.ISO42001, "A.6.2.4"), (Framework.ISO27001, "8.16")}


@pytest.mark.usefixtures("tasks_in_process")
def test_an_unknown_control_id_in_a_risk_import_is_an_error_of_its_row(client, compliance_officer):
    content = risk_workbook(
        [
            ["Prompt injection in the chatbot", "Privacy", "A.6.2.4"],
            ["Model drift", "Privacy", "A.6.2.4, A.99.1"],
        ]
    )
    client.force_login(compliance_officer)
    record = upload(client, content, name="risks.xlsx")
    preview_url = accept_proposals(client, record)
    preview = client.get(preview_url).context["preview"]
    errors = {number: message for number, _label, message in preview.errors}
    assert list(errors) == [3]
    assert "A.99.1" in errors[3]
    assert [number for number, _risk in preview.valid] == [2]

    client.post(preview_url)  # invalid rows are not skipped silently
    assert not Risk.objects.exists()
    client.post(preview_url, {"skip_invalid": "1"})
    assert list(Risk.objects.values_list("title", flat=True)) == ["Prompt injection in the chatbot"]
