"""Each user's reminder preferences and language: the page every role reaches from the navigation,
what it saves, how it refuses bad input, and the language switch that remembers the choice."""

import re

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS

URL = reverse("core:preferences")


def checkbox(page, name):
    return re.search(rf'<input type="checkbox" name="{name}"[^>]*>', page).group(0)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_role_reaches_its_preferences_from_the_navigation(client, make_user, persona):
    user = make_user(persona)
    client.force_login(user)
    dashboard = client.get(reverse("core:dashboard"), follow=True).content.decode()
    assert f'href="{URL}"' in dashboard
    page = client.get(URL).content.decode()
    assert "Preferences</h1>" in page
    assert "checked" in checkbox(page, "email_reminders")
    assert '<option value="en" selected>' in page


def test_the_preferences_are_saved(client, system_owner):
    client.force_login(system_owner)
    response = client.post(
        URL,
        {"digest_frequency": "weekly", "digest_weekday": "4", "language": "de"},
        follow=True,
    )
    system_owner.refresh_from_db()
    assert (
        system_owner.email_reminders,
        system_owner.digest_frequency,
        system_owner.digest_weekday,
        system_owner.language,
    ) == (False, "weekly", 4, "de")
    # The page answers in the language just chosen.
    assert response.redirect_chain == [(URL, 302)]
    assert client.cookies["django_language"].value == "de"
    assert '<html lang="de"' in response.content.decode()


def test_bad_input_is_refused_at_its_field_and_nothing_is_lost(client, system_owner):
    client.force_login(system_owner)
    response = client.post(
        URL,
        {
            "email_reminders": "on",
            "digest_frequency": "hourly",
            "digest_weekday": "9",
            "language": "de",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"digest_frequency", "digest_weekday"}
    page = response.content.decode()
    assert "Select a valid choice. hourly is not one of the available choices." in page
    # What was right stays as entered, to be sent again with the corrections.
    assert '<option value="de" selected>' in page
    assert "checked" in checkbox(page, "email_reminders")
    system_owner.refresh_from_db()
    assert (system_owner.digest_frequency, system_owner.language) == ("daily", "en")


def test_switching_the_language_in_the_navigation_keeps_it_on_the_account(client, auditor):
    client.force_login(auditor)
    response = client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert response.status_code == 302
    auditor.refresh_from_db()
    assert auditor.language == "de"
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    auditor.refresh_from_db()
    assert auditor.language == "de"


def test_an_anonymous_visitor_switches_language_and_is_sent_to_log_in_for_preferences(client):
    assert client.post(reverse("set_language"), {"language": "de"}).status_code == 302
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
