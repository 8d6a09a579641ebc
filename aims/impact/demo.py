"""Demo impact assessments of Rheinwerk Versicherung AG: the claims triage model's, approved
with a condition; the health insurance pricing model's, approved with its fundamental rights
impact assessment (EU AI Act Art. 27 applies to it: Annex III 5(c)); and a draft for the CV
screening tool (high-risk, but a private employer's: no FRIA).

Each assessment starts from what its AI system's record holds, as a new one does in the portal.
The compliance officer writes them; the AI officer, who neither wrote nor owns any of them,
decides through the services. Running the seed again changes nothing."""

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
from aims.inventory.models import AISystem

CLAIMS = {
    "technical_context": "Gradient-boosted model on the claims platform, retrained quarterly.",
    "societal_context": "Policyholders after a loss; delays hit households in hardship hardest.",
    "jurisdictions": "Germany, Austria",
    "data_used": "DS-001 Property claims 2019–2025: claim details, policy data, claim history.",
    "predictable_failures": "Unusual losses are routed to the standard queue too often.",
    "positive_impacts": "Simple claims are paid within two days.",
    "negative_impacts": "Complex claims of older customers may wait longer.",
    "overall_rating": Rating.MEDIUM,
    "recommendation": "Approve; monitor queue times by age group.",
}
CLAIMS_IMPACTS = [
    {
        "area": ImpactArea.FAIRNESS,
        "affected_group": "Older policyholders",
        "description": "Complex claims of older customers may be queued for longer.",
        "likelihood": Rating.MEDIUM,
        "severity": Rating.HIGH,
        "mitigation": "Monthly comparison of queue times by age group.",
    },
]
PRICING = {
    "technical_context": "Gradient-boosted risk model with a monotone premium mapping on the "
    "underwriting platform; retrained yearly, released through the model risk committee.",
    "societal_context": "Private health insurance is a long-term commitment; a surcharge or "
    "decline limits the applicant's access to cover for years.",
    "predictable_failures": "Rare conditions are priced on too little data; coding errors in "
    "the health questionnaire shift the proposed surcharge.",
    "positive_impacts": "Consistent prices for the same risk; decisions within a day instead "
    "of a week.",
    "negative_impacts": "Applicants with chronic conditions may pay more through proxies in "
    "the data; an opaque surcharge is hard to contest.",
    "overall_rating": Rating.HIGH,
    "recommendation": "Approve the go-live with underwriter confirmation of every surcharge "
    "and decline, quarterly fairness tests and a complaints route to a person.",
    "fria_processes": "New-business underwriting of private health insurance: the model "
    "proposes the premium surcharge; the underwriter decides.",
    "fria_period": "Every new application, all year, from the go-live; reviewed every six months.",
    "fria_risks": "Indirect discrimination of chronically ill and disabled applicants; "
    "unjustified surcharges from questionnaire errors; applicants not understanding why they "
    "pay more.",
    "fria_measures": "Complaints to the underwriting desk with a decision by a person within "
    "ten working days; the tariff table replaces the model on an incident; the AI officer and "
    "the works council see the quarterly fairness report.",
}
PRICING_IMPACTS = [
    {
        "area": ImpactArea.FAIRNESS,
        "affected_group": "Chronically ill and disabled applicants",
        "description": "Proxies in the health data may raise surcharges beyond the actuarial risk.",
        "likelihood": Rating.MEDIUM,
        "severity": Rating.HIGH,
        "mitigation": "Quarterly fairness tests by condition group; proxies removed.",
    },
    {
        "area": ImpactArea.FINANCIAL,
        "affected_group": "Applicants for private health insurance",
        "description": "A wrong surcharge costs the applicant for the whole term of the policy.",
        "likelihood": Rating.LOW,
        "severity": Rating.HIGH,
        "mitigation": "Underwriter confirms every surcharge; free review on request.",
    },
    {
        "area": ImpactArea.TRANSPARENCY,
        "affected_group": "Applicants for private health insurance",
        "description": "Applicants receive the main reasons for a surcharge in plain language.",
        "positive": True,
        "likelihood": Rating.HIGH,
        "severity": Rating.LOW,
    },
]
CV_SCREENING = {
    "technical_context": "Vendor SaaS ranking model; configuration by HR, no own training.",
    "overall_rating": Rating.HIGH,
}


def assessment_of(reference, content, impacts, author):
    """Version 1 of the system's assessment, from the system's record and `content`."""
    system = AISystem.objects.get(reference=reference)
    assessment = ensure(
        ImpactAssessment,
        {"system": system, "number": 1},
        {**ImpactAssessment.values_from_system(system), **content, "owner": author},
        author=author,
    )
    if not assessment.impacts.exists():
        for impact in impacts:
            ensure(Impact, {"assessment": assessment, **impact}, author=author)
    return assessment


def decided(assessment, *, author, decider, **decision):
    """Submitted by its author and decided by the AI officer, once."""
    if assessment.status == ImpactAssessment.Status.DRAFT and not assessment.decisions.exists():
        impact_assessment_submit(assessment=assessment, user=author)
        impact_assessment_decide(assessment=assessment, user=decider, **decision)


def seed(users):
    compliance, officer = users[COMPLIANCE_OFFICER], users[AI_OFFICER]
    today = timezone.localdate()
    claims = assessment_of("AIS-001", CLAIMS, CLAIMS_IMPACTS, compliance)
    decided(
        claims,
        author=compliance,
        decider=officer,
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
    pricing = assessment_of("AIS-005", PRICING, PRICING_IMPACTS, compliance)
    decided(
        pricing,
        author=compliance,
        decider=officer,
        outcome=AssessmentDecision.Outcome.APPROVED,
        comment="Approved for the go-live, fundamental rights impact assessment included.",
    )
    assessment_of("AIS-003", CV_SCREENING, [], compliance)
