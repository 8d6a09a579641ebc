"""An audit's page costs the same queries whatever the audit's state (the bench measures the
first audit of each state and keeps the costliest)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Audit, AuditResult
from tests.conftest import client_for
from tests.factories import (
    AuditFactory,
    AuditProgrammeFactory,
    ChecklistItemFactory,
    UserFactory,
)


def page_queries(client, audit):
    """The queries of the page's second request (the first fills the process's caches)."""
    client.get(audit.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        response = client.get(audit.get_absolute_url())
    assert response.status_code == 200
    return len(captured)


def test_the_audit_page_costs_the_same_queries_in_every_state(client, compliance_officer):
    client = client_for(client, compliance_officer)
    programme = AuditProgrammeFactory()
    counts = {}
    for status in Audit.Status.values:
        audit = AuditFactory(status=status, programme=programme, lead_auditor=UserFactory())
        audit.team.add(UserFactory())
        ChecklistItemFactory(audit=audit, result=AuditResult.CONFORMING)
        ChecklistItemFactory(audit=audit)
        counts[status] = page_queries(client, audit)
    assert len(set(counts.values())) == 1, counts
