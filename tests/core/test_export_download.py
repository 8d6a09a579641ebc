"""Export everything in the portal: administrators only, after confirming the archive is
confidential; the download is the archive export_aims writes."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from aims.core.archive import MANIFEST
from tests.conftest import client_for
from tests.factories import UserFactory

URL = reverse("core:archive_export")


@pytest.fixture
def administrator(make_user):
    return make_user("administrator")


@pytest.mark.parametrize(
    "persona", ["compliance_officer", "ai_officer", "system_owner", "auditor", "no_role"]
)
def test_it_refuses_everyone_but_administrators(client, make_user, persona):
    client_for(client, make_user(persona))

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"confidential": "on"}).status_code == 403


def test_it_asks_anonymous_visitors_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_page_warns_that_the_archive_is_confidential(client, administrator):
    response = client_for(client, administrator).get(URL)

    assert response.status_code == 200
    assert "password hashes" in response.content.decode()


def test_the_link_shows_for_administrators_only(client, administrator, compliance_officer):
    assert URL in client_for(client, administrator).get(reverse("core:dashboard")).content.decode()
    page = client_for(client, compliance_officer).get(reverse("core:dashboard"))
    assert URL not in page.content.decode()


def test_it_needs_the_confirmation(client, administrator):
    response = client_for(client, administrator).post(URL, {})

    assert response.status_code == 200
    assert "keep the archive confidential" in response.content.decode()


def test_an_administrator_downloads_the_whole_aims(client, administrator, system_owner):
    response = client_for(client, administrator).post(URL, {"confidential": "on"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="aims-export-')
    assert response["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        manifest = json.loads(archive.read(MANIFEST))
        users = json.loads(archive.read("data/core.User.json"))
    assert manifest["exported_by"] == administrator.username
    assert {user["fields"]["username"] for user in users} == {
        administrator.username,
        system_owner.username,
    }
    assert all(user["fields"]["password"] for user in users)


def test_a_superuser_without_the_role_sees_the_link_and_gets_the_page(client, db):
    # The first account of an installation is made with createsuperuser and has no role.
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert URL in client_for(client, root).get(reverse("core:dashboard")).content.decode()
    assert client_for(client, root).get(URL).status_code == 200
