"""Reviews of approved documents: the reminder engine reminds the owner once per review date (in
the digest), My work and the dashboard."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aims.core.models import Reminder
from aims.core.reminders import sweep
from aims.core.work import work_items
from aims.documents.attention import documents_attention
from aims.documents.models import ControlledDocument
from tests.documents.helpers import approved

pytestmark = pytest.mark.django_db


def due(document, days):
    ControlledDocument.objects.filter(pk=document.pk).update(
        next_review=timezone.localdate() + timedelta(days=days)
    )


def digests():
    return [m for m in mail.outbox if "due dates in the AI management system" in m.subject]


def test_the_owner_is_reminded_once_of_a_review_due(compliance_officer, ai_officer, auditor):
    document = approved(compliance_officer, ai_officer, owner=auditor)
    approved(compliance_officer, ai_officer, owner=compliance_officer)  # not due for a year
    due(document, 5)
    mail.outbox.clear()

    sweep()
    sweep()
    (digest,) = digests()
    assert digest.to == [auditor.email]
    assert "Document review" in digest.body and document.reference in digest.body
    assert Reminder.objects.filter(key="documents.controlleddocument:next_review").count() == 1


def test_a_new_review_date_reminds_again(compliance_officer, ai_officer, auditor):
    document = approved(compliance_officer, ai_officer, owner=auditor)
    due(document, 5)
    sweep()
    due(document, 3)
    mail.outbox.clear()

    # The digest of the day has gone: the new date waits for tomorrow's.
    sweep()
    assert digests() == []
    sweep(today=timezone.localdate() + timedelta(days=1))
    (digest,) = digests()
    assert document.reference in digest.body


def test_my_work_lists_the_reviews_of_the_documents_i_own(compliance_officer, ai_officer, auditor):
    mine = approved(compliance_officer, ai_officer, owner=auditor)
    theirs = approved(compliance_officer, ai_officer, owner=compliance_officer)
    due(mine, 5)
    due(theirs, 5)

    urls = [item.url for item in work_items(auditor)]

    assert mine.get_absolute_url() in urls
    assert theirs.get_absolute_url() not in urls


def test_the_dashboard_counts_the_documents_overdue_for_review(
    client, compliance_officer, ai_officer, auditor
):
    overdue = approved(compliance_officer, ai_officer, owner=auditor)
    soon = approved(compliance_officer, ai_officer, owner=auditor)
    due(overdue, -1)
    due(soon, 5)

    messages = [text for text, _url in documents_attention(auditor)]

    assert messages == ["1 controlled document is overdue for review."]
    client.force_login(auditor)
    assert (
        "1 controlled document is overdue for review."
        in client.get(reverse("core:dashboard")).content.decode()
    )
