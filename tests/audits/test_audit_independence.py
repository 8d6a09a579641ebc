"""Independence of the audit team: each kind of conflict is refused at the field with a message
that names it, unless the compliance officer recorded an override that named it."""

import pytest
from django.urls import reverse

from aims.core.roles import INTERNAL_AUDITOR
from audits.internal.independence import conflicts, holds
from audits.models import Audit
from tests.audits.internal_helpers import audit_payload, clauses
from tests.factories import (
    AISystemFactory,
    AuditFactory,
    RACIAssignmentFactory,
    RiskFactory,
    UserFactory,
)


@pytest.fixture
def tobias(db):
    return UserFactory(
        username="tkeller", first_name="Tobias", last_name="Keller", email="t.keller@example.test"
    )


def save_audit(client, user, audit=None, **values):
    client.force_login(user)
    address = (
        reverse("audits:audit_edit", args=[audit.pk]) if audit else reverse("audits:audit_add")
    )
    return client.post(address, audit_payload(audit, **values))


def test_a_lead_auditor_who_owns_an_ai_system_in_scope_is_refused(
    client, compliance_officer, tobias
):
    system = AISystemFactory(owner=tobias)
    response = save_audit(
        client, compliance_officer, ai_systems=[system.pk], lead_auditor=tobias.pk
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["lead_auditor"][0].startswith(
        f"Tobias Keller owns {system.reference}, which is in scope"
    )
    assert not Audit.objects.exists()


def test_a_team_member_who_owns_a_risk_of_an_ai_system_in_scope_is_refused(
    client, compliance_officer, tobias
):
    system = AISystemFactory()
    risk = RiskFactory(owner=tobias)
    risk.ai_systems.set([system])
    response = save_audit(client, compliance_officer, ai_systems=[system.pk], team=[tobias.pk])
    errors = response.context["form"].errors
    assert errors["team"][0].startswith(
        f"Tobias Keller owns the risk {risk.reference} of {system.reference}, which is in scope"
    )
    assert not Audit.objects.exists()


@pytest.mark.parametrize("holder", ["Tobias Keller", "tkeller", "T.Keller@example.test"])
def test_the_raci_responsible_for_a_clause_in_scope_is_refused(
    client, compliance_officer, tobias, holder
):
    RACIAssignmentFactory(
        activity__clause="6.1.2", activity__name="Assess AI risks", role__holder=holder
    )
    response = save_audit(
        client, compliance_officer, clauses=[c.pk for c in clauses("6.1.2")], team=[tobias.pk]
    )
    errors = response.context["form"].errors
    assert "Tobias Keller is responsible (RACI" in errors["team"][0]
    assert "6.1.2 Assess AI risks" in errors["team"][0]


def test_the_raci_responsible_for_a_parent_clause_is_refused(client, compliance_officer, tobias):
    RACIAssignmentFactory(activity__clause="6.1", role__holder="CISO; Tobias Keller")
    response = save_audit(
        client, compliance_officer, clauses=[c.pk for c in clauses("6.1.3")], lead_auditor=tobias.pk
    )
    assert "is responsible (RACI" in response.context["form"].errors["lead_auditor"][0]


def test_accountable_or_responsible_elsewhere_is_no_conflict(client, compliance_officer, tobias):
    RACIAssignmentFactory(
        activity__clause="6.1.2", role__holder="Tobias Keller", responsibility="A"
    )
    RACIAssignmentFactory(activity__clause="8.4", role__holder="Tobias Keller")
    AISystemFactory(owner=tobias)  # not in scope
    response = save_audit(
        client, compliance_officer, clauses=[c.pk for c in clauses("6.1.2")], team=[tobias.pk]
    )
    assert response.status_code == 302
    assert conflicts(Audit.objects.get()) == []


def test_a_function_named_as_holder_matches_nobody(tobias):
    assert holds(tobias, "Tobias Keller")
    assert holds(tobias, "Data office / TKELLER")
    assert not holds(tobias, "Data science team")
    assert not holds(tobias, "Tobias")


def test_the_compliance_officer_records_an_override_that_covers_the_named_conflicts(
    client, compliance_officer, tobias
):
    system = AISystemFactory(owner=tobias)
    audit = AuditFactory()
    audit.ai_systems.set([system])
    client.force_login(compliance_officer)
    address = reverse("audits:audit_independence_override", args=[audit.pk])
    page = client.get(address)
    assert page.status_code == 200
    response = client.post(
        address,
        {"people": [tobias.pk], "justification": "Only Tobias knows the <b>model</b> well."},
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.independence_override_by == compliance_officer
    assert audit.independence_override_at is not None
    accepted = f"Tobias Keller owns {system.reference}, which is in scope"
    assert audit.independence_conflicts == accepted

    # The accepted conflict no longer refuses the lead auditor.
    response = save_audit(client, compliance_officer, audit, lead_auditor=tobias.pk)
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.lead_auditor == tobias

    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Override recorded by" in page
    assert f"Tobias Keller owns {system.reference}, which is in scope" in page
    assert "Only Tobias knows the &lt;b&gt;model&lt;/b&gt; well." in page

    # A conflict the override did not name is refused again.
    other = AISystemFactory(owner=tobias)
    response = save_audit(client, compliance_officer, audit, ai_systems=[system.pk, other.pk])
    assert response.status_code == 200
    assert f"owns {other.reference}" in response.context["form"].errors["lead_auditor"][0]


def test_an_override_needs_a_conflict_and_a_justification(client, compliance_officer, tobias):
    audit = AuditFactory()
    client.force_login(compliance_officer)
    address = reverse("audits:audit_independence_override", args=[audit.pk])
    response = client.post(address, {"people": [tobias.pk], "justification": "Needed."})
    assert response.status_code == 200
    assert "nothing to accept" in response.content.decode()
    response = client.post(address, {"people": [tobias.pk], "justification": ""})
    assert response.context["form"].errors["justification"]
    audit.refresh_from_db()
    assert audit.independence_override == ""


def test_only_compliance_officers_and_administrators_record_overrides(
    client, ai_officer, make_user
):
    audit = AuditFactory()
    lead = UserFactory(role=INTERNAL_AUDITOR)
    audit.lead_auditor = lead
    audit.save()
    address = reverse("audits:audit_independence_override", args=[audit.pk])
    for user in (ai_officer, lead, make_user("auditor")):
        client.force_login(user)
        assert client.get(address).status_code == 403
    client.force_login(make_user("administrator"))
    assert client.get(address).status_code == 200
