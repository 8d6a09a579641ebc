"""The demo incidents: one ordinary, one serious as deployer with the provider informed and the
initial report logged; seeding twice changes nothing."""

import pytest

from aims.core import roles
from aims.inventory import demo as inventory_demo
from audits.incidents import demo
from audits.incidents.countdown import deadline_state
from audits.models import AIIncident, IncidentReport
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_shows_an_ordinary_and_a_reported_serious_deployer_incident():
    users = {role: UserFactory(role=role) for role in roles.ROLES}
    inventory_demo.seed(users)
    demo.seed(users)
    demo.seed(users)
    assert AIIncident.objects.count() == 2 and IncidentReport.objects.count() == 1
    serious = AIIncident.objects.get(serious=True)
    assert serious.ai_system.reference == "AIS-003"
    assert serious.our_role == AIIncident.Role.DEPLOYER and serious.fundamental_rights
    assert serious.provider_informed_at > serious.aware_at
    assert serious.report_due_at is not None
    report = serious.reports.get()
    assert report.kind == IncidentReport.Kind.INITIAL and report.document.revisions.count() == 1
    assert deadline_state(serious).text == "Reported in time"
    ordinary = AIIncident.objects.get(serious=False)
    assert ordinary.report_due_at is None and ordinary.our_role == AIIncident.Role.PROVIDER
