"""The demo's Statement of Applicability as an auditor reads it: version 1 issued and approved
four-eyes, every applicable control justified, evidence dated before the approval."""

import pytest
from django.core.management import call_command

from controls.models import Evidence, ImplementationStatus, SoAEntry, SoAVersion


@pytest.fixture
def demo(db):
    call_command("seed_demo")


def test_the_demo_soa_version_is_issued_by_the_compliance_officer_and_approved_by_the_ai_officer(
    demo,
):
    version = SoAVersion.objects.get(framework="iso42001")
    assert (version.number, version.status) == (1, SoAVersion.Status.APPROVED)
    assert (version.issued_by.username, version.decided_by.username) == ("compliance", "aiofficer")
    assert version.intact
    editors = set(SoAEntry.history.values_list("history_user__username", flat=True))
    assert "aiofficer" not in editors


def test_every_applicable_control_of_the_demo_soa_is_justified(demo):
    version = SoAVersion.objects.get(framework="iso42001")
    applicable = [row for row in version.entries if row["applicable"]]
    assert len(applicable) == 38
    assert [row["control"] for row in applicable if not row["inclusion_justification"]] == []
    assert not SoAEntry.objects.unjustified().exists()
    # Every row the approver saw names what drives it.
    assert [row["control"] for row in applicable if not (
        row["risks"] or row["requirements"] or row["legal_requirements"]
    )] == []  # fmt: skip


def test_implemented_demo_controls_show_their_evidence(demo):
    version = SoAVersion.objects.get(framework="iso42001")
    implemented = [
        row
        for row in version.entries
        if row["status"] == ImplementationStatus.IMPLEMENTED and not row["scope"]
    ]
    assert [row["control"] for row in implemented] == [
        "A.2.2",
        "A.3.2",
        "A.6.2.4",
        "A.7.4",
        "A.10.3",
    ]
    assert [row["control"] for row in implemented if not row["evidence"]] == []


def test_demo_evidence_is_dated_before_the_approval_it_supports(demo):
    version = SoAVersion.objects.get(framework="iso42001")
    approved_on = version.decided_at.date()
    # Evidence added since (an incident's report) supports no approval made before it.
    named = {text for entry in version.content["entries"] for text in entry["evidence"]}
    supporting = [e for e in Evidence.objects.all() if str(e) in named]
    assert supporting
    for evidence in supporting:
        assert evidence.evidence_date < approved_on, evidence
        assert evidence.created_at < version.decided_at, evidence


def test_demo_review_dates_follow_the_yearly_cadence(demo):
    for entry in SoAEntry.objects.organization_wide().filter(control__code__startswith="A."):
        assert (entry.next_review - entry.last_review).days == 365, entry


def test_seeding_the_demo_again_adds_no_soa_version(demo):
    call_command("seed_demo")
    assert list(SoAVersion.objects.values_list("number", "status")) == [(1, "approved")]
