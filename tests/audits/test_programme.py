"""The audit programme: approval by the AI officer with four-eyes, the lock of an approved
programme, its return to draft when the plan of an audit changes, and its coverage."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aims.core import approvals
from aims.core.roles import AI_OFFICER
from audits.internal.approvals import PROGRAMME
from audits.internal.coverage import programme_coverage
from audits.models import Audit, AuditProgramme
from tests.audits.internal_helpers import audit_payload, clauses, controls
from tests.factories import AuditFactory, AuditProgrammeFactory, UserFactory


def written_by(user, **kwargs):
    programme = AuditProgrammeFactory.build(**kwargs)
    programme._history_user = user
    programme.save()
    return programme


def planned_audit(programme, user=None, **kwargs):
    audit = AuditFactory.build(programme=programme, **kwargs)
    audit._history_user = user
    audit.save()
    return audit


@pytest.fixture
def second_ai_officer(db):
    return UserFactory(username="ai_officer_2", role=AI_OFFICER)


def test_the_author_of_a_programme_cannot_approve_it(ai_officer):
    programme = written_by(ai_officer)
    planned_audit(programme)
    with pytest.raises(ValidationError, match="four-eyes"):
        approvals.decide(PROGRAMME, programme, user=ai_officer, data={"outcome": "approve"})
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.DRAFT


def test_another_ai_officer_approves_the_programme(ai_officer, second_ai_officer):
    programme = written_by(ai_officer)
    planned_audit(programme)
    approvals.decide(PROGRAMME, programme, user=second_ai_officer, data={"outcome": "approve"})
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.APPROVED
    assert programme.approved_by == second_ai_officer


def test_whoever_planned_one_of_its_audits_cannot_approve_the_programme(
    compliance_officer, ai_officer
):
    programme = written_by(compliance_officer)
    planned_audit(programme, user=ai_officer)
    with pytest.raises(ValidationError, match="four-eyes"):
        approvals.decide(PROGRAMME, programme, user=ai_officer, data={"outcome": "approve"})


def test_only_the_ai_officer_approves_the_programme(compliance_officer, make_user):
    administrator = make_user("administrator")
    programme = written_by(compliance_officer)
    planned_audit(programme)
    with pytest.raises(ValidationError, match="Only the AI officer"):
        approvals.decide(PROGRAMME, programme, user=administrator, data={"outcome": "approve"})


def test_a_programme_without_audits_is_not_approved(compliance_officer, ai_officer):
    programme = written_by(compliance_officer)
    with pytest.raises(ValidationError, match="at least one audit"):
        approvals.decide(PROGRAMME, programme, user=ai_officer, data={"outcome": "approve"})


def test_the_ai_officer_approves_on_the_decide_page_and_the_author_sees_why_not(
    client, compliance_officer, ai_officer
):
    programme = written_by(compliance_officer)
    planned_audit(programme)
    client.force_login(compliance_officer)
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "Only the AI officer approves the audit programme." in page
    client.force_login(ai_officer)
    decide = reverse("core:decide", args=["audit-programme", programme.pk])
    page = client.get(decide)
    assert page.status_code == 200
    assert programme.audits.get().reference in page.content.decode()  # decided with the plan
    response = client.post(decide, {"seen": page.context["seen"], "outcome": "approve"})
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.APPROVED


def test_an_approved_programme_is_locked(client, compliance_officer, ai_officer):
    programme = written_by(compliance_officer)
    planned_audit(programme)
    approvals.decide(PROGRAMME, programme, user=ai_officer, data={"outcome": "approve"})
    client.force_login(compliance_officer)
    response = client.get(reverse("audits:auditprogramme_edit", args=[programme.pk]))
    assert response.status_code == 302
    assert response["Location"] == programme.get_absolute_url()


@pytest.fixture
def approved(compliance_officer, ai_officer):
    programme = written_by(compliance_officer)
    audit = planned_audit(programme, user=compliance_officer)
    approvals.decide(PROGRAMME, programme, user=ai_officer, data={"outcome": "approve"})
    return programme, audit


def test_adding_an_audit_returns_the_approved_programme_to_draft(
    client, compliance_officer, approved
):
    programme, _audit = approved
    client.force_login(compliance_officer)
    response = client.post(
        reverse("audits:audit_add"), audit_payload(programme=programme.pk, title="Second audit")
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.DRAFT
    assert programme.approved_by is None
    added = Audit.objects.get(title="Second audit")
    page = client.get(programme.get_absolute_url()).content.decode()
    assert f"The plan of audit {added.reference} changed" in page
    assert PROGRAMME.is_awaiting(programme)


def test_changing_the_scope_of_an_audit_returns_the_programme_to_draft(
    client, compliance_officer, approved
):
    programme, audit = approved
    client.force_login(compliance_officer)
    payload = audit_payload(audit, clauses=[c.pk for c in clauses("9.2.1")])
    assert client.post(reverse("audits:audit_edit", args=[audit.pk]), payload).status_code == 302
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.DRAFT
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "returned to draft" in page


def test_a_change_outside_the_plan_keeps_the_approval(client, compliance_officer, approved):
    programme, audit = approved
    client.force_login(compliance_officer)
    payload = audit_payload(audit, conclusion="Effective.", auditees="Claims team")
    assert client.post(reverse("audits:audit_edit", args=[audit.pk]), payload).status_code == 302
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.APPROVED


def test_the_ai_officer_approves_again_after_the_programme_returned_to_draft(
    client, compliance_officer, approved, ai_officer
):
    programme, audit = approved
    client.force_login(compliance_officer)
    payload = audit_payload(audit, planned_end="2027-03-09")
    client.post(reverse("audits:audit_edit", args=[audit.pk]), payload)
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.DRAFT
    # The return to draft is a workflow save: it makes no one an author.
    approvals.decide(PROGRAMME, programme, user=ai_officer, data={"outcome": "approve"})
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.APPROVED


# Coverage ---------------------------------------------------------------------------------


def test_coverage_lists_what_the_audits_cover_and_what_no_audit_covers(db):
    programme = AuditProgrammeFactory()
    first = AuditFactory(programme=programme)
    first.clauses.set(clauses("6.1.2", "6.1.3"))
    first.controls.set(controls("A.5.2"))
    second = AuditFactory(programme=programme)
    second.clauses.set(clauses("6.1.2", "8.4"))
    AuditFactory().clauses.set(clauses("4.1"))  # another programme's audit

    coverage = programme_coverage(programme)

    assert [c.code for c in coverage.covered_clauses] == ["6.1.2", "6.1.3", "8.4"]
    assert len(coverage.uncovered_clauses) == 29
    assert "4.1" in [c.code for c in coverage.uncovered_clauses]
    assert (coverage.clause_count, coverage.control_count) == (32, 38)
    assert [c.code for c in coverage.covered_controls] == ["A.5.2"]
    assert len(coverage.uncovered_controls) == 37
    assert not coverage.complete


def test_the_programme_page_shows_the_coverage_counts_and_the_gaps(client, auditor):
    programme = AuditProgrammeFactory()
    AuditFactory(programme=programme).clauses.set(clauses("6.1.2", "8.4"))
    client.force_login(auditor)
    page = client.get(programme.get_absolute_url()).content.decode()
    assert "2 of 32 clauses, 0 of 38 Annex A controls" in page
    assert "Clauses not covered by any audit" in page
    assert "A.10.4" in page


@pytest.mark.parametrize(
    ("period", "stored"),
    [("2027", "2027"), ("2026-2028", "2026–2028"), ("2026 – 2028", "2026–2028")],
)
def test_the_period_is_a_year_or_a_range_of_years(client, compliance_officer, period, stored):
    client.force_login(compliance_officer)
    payload = {
        "title": "Programme",
        "period": period,
        "objectives": "Cover everything.",
        "criteria": "ISO/IEC 42001",
        "methods": "Interviews",
        "loaded_version": "",
    }
    assert client.post(reverse("audits:auditprogramme_add"), payload).status_code == 302
    assert AuditProgramme.objects.get().period == stored


@pytest.mark.parametrize("period", ["next year", "2028–2026", "27", "2026–2027–2028"])
def test_a_period_that_is_not_years_is_refused_at_the_field(client, compliance_officer, period):
    client.force_login(compliance_officer)
    response = client.post(
        reverse("audits:auditprogramme_add"),
        {"title": "P", "period": period, "objectives": "O", "criteria": "C", "methods": "M"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period"]


def test_deleting_an_audit_returns_the_approved_programme_to_draft(
    client, compliance_officer, approved
):
    programme, audit = approved
    client.force_login(compliance_officer)
    assert client.post(reverse("audits:audit_delete", args=[audit.pk])).status_code == 302
    programme.refresh_from_db()
    assert programme.status == AuditProgramme.Status.DRAFT
