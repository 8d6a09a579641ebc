"""Counts in messages agree with their number: "1 AI system is overdue", "3 AI systems are
overdue" — through ngettext, in English and German."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import AISystemFactory


def dashboard(client, user, language):
    client.force_login(user)
    return client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def overdue_systems(number):
    for _ in range(number):
        AISystemFactory(next_review=timezone.localdate() - timedelta(days=1))


def translated(msgid):
    """German for `msgid` is in the catalogue (new strings wait for the translators)."""
    with translation.override("de"):
        return translation.ngettext(msgid, msgid + " ", 1) != msgid


@pytest.mark.parametrize(
    ("number", "message", "card"),
    [
        (1, "1 AI system is overdue for review.", ">AI system<"),
        (2, "2 AI systems are overdue for review.", ">AI systems<"),
    ],
)
def test_the_dashboard_counts_in_english(client, compliance_officer, number, message, card):
    overdue_systems(number)
    page = dashboard(client, compliance_officer, "en")
    assert message in page
    assert card in page


@pytest.mark.parametrize(
    ("number", "message"),
    [
        (1, "1 KI-System ist überfällig zur Überprüfung."),
        (2, "2 KI-Systeme sind überfällig zur Überprüfung."),
    ],
)
def test_the_dashboard_counts_in_german(client, compliance_officer, number, message):
    if not translated("%(count)d AI system is overdue for review."):
        pytest.skip("the German translation of this message is not merged yet")
    overdue_systems(number)
    assert message in dashboard(client, compliance_officer, "de")


@pytest.mark.parametrize(
    ("number", "subject"),
    [
        (1, "1 Erinnerung: Termine im KI-Managementsystem"),
        (2, "2 Erinnerungen: Termine im KI-Managementsystem"),
    ],
)
def test_the_german_digest_subject_counts(number, subject):
    with translation.override("de"):
        text = translation.ngettext(
            "%(count)s reminder: due dates in the AI management system",
            "%(count)s reminders: due dates in the AI management system",
            number,
        )
    assert text % {"count": number} == subject
