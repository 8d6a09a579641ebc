"""The AI system form names its suppliers: existing third parties that supply, or a new one
added to the third parties in the same save."""

import pytest
from django.urls import reverse

from aims.core.registry import registry
from aims.inventory.models import AISystem, ThirdParty
from tests.conftest import form_payload
from tests.factories import AISystemFactory, ThirdPartyFactory

pytestmark = pytest.mark.usefixtures("ai_act_obligations")


def edit(client, system, user, **changes):
    payload = {**form_payload(registry[AISystem], system, user), **changes}
    return client.post(reverse("inventory:aisystem_edit", args=[system.pk]), payload)


def test_the_form_offers_only_third_parties_that_supply(client, compliance_officer):
    supplier = ThirdPartyFactory(relationship="supplier")
    both = ThirdPartyFactory(relationship="both")
    ThirdPartyFactory(relationship="customer")
    client.force_login(compliance_officer)
    form = client.get(reverse("inventory:aisystem_add")).context["form"]
    assert set(form.fields["suppliers"].queryset) == {supplier, both}


def test_a_new_supplier_is_added_to_the_third_parties_in_the_same_save(client, compliance_officer):
    existing = ThirdPartyFactory(name="Cloud host")
    system = AISystemFactory()
    client.force_login(compliance_officer)
    response = edit(
        client,
        system,
        compliance_officer,
        suppliers=[existing.pk],
        new_supplier="  Model Labs  ",
    )
    assert response.status_code == 302
    added = ThirdParty.objects.get(name="Model Labs")
    assert added.relationship == ThirdParty.Relationship.SUPPLIER
    assert added.due_diligence == ThirdParty.DueDiligence.NOT_STARTED
    assert set(system.third_parties.all()) == {existing, added}
    # Recorded in the third parties' history, under the user's name.
    assert added.history.filter(history_type="+", history_user=compliance_officer).exists()
    assert existing.history.filter(history_type="~", history_user=compliance_officer).exists()
    page = client.get(system.get_absolute_url()).content.decode()
    assert "Model Labs" in page


def test_unticking_a_supplier_unlinks_it_and_leaves_customers_alone(client, compliance_officer):
    system = AISystemFactory()
    supplier, customer = ThirdPartyFactory(), ThirdPartyFactory(relationship="customer")
    supplier.systems.add(system)
    customer.systems.add(system)
    client.force_login(compliance_officer)
    assert edit(client, system, compliance_officer, suppliers=[]).status_code == 302
    assert list(system.third_parties.all()) == [customer]


def test_a_supplier_already_in_the_register_is_chosen_not_added_again(client, compliance_officer):
    ThirdPartyFactory(name="Model Labs")
    system = AISystemFactory()
    client.force_login(compliance_officer)
    response = edit(client, system, compliance_officer, new_supplier="model labs")
    assert response.status_code == 200
    assert "new_supplier" in response.context["form"].errors
    assert ThirdParty.objects.filter(name__iexact="model labs").count() == 1


def test_a_system_owner_neither_links_nor_adds_suppliers(client, system_owner):
    system = AISystemFactory(owner=system_owner)
    supplier = ThirdPartyFactory()
    client.force_login(system_owner)
    form = client.get(reverse("inventory:aisystem_edit", args=[system.pk])).context["form"]
    assert form.fields["suppliers"].disabled
    assert "new_supplier" not in form.fields
    response = edit(
        client, system, system_owner, suppliers=[supplier.pk], new_supplier="Model Labs"
    )
    assert response.status_code == 302
    assert not system.third_parties.exists()
    assert not ThirdParty.objects.filter(name="Model Labs").exists()
