"""Demo data and the dashboard built from it."""

from calendar import monthrange
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from aims.context.models import AIPolicy, ContextIssue
from aims.core.models import Notification, OutgoingMail, TrackedModel, User
from aims.core.registry import registry
from aims.impact.models import DecisionCondition, Impact, ImpactAssessment
from aims.inventory.models import AISystem
from audits.models import (
    AIIncident,
    Audit,
    AuditProgramme,
    AuditResult,
    EffectivenessCheck,
    Improvement,
    Nonconformity,
)

FRIA_POINTS = (
    "fria_processes",
    "fria_period",
    "fria_affected_persons",
    "fria_risks",
    "fria_oversight",
    "fria_measures",
)


def records(model):
    """How many objects a model holds and, for a tracked model, its history rows and versions
    (the audits app also holds history tables and untracked data such as the clauses)."""
    count = model._default_manager.count()
    if not issubclass(model, TrackedModel):
        return (count,)
    versions = sorted(model.objects.values_list("version", flat=True))
    return (count, model.history.count(), versions)


def snapshot():
    # Every register, and every model of the audits app (checklists, reports and periods are
    # written by its workflows, registered or not).
    models = {register.model for register in registry}
    models |= set(apps.get_app_config("audits").get_models())
    return {model._meta.model_name: records(model) for model in models} | {
        "users": User.objects.count(),
        "notifications": Notification.objects.count(),
        "mails": OutgoingMail.objects.count(),
    }


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo")
    first = snapshot()
    assert first["users"] == 6
    assert first["audit"][0] >= 1
    assert first["nonconformity"][0] >= 2
    assert first["aiincident"][0] >= 2
    assert first["contextissue"][0] >= 5
    call_command("seed_demo")
    assert snapshot() == first


def test_seed_demo_if_empty_leaves_an_existing_database_alone(db, compliance_officer):
    call_command("seed_demo", "--if-empty")
    assert not ContextIssue.objects.exists()


def test_demo_policy_is_approved_by_the_ai_officer_not_its_author(db):
    call_command("seed_demo")
    policy = AIPolicy.objects.get()
    assert policy.status == "approved"
    assert policy.approved_by.username == "aiofficer"
    assert policy.history.last().history_user.username == "compliance"


def test_dashboard_counts_registers_and_lists_what_needs_attention(client, db):
    call_command("seed_demo")
    client.force_login(User.objects.get(username="compliance"))
    response = client.get(reverse("core:dashboard"))
    page = response.content.decode()
    counts = {
        register.model_name: count
        for _area, registers in response.context["areas"]
        for register, count in registers
    }
    assert counts["contextissue"] == ContextIssue.objects.count()
    assert counts["aisystem"] == 5
    assert "1 AI system is overdue for review." in page
    assert "1 AI system has no EU AI Act classification." in page


# Demo data a buyer and an auditor believe ---------------------------------------------------

# Which statuses fit which life-cycle stage.
STATUSES_OF_STAGE = {
    "idea": {"planned"},
    "design": {"planned"},
    "verification": {"planned"},
    "deployment": {"planned", "in_use"},
    "operation": {"in_use", "suspended"},
    "retired": {"decommissioned"},
}


def months_later(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


@pytest.fixture
def demo(db):
    call_command("seed_demo")
    return {user.username: user for user in User.objects.all()}


def test_the_demo_systems_life_cycle_stage_and_status_agree(demo):
    systems = AISystem.objects.all()
    assert systems.count() == 5
    for system in systems:
        assert system.status in STATUSES_OF_STAGE[system.lifecycle_stage], system.reference


def test_the_demo_systems_next_reviews_follow_their_review_cadence(demo):
    today = timezone.localdate()
    overdue = []
    for system in AISystem.objects.all():
        # The last review (one cadence before the next) has happened; the next is due
        # within one cadence from today.
        assert months_later(today, -system.review_cadence_months) < system.next_review
        assert system.next_review <= months_later(today, system.review_cadence_months)
        if system.next_review < today:
            overdue.append(system.reference)
    assert overdue == ["AIS-004"]


def test_the_demo_policy_is_reviewed_a_year_after_its_approval(demo):
    policy = AIPolicy.objects.get()
    assert policy.approved_on == timezone.localdate()
    assert policy.next_review == policy.approved_on + timedelta(days=365)


def test_the_demo_insurance_pricing_system_is_high_risk_with_art_27(demo):
    pricing = AISystem.objects.get(reference="AIS-005")
    classification = pricing.current_classification
    assert (classification.tier, classification.annex_iii_area) == (
        "high_risk",
        "essential_services",
    )
    assert pricing.fria_required is True
    assert AISystem.objects.get(reference="AIS-003").fria_required is False


def test_the_demo_fria_is_complete_and_approved_by_the_ai_officer(demo):
    assessment = ImpactAssessment.objects.get(system__reference="AIS-005")
    decision = assessment.decisions.get()

    assert assessment.status == ImpactAssessment.Status.APPROVED
    assert assessment.hidden_detail_fields == ()
    assert assessment.submission_errors() == {}
    assert decision.decided_by == demo["aiofficer"]
    for name in FRIA_POINTS:
        assert decision.snapshot[name].strip(), name
    # It starts from the system's record, as a new assessment in the portal does.
    assert assessment.intended_use == assessment.system.purpose
    assert assessment.fria_oversight == assessment.system.human_oversight


@pytest.mark.parametrize("reference", ["AIS-001", "AIS-005"])
def test_nobody_decided_on_their_own_demo_assessment(demo, reference):
    assessment = ImpactAssessment.objects.get(system__reference=reference)
    decider = assessment.decisions.get().decided_by

    assert decider == demo["aiofficer"]
    assert decider not in (assessment.owner, assessment.system.owner)
    assert assessment.history.earliest("history_date").history_user == demo["compliance"]
    impact_authors = {
        record.history_user for record in Impact.history.filter(assessment_id=assessment.pk)
    }
    assert impact_authors == {demo["compliance"]}


def test_the_demo_assessments_dates_agree(demo):
    for assessment in ImpactAssessment.objects.filter(status__in=ImpactAssessment.DECIDED):
        decided_on = timezone.localdate(assessment.decisions.get().decided_at)
        assert assessment.review_interval_months == assessment.system.review_cadence_months
        assert assessment.next_review == months_later(decided_on, assessment.review_interval_months)
        for condition in DecisionCondition.objects.filter(decision__assessment=assessment):
            assert condition.due_date > decided_on


def test_the_demo_cv_screening_draft_has_no_fria_part(demo):
    draft = ImpactAssessment.objects.get(system__reference="AIS-003")
    assert draft.status == ImpactAssessment.Status.DRAFT
    assert draft.fria_required is False
    assert all(getattr(draft, name) == "" for name in FRIA_POINTS)


def test_dashboard_for_a_user_without_role_explains_it(client, make_user):
    client.force_login(make_user("no_role"))
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Your account has no role yet" in page


def test_the_demo_administrator_manages_user_accounts(client, db):
    call_command("seed_demo")
    client.force_login(User.objects.get(username="admin"))
    assert client.get(reverse("admin:core_user_changelist")).status_code == 200
    client.force_login(User.objects.get(username="auditor"))
    assert client.get(reverse("admin:core_user_changelist")).status_code == 302


# The demo audit, its findings and the incidents: every workflow of the area shown completed.


def test_the_demo_programme_is_approved_and_its_audit_closed_by_the_internal_auditor(demo):
    programme = AuditProgramme.objects.get(period="2026")
    assert programme.status == AuditProgramme.Status.APPROVED
    assert programme.approved_by == demo["aiofficer"]
    assert programme.history.last().history_user == demo["compliance"]
    audit = Audit.objects.get(reference="AUD-2026-01", programme=programme)
    assert audit.status == Audit.Status.CLOSED
    assert audit.lead_auditor == demo["internalauditor"]
    assert audit.checklist.exists() and not audit.checklist.filter(result="").exists()
    results = {item.subject_code: item.result for item in audit.checklist.all()}
    assert (results["6.1.2"], results["8.4"], results["A.7.4"]) == (
        AuditResult.MINOR,
        AuditResult.MAJOR,
        AuditResult.OBSERVATION,
    )


def test_the_demo_minor_finding_was_closed_by_someone_who_owns_none_of_its_actions(demo):
    minor = Nonconformity.objects.get(checklist_item__clause__code="6.1.2")
    assert (minor.grade, minor.status) == (Nonconformity.Grade.MINOR, Nonconformity.Status.CLOSED)
    assert not minor.actions.exclude(status="done").exists()
    owners = set(minor.actions.values_list("owner", flat=True))
    check = minor.effectiveness_checks.exclude(result="").latest("checked_on")
    assert check.result == EffectivenessCheck.Result.EFFECTIVE
    assert check.checked_by_id not in owners and minor.closed_by_id not in owners


def test_the_demo_major_finding_is_open_with_an_overdue_action(demo):
    major = Nonconformity.objects.get(checklist_item__result=AuditResult.MAJOR)
    assert major.grade == Nonconformity.Grade.MAJOR
    assert major.status != Nonconformity.Status.CLOSED
    assert major.actions.overdue().exists()


def test_the_demo_observation_became_an_improvement(demo):
    improvement = Improvement.objects.get(checklist_item__result=AuditResult.OBSERVATION)
    assert improvement.source == Improvement.Source.AUDIT


def test_the_demo_serious_incident_is_a_deployers_with_the_provider_informed_and_reported(demo):
    assert AIIncident.objects.count() == 2
    serious = AIIncident.objects.get(serious=True)
    assert serious.our_role == AIIncident.Role.DEPLOYER and serious.fundamental_rights
    assert serious.provider_informed_at is not None
    assert serious.reports.filter(kind="initial", sent_at__lte=serious.report_due_at).exists()


@pytest.mark.parametrize("username", ["internalauditor", "auditor", "owner"])
def test_the_demo_audit_area_opens_for_every_reading_role(client, demo, username):
    client.force_login(demo[username])
    assert client.get(reverse("core:dashboard")).status_code == 200
    audit = Audit.objects.get(reference="AUD-2026-01")
    for address in (
        audit.get_absolute_url(),
        reverse("audits:nonconformity_list"),
        reverse("audits:aiincident_list"),
        AIIncident.objects.get(serious=True).get_absolute_url(),
    ):
        assert client.get(address).status_code == 200, address
