"""Adding from where you are: the related sections of a detail page link to the child
register's form with the parent filled in, and saving returns to the parent."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from aims.inventory.models import AISystem, ThirdParty
from tests.factories import AISystemFactory

# The AI system page's relations: child register → the child's field that names the system.
SYSTEM_RELATIONS = {
    "inventory:modelversion_add": "system",
    "inventory:thirdparty_add": "systems",
    "inventory:dataset_add": "systems",
    "risks:risk_add": "ai_systems",
    "impact:impactassessment_add": "system",
    "controls:evidence_add": "ai_systems",
}

THIRD_PARTY = {
    "name": "Model host",
    "relationship": "supplier",
    "delivers": "Hosting.",
    "due_diligence": "not_started",
}


def add_links(response):
    """{add page path: query} of the related sections' "Add" buttons."""
    links = {}
    for section in response.context["related"]:
        if section["can_add"]:
            parts = urlsplit(section["add_url"])
            links[parts.path] = parse_qs(parts.query)
    return links


def test_the_system_page_offers_to_add_each_related_entry(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    response = client.get(system.get_absolute_url())
    links = add_links(response)
    for url_name, field in SYSTEM_RELATIONS.items():
        query = links[reverse(url_name)]
        assert query == {field: [str(system.pk)], "next": [system.get_absolute_url()]}
    page = response.content.decode()
    assert f"{reverse('inventory:thirdparty_add')}?systems={system.pk}" in page


def test_readers_get_no_add_buttons(client, auditor):
    system = AISystemFactory()
    client.force_login(auditor)
    response = client.get(system.get_absolute_url())
    assert add_links(response) == {}
    assert reverse("inventory:modelversion_add") not in response.content.decode()


def test_an_owner_adds_model_versions_to_their_own_system_only(client, system_owner):
    own, other = AISystemFactory(owner=system_owner), AISystemFactory()
    client.force_login(system_owner)
    assert reverse("inventory:modelversion_add") in add_links(client.get(own.get_absolute_url()))
    # Someone else's system: no model versions; evidence, which owners add, may name it.
    assert reverse("inventory:modelversion_add") not in add_links(
        client.get(other.get_absolute_url())
    )


def test_a_locked_parent_offers_no_add_buttons(client, compliance_officer, monkeypatch):
    # AI systems never lock; the machinery reads `lock_reason` as approved records set it.
    system = AISystemFactory()
    monkeypatch.setattr(AISystem, "lock_reason", property(lambda obj: "Approved."))
    client.force_login(compliance_officer)
    assert add_links(client.get(system.get_absolute_url())) == {}


def test_the_form_is_prefilled_and_returns_to_the_parent(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    address = reverse("inventory:thirdparty_add")
    query = f"?systems={system.pk}&next={system.get_absolute_url()}"
    page = client.get(address + query)
    assert page.context["form"]["systems"].value() == [str(system.pk)]
    # The browser posts the pre-filled field with the rest of the form.
    response = client.post(address + query, {**THIRD_PARTY, "systems": [system.pk]})
    assert response.status_code == 302
    assert response["Location"] == system.get_absolute_url()
    assert list(ThirdParty.objects.get(name="Model host").systems.all()) == [system]


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:1"])
def test_a_foreign_return_address_is_ignored(client, compliance_officer, target):
    client.force_login(compliance_officer)
    response = client.post(
        f"{reverse('inventory:thirdparty_add')}?next={target}",
        {**THIRD_PARTY},
    )
    assert response["Location"] == ThirdParty.objects.get().get_absolute_url()


def test_a_forged_parent_is_not_prefilled(client, system_owner):
    own, foreign = AISystemFactory(owner=system_owner), AISystemFactory()
    client.force_login(system_owner)
    address = reverse("inventory:modelversion_add")
    assert client.get(address, {"system": own.pk}).context["form"]["system"].value() == str(own.pk)
    form = client.get(address, {"system": foreign.pk}).context["form"]
    assert form["system"].value() is None
    # Posting it anyway is refused by the form's choices.
    response = client.post(address, {"system": foreign.pk, "version_label": "9.9"})
    assert response.status_code == 200
    assert "system" in response.context["form"].errors
    assert not foreign.versions.exists()


def test_only_fields_of_the_form_are_prefilled(client, compliance_officer):
    client.force_login(compliance_officer)
    form = client.get(
        reverse("inventory:aisystem_add"), {"name": "Chatbot", "version": "7", "loaded_version": 3}
    ).context["form"]
    assert form.initial.get("name") == "Chatbot"
    assert "version" not in form.initial
    assert form["loaded_version"].value() is None
