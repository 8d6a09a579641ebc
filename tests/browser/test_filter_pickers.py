"""A long filter dropdown of a register list in a real browser: the evidence list of an
organisation with more AI systems than a dropdown holds; a few letters typed, the system
chosen, and the list shows its evidence only, with the choice kept in the address."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from aims.core import pickers
from aims.inventory.models import AISystem
from controls.catalogue import load_catalogues
from controls.models import Control, ControlObjective, SoAEntry
from tests.factories import AISystemFactory, EvidenceFactory

pytestmark = pytest.mark.browser


def test_a_system_is_found_by_typing_and_filters_the_evidence_list(
    page, log_in, live_server, compliance_officer
):
    load_catalogues(ControlObjective, Control, SoAEntry)  # live-server tests flush the database
    AISystem.objects.bulk_create(
        AISystem(reference=f"AIS-S{n:03}", name=f"Scaled system {n:03}", purpose="Sorts claims.")
        for n in range(pickers.REMOTE_FROM + 10)
    )
    target = AISystemFactory(name="Fraud scoring")
    EvidenceFactory(title="Fraud model validation report").ai_systems.set([target])
    EvidenceFactory(title="Chatbot red-team protocol").ai_systems.set(
        [AISystem.objects.get(reference="AIS-S001")]
    )
    log_in(compliance_officer)
    page.goto(live_server.url + reverse("controls:evidence_list"))
    table = page.locator("#register-table")
    expect(table).to_contain_text("Chatbot red-team protocol")
    # The page holds no system: they come from the search.
    assert page.locator("select#id_ai_systems option:not([value=''])").count() == 0

    picker = page.locator("#id_ai_systems-ts-control")
    picker.click()
    picker.press_sequentially("fraud")
    dropdown = page.locator("#id_ai_systems-ts-dropdown")
    option = dropdown.get_by_role("option", name=f"{target.reference} Fraud scoring")
    expect(option).to_be_visible()
    expect(dropdown.get_by_role("option")).to_have_count(1)
    option.click()

    expect(table).not_to_contain_text("Chatbot red-team protocol")
    expect(table).to_contain_text("Fraud model validation report")
    assert f"ai_systems={target.pk}" in page.url
    # Reloaded, the address keeps the filter and the picker names the chosen system.
    page.reload()
    chosen = page.locator(".ts-wrapper", has=page.locator("#id_ai_systems-ts-control"))
    expect(chosen.locator(".item")).to_have_text(f"{target.reference} Fraud scoring")
    expect(table).not_to_contain_text("Chatbot red-team protocol")
