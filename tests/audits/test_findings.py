"""Findings in one step: a checklist item's nonconformity result raises the nonconformity, an
observation or opportunity for improvement records an improvement; item and record link both
ways."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from aims.core import roles
from audits.internal.team import sync_team_permissions
from audits.models import Audit, AuditResult, Improvement, Nonconformity
from audits.nonconformities import services
from controls.models import Control
from tests.factories import (
    AIIncidentFactory,
    AISystemFactory,
    AuditFactory,
    ChecklistItemFactory,
    UserFactory,
)


@pytest.fixture
def team_audit(internal_auditor):
    audit = AuditFactory(lead_auditor=internal_auditor)
    sync_team_permissions(audit)
    return audit


def raise_nc(client, item):
    return client.post(reverse("audits:checklistitem_raise_nonconformity", args=[item.pk]))


def raise_improvement(client, item):
    return client.post(reverse("audits:checklistitem_raise_improvement", args=[item.pk]))


def test_an_auditor_on_the_team_raises_a_nonconformity_from_a_minor_finding(
    client, internal_auditor, team_audit
):
    item = ChecklistItemFactory(
        audit=team_audit, result=AuditResult.MINOR, notes="Two of ten risks had no owner."
    )
    client.force_login(internal_auditor)
    response = raise_nc(client, item)
    nc = Nonconformity.objects.get()
    assert response.status_code == 302 and response["Location"] == nc.get_absolute_url()
    assert nc.source == Nonconformity.Source.INTERNAL_AUDIT
    assert nc.grade == Nonconformity.Grade.MINOR
    assert nc.clause == item.clause and nc.audit == team_audit
    assert nc.description == "Two of ten risks had no owner."
    assert "6.1.2" in nc.title
    item.refresh_from_db()
    assert item.nonconformity == nc and nc.checklist_item == item
    assert nc.history.first().history_user == internal_auditor


def test_a_major_finding_on_a_control_of_an_external_audit(client, compliance_officer):
    control = Control.objects.get(framework="iso42001", code="A.6.2.4")
    system = AISystemFactory()
    item = ChecklistItemFactory(
        audit=AuditFactory(audit_type=Audit.Type.STAGE_2),
        clause=None,
        control=control,
        ai_system=system,
        result=AuditResult.MAJOR,
        notes="",
    )
    client.force_login(compliance_officer)
    raise_nc(client, item)
    nc = Nonconformity.objects.get()
    assert nc.source == Nonconformity.Source.EXTERNAL_AUDIT
    assert nc.grade == Nonconformity.Grade.MAJOR
    assert nc.control == control and nc.clause is None
    assert list(nc.ai_systems.all()) == [system]
    assert nc.description == item.question  # no notes: what was checked


def test_a_second_raise_is_refused_with_a_message(client, compliance_officer):
    item = ChecklistItemFactory(result=AuditResult.MINOR)
    client.force_login(compliance_officer)
    raise_nc(client, item)
    response = raise_nc(client, item)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert "already been raised from this finding" in response.content.decode()
    assert Nonconformity.objects.count() == 1


def test_an_internal_auditor_of_another_team_gets_404(client, internal_auditor):
    other = UserFactory(role=roles.INTERNAL_AUDITOR)
    audit = AuditFactory(lead_auditor=other)
    sync_team_permissions(audit)
    item = ChecklistItemFactory(audit=audit, result=AuditResult.MINOR)
    client.force_login(internal_auditor)
    assert raise_nc(client, item).status_code == 404
    item.result = AuditResult.OBSERVATION
    item.save()
    assert raise_improvement(client, item).status_code == 404
    assert not Nonconformity.objects.exists() and not Improvement.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "system_owner", "ai_officer"])
def test_readers_may_not_raise(client, make_user, persona):
    item = ChecklistItemFactory(result=AuditResult.MINOR)
    client.force_login(make_user(persona))
    assert raise_nc(client, item).status_code == 404
    assert not Nonconformity.objects.exists()


def test_a_conforming_result_raises_nothing(client, compliance_officer):
    item = ChecklistItemFactory(result=AuditResult.CONFORMING)
    client.force_login(compliance_officer)
    raise_nc(client, item)
    raise_improvement(client, item)
    assert not Nonconformity.objects.exists() and not Improvement.objects.exists()


def test_an_observation_is_recorded_as_an_improvement_once(client, internal_auditor, team_audit):
    item = ChecklistItemFactory(
        audit=team_audit, result=AuditResult.OBSERVATION, notes="Model cards differ in form."
    )
    client.force_login(internal_auditor)
    response = raise_improvement(client, item)
    improvement = Improvement.objects.get()
    assert response["Location"] == improvement.get_absolute_url()
    assert improvement.source == Improvement.Source.AUDIT
    assert improvement.description == "Model cards differ in form."
    item.refresh_from_db()
    assert item.improvement == improvement
    response = client.get(raise_improvement(client, item)["Location"])
    assert "already been recorded from this finding" in response.content.decode()
    assert Improvement.objects.count() == 1


def test_a_nonconformity_result_is_not_recorded_as_an_improvement(client, compliance_officer):
    item = ChecklistItemFactory(result=AuditResult.MAJOR)
    client.force_login(compliance_officer)
    raise_improvement(client, item)
    assert not Improvement.objects.exists()


# The buttons on the checklist item ----------------------------------------------------------


def finding_actions(item, can_change=True):
    return render_to_string("audits/finding_actions.html", {"item": item, "can_change": can_change})


@pytest.mark.django_db
def test_the_item_offers_the_one_step_that_fits_its_result():
    minor = ChecklistItemFactory(result=AuditResult.MINOR)
    html = finding_actions(minor)
    assert reverse("audits:checklistitem_raise_nonconformity", args=[minor.pk]) in html
    assert "raise_improvement" not in html and "raise-improvement" not in html
    observation = ChecklistItemFactory(result=AuditResult.IMPROVEMENT)
    html = finding_actions(observation)
    assert reverse("audits:checklistitem_raise_improvement", args=[observation.pk]) in html
    assert "raise-nonconformity" not in html
    assert "raise-nonconformity" not in finding_actions(minor, can_change=False)


def test_the_item_links_to_its_nonconformity_and_warns_when_the_result_changed(
    client, compliance_officer
):
    item = ChecklistItemFactory(result=AuditResult.MINOR)
    client.force_login(compliance_officer)
    raise_nc(client, item)
    item.refresh_from_db()
    html = finding_actions(item)
    assert item.nonconformity.get_absolute_url() in html
    assert "raise-nonconformity" not in html
    assert "no longer a nonconformity" not in html
    item.result = AuditResult.CONFORMING
    item.save()
    item.refresh_from_db()
    assert "no longer a nonconformity" in finding_actions(item)


def test_the_nonconformity_links_back_to_the_finding(client, compliance_officer):
    item = ChecklistItemFactory(result=AuditResult.MINOR)
    client.force_login(compliance_officer)
    raise_nc(client, item)
    nc = Nonconformity.objects.get()
    assert item.get_absolute_url() in client.get(nc.get_absolute_url()).content.decode()


# The service the incidents use too ----------------------------------------------------------


def raise_directly(user, **kwargs):
    return services.nonconformity_raise(
        user=user,
        title="Claims rejected without review",
        description="The model rejected valid claims for a day.",
        source=Nonconformity.Source.INCIDENT,
        grade=Nonconformity.Grade.MAJOR,
        **kwargs,
    )


def test_who_may_change_the_incident_raises_its_nonconformity(make_user):
    owner = make_user("system_owner")
    incident = AIIncidentFactory(ai_system=AISystemFactory(owner=owner))
    officer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    nc = raise_directly(owner, incident=incident, ai_systems=[incident.ai_system], owner=officer)
    assert nc.incident == incident and list(nc.ai_systems.all()) == [incident.ai_system]
    assert officer.notifications.filter(message__contains=nc.reference).exists()


def test_a_reader_may_not_raise_through_the_service(make_user):
    auditor = make_user("auditor")
    with pytest.raises(PermissionDenied):
        raise_directly(auditor, incident=AIIncidentFactory())
    with pytest.raises(PermissionDenied):
        raise_directly(auditor, checklist_item=ChecklistItemFactory(result=AuditResult.MINOR))
    assert not Nonconformity.objects.exists()


def test_bad_data_is_refused_by_the_service(compliance_officer):
    with pytest.raises(ValidationError) as raised:
        services.nonconformity_raise(
            user=compliance_officer, title="", description="", source="x", grade="y"
        )
    assert {"title", "description", "source", "grade"} <= set(raised.value.error_dict)
