"""Saved views: a list's search and filters under a name, private or shared."""

from django.urls import reverse

from aims.core.models import SavedView
from tests.factories import RiskFactory

RISKS = "/risks/register/"


def save_view(client, name, query, shared=False):
    data = {"name": name, "query": query}
    if shared:
        data["shared"] = "on"
    return client.post(reverse("core:saved_view_add", args=["risks.risk"]), data)


def test_a_saved_view_reopens_the_list_with_its_filters(client, compliance_officer):
    client.force_login(compliance_officer)
    response = save_view(client, "Open security risks", "category=security&page=3")
    assert response.status_code == 302
    assert response["Location"] == f"{RISKS}?category=security"
    view = SavedView.objects.get()
    assert (view.user, view.register, view.query) == (
        compliance_officer,
        "risks.risk",
        "category=security",
    )
    page = client.get(RISKS).content.decode()
    assert f'href="{RISKS}?category=security">Open security risks' in page


def test_a_private_view_is_not_shown_to_others_but_a_shared_one_is(
    client, compliance_officer, auditor
):
    client.force_login(compliance_officer)
    save_view(client, "Private review list", "status=review")
    save_view(client, "For everyone", "category=privacy", shared=True)
    client.get(RISKS)  # shows (and so consumes) the "saved" messages
    client.force_login(auditor)
    page = client.get(RISKS).content.decode()
    assert "For everyone" in page
    assert "Private review list" not in page


def test_only_the_owner_deletes_a_view(client, compliance_officer, auditor):
    client.force_login(compliance_officer)
    save_view(client, "Shared", "status=review", shared=True)
    view = SavedView.objects.get()
    client.force_login(auditor)
    assert client.post(reverse("core:saved_view_delete", args=[view.pk])).status_code == 404
    client.force_login(compliance_officer)
    assert client.post(reverse("core:saved_view_delete", args=[view.pk])).status_code == 302
    assert not SavedView.objects.exists()


def test_a_duplicate_or_blank_name_is_refused_with_a_message(client, compliance_officer):
    client.force_login(compliance_officer)
    save_view(client, "Review", "status=review")
    client.get(RISKS)  # shows (and so consumes) the "saved" message
    response = save_view(client, "Review", "status=closed")
    assert SavedView.objects.count() == 1
    assert "already have a view with this name" in client.get(response["Location"]).content.decode()
    response = save_view(client, "", "status=closed")
    assert SavedView.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "The view was not saved" in page


def test_a_register_the_user_may_not_see_cannot_get_views(client, make_user):
    client.force_login(make_user("no_role"))
    assert save_view(client, "Sneaky", "").status_code == 403
    response = client.post(reverse("core:saved_view_add", args=["risks.nothing"]), {"name": "x"})
    assert response.status_code == 404
    assert not SavedView.objects.exists()


def test_html_in_a_view_name_is_shown_as_text(client, compliance_officer):
    RiskFactory()
    client.force_login(compliance_officer)
    save_view(client, "<b>bold</b>", "q=x")
    assert "&lt;b&gt;bold&lt;/b&gt;" in client.get(RISKS).content.decode()
