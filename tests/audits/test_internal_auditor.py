"""The Internal Auditor writes the audits whose team they are on and their checklists, and reads
everything else; the external Auditor changes nothing. Also: My work and the demo audit."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aims.core import roles
from aims.core.work import work_items
from audits.internal import demo, services
from audits.models import Audit, AuditProgramme, AuditResult
from tests.audits.internal_helpers import audit_payload, clauses
from tests.factories import AuditFactory, ChecklistItemFactory, UserFactory


@pytest.fixture
def colleague(db):
    return UserFactory(username="colleague", role=roles.INTERNAL_AUDITOR)


def team_audit(*, lead=None, team=()):
    audit = AuditFactory(lead_auditor=lead)
    audit.team.set(team)
    audit.clauses.set(clauses("6.1.2", "8.4"))
    return audit


def test_an_internal_auditor_adds_an_audit_they_lead_and_may_then_edit_it(client, internal_auditor):
    client.force_login(internal_auditor)
    response = client.post(
        reverse("audits:audit_add"), audit_payload(lead_auditor=internal_auditor.pk)
    )
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert audit.reference == "AUD-2027-01"
    assert client.get(reverse("audits:audit_edit", args=[audit.pk])).status_code == 200
    response = client.post(
        reverse("audits:audit_edit", args=[audit.pk]),
        audit_payload(audit, conclusion="Largely effective."),
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.conclusion == "Largely effective."


def test_an_internal_auditor_cannot_add_an_audit_they_are_not_on(
    client, internal_auditor, colleague
):
    client.force_login(internal_auditor)
    response = client.post(reverse("audits:audit_add"), audit_payload(lead_auditor=colleague.pk))
    assert response.status_code == 200
    assert "Name yourself as lead auditor or team member" in str(
        response.context["form"].errors["team"]
    )
    assert not Audit.objects.exists()


def test_an_internal_auditor_gets_403_on_another_teams_audit(client, internal_auditor, colleague):
    audit = team_audit(lead=colleague)
    client.force_login(internal_auditor)
    assert client.get(audit.get_absolute_url()).status_code == 200  # reads it
    assert client.get(reverse("audits:audit_edit", args=[audit.pk])).status_code == 403
    assert client.post(reverse("audits:audit_start", args=[audit.pk])).status_code == 403
    audit.refresh_from_db()
    assert audit.status == Audit.Status.PLANNED
    assert not audit.checklist.exists()


def test_a_team_member_starts_the_audit_and_writes_its_checklist(
    client, internal_auditor, colleague
):
    audit = team_audit(lead=colleague, team=[internal_auditor])
    client.force_login(internal_auditor)
    assert client.post(reverse("audits:audit_start", args=[audit.pk])).status_code == 302
    item = audit.checklist.get(clause__code="6.1.2")
    edit = reverse("audits:checklistitem_edit", args=[item.pk])
    response = client.post(
        edit,
        {
            "question": item.question,
            "clause": item.clause_id,
            "result": AuditResult.MINOR,
            "notes": "Two of ten sampled risks had no owner.",
            "loaded_version": item.version,
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.result == AuditResult.MINOR
    assert item.history.first().history_user == internal_auditor

    other = ChecklistItemFactory(audit=team_audit(lead=colleague))
    assert client.get(reverse("audits:checklistitem_edit", args=[other.pk])).status_code == 403
    page = client.get(reverse("audits:checklistitem_add"))
    assert list(page.context["form"].fields["audit"].queryset) == [audit]


def test_leaving_the_team_takes_the_permissions_away(client, internal_auditor, colleague):
    audit = team_audit(lead=colleague, team=[internal_auditor])
    assert Audit.objects.restrict(internal_auditor, "change").filter(pk=audit.pk).exists()
    audit.team.remove(internal_auditor)
    assert not Audit.objects.restrict(internal_auditor, "change").exists()
    audit.team.add(internal_auditor)
    audit.lead_auditor = internal_auditor
    audit.save()
    audit.team.clear()
    assert Audit.objects.restrict(internal_auditor, "change").get() == audit
    audit.lead_auditor = colleague
    audit.save()
    assert not Audit.objects.restrict(internal_auditor, "change").exists()


def test_the_auditor_reads_audits_and_changes_nothing(client, auditor, compliance_officer):
    audit = team_audit(lead=compliance_officer)
    services.audit_start(audit=audit, user=compliance_officer)
    item = audit.checklist.first()
    client.force_login(auditor)
    assert client.get(audit.get_absolute_url()).status_code == 200
    assert client.get(item.get_absolute_url()).status_code == 200
    assert client.get(reverse("audits:audit_add")).status_code == 403
    assert client.get(reverse("audits:audit_edit", args=[audit.pk])).status_code == 403
    assert client.get(reverse("audits:checklistitem_edit", args=[item.pk])).status_code == 403
    assert client.get(reverse("audits:checklistitem_add")).status_code == 403
    assert client.post(reverse("audits:audit_report_issue", args=[audit.pk])).status_code == 403
    address = reverse("audits:audit_independence_override", args=[audit.pk])
    assert client.get(address).status_code == 403


def test_my_work_lists_audits_i_lead_that_start_soon_or_are_in_progress(
    client, internal_auditor, colleague
):
    today = timezone.localdate()
    soon = AuditFactory(
        lead_auditor=internal_auditor,
        planned_start=today + timedelta(days=10),
        planned_end=today + timedelta(days=12),
    )
    AuditFactory(
        lead_auditor=internal_auditor,
        planned_start=today + timedelta(days=40),
        planned_end=today + timedelta(days=42),
    )
    AuditFactory(lead_auditor=colleague, planned_start=today, planned_end=today)
    texts = [item.text for item in work_items(internal_auditor)]
    assert texts == [f"Start the audit {soon}"]
    client.force_login(internal_auditor)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "1 audit you lead starts within 14 days." in page


# Demo ------------------------------------------------------------------------------------


@pytest.fixture
def demo_users(db):
    return {
        role: UserFactory(username=role.lower().replace(" ", ""), role=role) for role in roles.ROLES
    }


def test_the_demo_audit_is_reported_with_its_findings_and_seeding_again_changes_nothing(
    demo_users,
):
    audit = demo.seed(demo_users)
    assert audit.reference == "AUD-2026-01"
    assert audit.status == Audit.Status.REPORTED
    assert audit.programme.status == AuditProgramme.Status.APPROVED
    assert audit.programme.approved_by == demo_users[roles.AI_OFFICER]
    results = dict(audit.checklist.values_list("clause__code", "result").exclude(clause=None))
    assert results["6.1.2"] == AuditResult.MINOR
    assert results["8.4"] == AuditResult.MAJOR
    assert audit.checklist.get(control__code="A.7.4").result == AuditResult.OBSERVATION
    assert not audit.checklist.filter(result="").exists()
    assert audit.checklist.count() == 17 + 18  # leaf clauses 6–8, controls A.5–A.7
    counts = (Audit.history.count(), audit.checklist.model.history.count())

    again = demo.seed(demo_users)
    assert again == audit
    assert (Audit.history.count(), audit.checklist.model.history.count()) == counts

    closed = demo.finish(demo_users, audit)
    assert closed.status == Audit.Status.CLOSED
    demo.finish(demo_users, closed)
