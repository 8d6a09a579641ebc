"""The audit team's permissions follow the team because the audits app connects the receivers
when it is ready, not because some module that happens to be imported first connects them."""

import pytest
from django.apps import apps
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse

from aims.core import roles
from audits.models import Audit
from tests.factories import AuditFactory, UserFactory

pytestmark = pytest.mark.django_db

RECEIVERS = (
    (post_save, Audit, "audit_team_permissions_on_save"),
    (m2m_changed, Audit.team.through, "audit_team_permissions_on_team"),
    (post_delete, Audit, "audit_deleted_reopens_programme"),
)


def edits(client, user, audit):
    """The status of the audit's edit page for `user`: every internal auditor reads every
    audit, only its team writes it."""
    client.force_login(user)
    return client.get(reverse("audits:audit_edit", args=[audit.pk])).status_code


def test_the_app_connects_the_team_receivers_when_it_is_ready(client):
    member = UserFactory(role=roles.INTERNAL_AUDITOR)
    try:
        # Disconnecting reports whether each receiver was connected.
        assert [signal.disconnect(sender=s, dispatch_uid=uid) for signal, s, uid in RECEIVERS] == [
            True,
            True,
            True,
        ]
        unseen = AuditFactory()
        unseen.team.add(member)
        assert edits(client, member, unseen) == 403
    finally:
        apps.get_app_config("audits").ready()

    audit = AuditFactory()
    audit.team.add(member)
    assert edits(client, member, audit) == 200
    audit.team.remove(member)
    assert edits(client, member, audit) == 403


def test_a_new_lead_auditor_edits_the_audit_and_the_former_one_no_longer(client):
    lead, successor = (UserFactory(role=roles.INTERNAL_AUDITOR) for _ in range(2))
    audit = AuditFactory(lead_auditor=lead)
    assert edits(client, lead, audit) == 200

    audit.lead_auditor = successor
    audit.save()

    assert (edits(client, lead, audit), edits(client, successor, audit)) == (403, 200)
