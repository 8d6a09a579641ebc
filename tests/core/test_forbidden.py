"""Visible but not editable: 403 naming who may change the entry; 404 outside the scope."""

import pytest
from django.urls import reverse

from aims.inventory.models import AISystem
from tests.factories import AISystemFactory, ModelVersionFactory, UserFactory


def edit_url(obj):
    return reverse(f"{obj._meta.app_label}:{obj._meta.model_name}_edit", args=[obj.pk])


def delete_url(obj):
    return reverse(f"{obj._meta.app_label}:{obj._meta.model_name}_delete", args=[obj.pk])


def test_an_auditor_is_told_who_may_change_an_entry_they_read(client, auditor):
    owner = UserFactory(first_name="Ada", last_name="Lovelace")
    system = AISystemFactory(owner=owner)
    client.force_login(auditor)
    response = client.get(edit_url(system))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Who may change it:" in page
    assert "Compliance Officer" in page and "Administrator" in page
    assert [str(role) for role in response.context["allowed_roles"]] == [
        "Administrator",
        "Compliance Officer",
    ]
    assert "its owner, Ada Lovelace" in page
    assert system.get_absolute_url() in page
    assert client.post(edit_url(system), {"name": "Renamed"}).status_code == 403
    system.refresh_from_db()
    assert system.version == 1


def test_deleting_is_refused_with_who_may_delete(client, auditor, system_owner):
    system = AISystemFactory(owner=system_owner)
    for user in (auditor, system_owner):  # owners change their systems, never delete them
        client.force_login(user)
        response = client.post(delete_url(system))
        assert response.status_code == 403
        page = response.content.decode()
        assert "Who may delete it:" in page
        assert "its owner" not in page
    assert AISystem.objects.filter(pk=system.pk).exists()


def test_an_entry_that_hangs_off_a_system_names_the_systems_owner(client, auditor):
    owner = UserFactory(first_name="Grace", last_name="Hopper")
    version = ModelVersionFactory(system=AISystemFactory(owner=owner))
    client.force_login(auditor)
    response = client.get(edit_url(version))
    assert response.status_code == 403
    assert "its owner, Grace Hopper" in response.content.decode()


def test_an_owner_opening_another_owners_system_gets_404(client, make_user):
    # Without a role an owner sees only what they own: someone else's system does not exist.
    owner = make_user("no_role")
    own, foreign = AISystemFactory(owner=owner), AISystemFactory(owner=UserFactory())
    client.force_login(owner)
    assert client.get(edit_url(own)).status_code == 200
    for address in (edit_url(foreign), delete_url(foreign), foreign.get_absolute_url()):
        assert client.get(address).status_code == 404, address


def test_a_register_the_role_may_not_add_to_names_who_may(client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("inventory:aisystem_add"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Who may add entries here:" in page
    assert "Compliance Officer" in page


@pytest.mark.parametrize("visible", [True, False])
def test_bulk_edit_refuses_what_is_seen_with_403_and_hides_the_rest(client, make_user, visible):
    persona = "system_owner" if visible else "no_role"
    user = make_user(persona)
    AISystemFactory(owner=user)  # may bulk edit their own
    foreign = AISystemFactory(owner=UserFactory())
    client.force_login(user)
    response = client.get(reverse("inventory:aisystem_bulk_edit"), {"pk": foreign.pk})
    assert response.status_code == (403 if visible else 404)
