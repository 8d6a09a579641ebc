"""User administration: administrators manage accounts but cannot lift themselves."""

from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory


def change_form_post(client, user, **changes):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [g.pk for g in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "sso_identities-TOTAL_FORMS": str(user.sso_identities.count()),
        "sso_identities-INITIAL_FORMS": str(user.sso_identities.count()),
        **changes,
    }
    return client.post(reverse("admin:core_user_change", args=[user.pk]), data)


def test_an_administrator_assigns_roles_to_others(client, db):
    admin = UserFactory(role="Administrator", is_staff=True)
    colleague = UserFactory()
    client.force_login(admin)
    auditor = Group.objects.get(name="Auditor")
    response = change_form_post(client, colleague, groups=[auditor.pk])
    assert response.status_code == 302
    assert list(colleague.groups.all()) == [auditor]


def test_an_administrator_cannot_make_themselves_superuser_or_approver(client, db):
    admin = UserFactory(role="Administrator", is_staff=True)
    client.force_login(admin)
    ai_officer = Group.objects.get(name="AI Officer")
    change_form_post(client, admin, is_superuser="on", groups=[ai_officer.pk])
    admin.refresh_from_db()
    assert not admin.is_superuser
    assert [g.name for g in admin.groups.all()] == ["Administrator"]


def test_an_administrator_cannot_change_a_superuser(client, db):
    admin = UserFactory(role="Administrator", is_staff=True)
    root = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = change_form_post(client, root, email="taken@example.test")
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.email != "taken@example.test"


def test_the_user_page_shows_the_single_sign_on_identity_read_only(client, db):
    admin = UserFactory(role="Administrator", is_staff=True)
    colleague = UserFactory()
    colleague.sso_identities.create(issuer="https://login.example.com/tenant", subject="abc-123")
    client.force_login(admin)
    page = client.get(reverse("admin:core_user_change", args=[colleague.pk]))
    assert "https://login.example.com/tenant" in page.content.decode()
    assert 'name="sso_identities-0-subject"' not in page.content.decode()
    response = change_form_post(client, colleague, first_name="Renamed")
    assert response.status_code == 302
    assert colleague.sso_identities.get().subject == "abc-123"
