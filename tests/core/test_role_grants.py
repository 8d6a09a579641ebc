"""Role grants: recorded, told to the compliance officers, no approval role for oneself, and the
AI Officer role for an administrator only with a second administrator."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from aims.core import role_grants
from aims.core.models import Notification, RoleChange, RoleGrantRequest
from tests.core.test_user_admin import change_form_post
from tests.factories import UserFactory


@pytest.fixture
def administrator(db):
    return UserFactory(username="admin1", role="Administrator", is_staff=True)


@pytest.fixture
def second_administrator(db):
    return UserFactory(username="admin2", role="Administrator", is_staff=True)


def role_names(user):
    return sorted(user.groups.values_list("name", flat=True))


def test_a_role_granted_in_the_admin_is_recorded_with_who_granted_it(
    client, administrator, compliance_officer
):
    colleague = UserFactory(username="colleague")
    client.force_login(administrator)
    response = change_form_post(client, colleague, groups=[Group.objects.get(name="Auditor").pk])
    assert response.status_code == 302
    change = RoleChange.objects.get(user=colleague)
    assert (change.changed_by, change.role, change.action) == (administrator, "Auditor", "granted")


def test_a_role_granted_in_the_admin_notifies_the_compliance_officers(
    client, administrator, compliance_officer
):
    colleague = UserFactory(username="colleague")
    client.force_login(administrator)
    change_form_post(client, colleague, groups=[Group.objects.get(name="Auditor").pk])
    (notice,) = Notification.objects.filter(recipient=compliance_officer)
    assert notice.message == f"{administrator} granted the Auditor role to {colleague}."


def test_a_role_removed_in_the_admin_is_recorded(client, administrator, compliance_officer):
    colleague = UserFactory(username="colleague", role="Auditor")
    client.force_login(administrator)
    change_form_post(client, colleague, groups=[])
    removal = RoleChange.objects.get(user=colleague, action="removed")
    assert (removal.changed_by, removal.role) == (administrator, "Auditor")


def test_the_role_changes_page_lists_who_granted_what_to_whom(
    client, administrator, compliance_officer
):
    colleague = UserFactory(username="colleague")
    client.force_login(administrator)
    change_form_post(client, colleague, groups=[Group.objects.get(name="Auditor").pk])
    client.force_login(compliance_officer)
    compliance_officer.is_staff = True
    compliance_officer.save()
    response = client.get(reverse("admin:core_rolechange_changelist"))
    assert response.status_code == 200
    assert str(colleague) in response.content.decode()


def test_a_superuser_cannot_grant_themselves_the_ai_officer_role(client, db):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(root)
    response = change_form_post(
        client, root, is_superuser="on", groups=[Group.objects.get(name="AI Officer").pk]
    )
    assert response.status_code == 200
    assert "You cannot grant yourself the AI Officer role" in response.content.decode()
    assert role_names(root) == []


def test_the_grant_rule_refuses_the_ai_officer_role_for_oneself(administrator):
    with pytest.raises(ValidationError):
        role_grants.check_grant(actor=administrator, user=administrator, roles={"AI Officer"})


def test_the_ai_officer_role_for_an_administrator_waits_for_a_second_administrator(
    client, administrator, compliance_officer
):
    other_admin = UserFactory(username="other", role="Administrator", is_staff=True)
    client.force_login(administrator)
    groups = [Group.objects.get(name=name).pk for name in ("Administrator", "AI Officer")]
    response = change_form_post(client, other_admin, groups=groups)
    assert response.status_code == 302
    assert role_names(other_admin) == ["Administrator"]
    grant = RoleGrantRequest.objects.get(user=other_admin)
    assert (grant.role, grant.requested_by, grant.pending) == ("AI Officer", administrator, True)


def test_a_new_administrator_with_the_ai_officer_role_waits_for_a_second_administrator(
    client, administrator
):
    newcomer = UserFactory(username="newcomer")
    client.force_login(administrator)
    groups = [Group.objects.get(name=name).pk for name in ("Administrator", "AI Officer")]
    change_form_post(client, newcomer, groups=groups)
    assert role_names(newcomer) == ["Administrator"]


def test_a_second_administrator_confirms_the_ai_officer_role_for_an_administrator(
    client, administrator, second_administrator
):
    other_admin = UserFactory(username="other", role="Administrator", is_staff=True)
    grant = role_grants.role_grant_request(
        user=other_admin, role="AI Officer", requested_by=administrator
    )
    client.force_login(second_administrator)
    response = client.post(
        reverse("admin:core_rolegrantrequest_changelist"),
        {"action": "confirm", "_selected_action": [grant.pk]},
    )
    assert response.status_code == 302
    assert role_names(other_admin) == ["AI Officer", "Administrator"]
    change = RoleChange.objects.get(user=other_admin, role="AI Officer")
    assert change.changed_by == second_administrator


def test_the_requester_cannot_confirm_their_own_role_grant_request(
    client, administrator, second_administrator
):
    grant = role_grants.role_grant_request(
        user=second_administrator, role="AI Officer", requested_by=administrator
    )
    client.force_login(administrator)
    response = client.post(
        reverse("admin:core_rolegrantrequest_changelist"),
        {"action": "confirm", "_selected_action": [grant.pk]},
        follow=True,
    )
    assert "A second administrator must confirm this role grant" in response.content.decode()
    assert role_names(second_administrator) == ["Administrator"]


def test_the_confirm_service_refuses_the_requester(administrator, second_administrator):
    grant = role_grants.role_grant_request(
        user=second_administrator, role="AI Officer", requested_by=administrator
    )
    with pytest.raises(PermissionDenied):
        role_grants.role_grant_confirm(grant=grant, user=administrator)


def test_the_confirm_service_refuses_the_grantee(administrator, second_administrator):
    grant = role_grants.role_grant_request(
        user=second_administrator, role="AI Officer", requested_by=administrator
    )
    with pytest.raises(PermissionDenied):
        role_grants.role_grant_confirm(grant=grant, user=second_administrator)


def test_an_administrator_cannot_reset_the_password_of_an_ai_officer(
    client, administrator, ai_officer
):
    client.force_login(administrator)
    url = reverse("admin:auth_user_password_change", args=[ai_officer.pk])
    response = client.post(
        url, {"password1": "a-new-long-passphrase-42", "password2": "a-new-long-passphrase-42"}
    )
    assert response.status_code == 302
    ai_officer.refresh_from_db()
    assert ai_officer.check_password("correct-horse-battery")


def test_an_administrator_resets_the_password_of_an_auditor(client, administrator, auditor):
    client.force_login(administrator)
    url = reverse("admin:auth_user_password_change", args=[auditor.pk])
    response = client.post(
        url,
        {
            "password1": "a-new-long-passphrase-42",
            "password2": "a-new-long-passphrase-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.check_password("a-new-long-passphrase-42")


def test_the_password_rule_lets_an_ai_officer_set_their_own(ai_officer):
    assert role_grants.may_set_password(actor=ai_officer, user=ai_officer)


def test_a_role_given_outside_the_admin_is_recorded_without_a_name_or_notification(
    compliance_officer,
):
    newcomer = UserFactory(username="newcomer", role="Auditor")
    change = RoleChange.objects.get(user=newcomer)
    assert (change.changed_by, change.role, change.action) == (None, "Auditor", "granted")
    assert not Notification.objects.filter(recipient=compliance_officer).exists()


def test_the_ai_officer_role_for_a_non_administrator_takes_effect_at_once(client, administrator):
    colleague = UserFactory(username="colleague")
    client.force_login(administrator)
    change_form_post(client, colleague, groups=[Group.objects.get(name="AI Officer").pk])
    assert role_names(colleague) == ["AI Officer"]
    assert not RoleGrantRequest.objects.exists()


def test_the_administrator_role_for_an_ai_officer_waits_for_a_second_administrator(
    client, administrator, ai_officer
):
    client.force_login(administrator)
    groups = [Group.objects.get(name=name).pk for name in ("Administrator", "AI Officer")]
    change_form_post(client, ai_officer, groups=groups)
    assert role_names(ai_officer) == ["AI Officer"]
    assert RoleGrantRequest.objects.get(user=ai_officer).role == "Administrator"


def test_the_internal_auditor_role_is_offered_granted_and_told_by_its_name(
    client, administrator, compliance_officer
):
    colleague = UserFactory(username="colleague")
    client.force_login(administrator)
    form = client.get(reverse("admin:core_user_change", args=[colleague.pk]))
    assert "Internal Auditor" in [
        str(group) for group in form.context["adminform"].form.fields["groups"].queryset
    ]
    role = Group.objects.get(name="Internal Auditor")
    assert change_form_post(client, colleague, groups=[role.pk]).status_code == 302
    assert role_names(colleague) == ["Internal Auditor"]
    (notice,) = Notification.objects.filter(recipient=compliance_officer)
    assert notice.message == f"{administrator} granted the Internal Auditor role to {colleague}."
