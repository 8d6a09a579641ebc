"""Demo impact assessments of Rheinwerk Versicherung AG: the claims triage model's, approved
with a condition, and a draft for the CV screening tool with its fundamental rights part."""

from datetime import timedelta

from django.utils import timezone

from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER
from aims.core.seeding import ensure
from aims.impact.models import (
    AssessmentDecision,
    Impact,
    ImpactArea,
    ImpactAssessment,
    Rating,
)
from aims.impact.services import impact_assessment_decide, impact_assessment_submit
from aims.inventory.models import AISystem, AutomationLevel

CLAIMS = {
    "intended_use": "Sort incoming property claims into fast-track, standard and expert review.",
    "foreseeable_misuse": "Rejecting claims on the score alone, without a handler's review.",
    "technical_context": "Gradient-boosted model on the claims platform, retrained quarterly.",
    "societal_context": "Policyholders after a loss; delays hit households in hardship hardest.",
    "jurisdictions": "Germany, Austria",
    "affected_groups": "Policyholders filing property claims.",
    "vulnerable_groups": "Elderly policyholders; people after a disaster.",
    "data_used": "Claim details, policy data, claim history.",
    "data_sensitivity": "personal",
    "automation_level": AutomationLevel.ASSISTIVE,
    "human_oversight": "A handler decides every claim and can move it to another queue.",
    "predictable_failures": "Unusual losses are routed to the standard queue too often.",
    "positive_impacts": "Simple claims are paid within two days.",
    "negative_impacts": "Complex claims of older customers may wait longer.",
    "overall_rating": Rating.MEDIUM,
    "recommendation": "Approve; monitor queue times by age group.",
}
CV_SCREENING = {
    "intended_use": "Rank applications for trainee positions by fit with the job profile.",
    "affected_groups": "Applicants for trainee positions.",
    "vulnerable_groups": "Young applicants; applicants with disabilities.",
    "data_sensitivity": "special",
    "automation_level": AutomationLevel.HUMAN_IN_LOOP,
    "fria_processes": "Pre-selection of trainee applications in HR.",
    "fria_period": "Each application round, twice a year.",
}


def seed(users):
    compliance, officer = users[COMPLIANCE_OFFICER], users[AI_OFFICER]
    today = timezone.localdate()
    claims = ensure(
        ImpactAssessment,
        {"system": AISystem.objects.get(reference="AIS-001"), "number": 1},
        {**CLAIMS, "owner": compliance},
        author=compliance,
    )
    if not claims.impacts.exists():
        ensure(
            Impact,
            {"assessment": claims, "area": ImpactArea.FAIRNESS},
            {
                "affected_group": "Older policyholders",
                "description": "Complex claims of older customers may be queued for longer.",
                "likelihood": Rating.MEDIUM,
                "severity": Rating.HIGH,
                "mitigation": "Monthly comparison of queue times by age group.",
            },
            author=compliance,
        )
    if claims.status == ImpactAssessment.Status.DRAFT and not claims.decisions.exists():
        impact_assessment_submit(assessment=claims, user=compliance)
        impact_assessment_decide(
            assessment=claims,
            user=officer,
            outcome=AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS,
            comment="Approved; the monitoring must be in place before the next release.",
            conditions=[
                (
                    "Report queue times by age group monthly to the AI officer",
                    compliance,
                    today + timedelta(days=60),
                )
            ],
        )
    ensure(
        ImpactAssessment,
        {"system": AISystem.objects.get(reference="AIS-003"), "number": 1},
        {**CV_SCREENING, "owner": compliance},
        author=compliance,
    )
