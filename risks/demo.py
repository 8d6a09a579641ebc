"""Demo risk register of Rheinwerk Versicherung AG: 5×5 criteria, risks of its AI systems,
treatment actions with their approved plan, and one accepted residual risk."""

from datetime import timedelta

from django.utils import timezone

from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.core.seeding import ensure
from aims.impact.models import Impact
from aims.impact.services import impact_risk_create
from aims.inventory.models import AISystem
from risks.models import (
    LibraryRisk,
    Risk,
    RiskAcceptance,
    RiskCriteria,
    TreatmentAction,
    default_level,
)
from risks.services import risk_treatment_plan_approve

LIKELIHOOD = [
    ("Rare", "Less than once in ten years"),
    ("Unlikely", "Once in three to ten years"),
    ("Possible", "Once in one to three years"),
    ("Likely", "Several times a year"),
    ("Almost certain", "Monthly or more often"),
]
IMPACT = [
    ("Negligible", "No noticeable effect on people or business"),
    ("Minor", "Limited, quickly corrected effect"),
    ("Moderate", "Noticeable harm to some customers or a reportable incident"),
    ("Major", "Serious harm to many people, regulatory action likely"),
    ("Severe", "Lasting harm to people, licence or reputation at stake"),
]


def five_by_five():
    """Field values of the default 5×5 criteria."""
    return {
        "name": "Rheinwerk AI risk criteria",
        "likelihood_scale": [{"label": a, "description": b} for a, b in LIKELIHOOD],
        "impact_scale": [{"label": a, "description": b} for a, b in IMPACT],
        "matrix": [
            [default_level(likelihood, impact, 5, 5) for impact in range(1, 6)]
            for likelihood in range(1, 6)
        ],
        "acceptance_threshold": "medium",
    }


RISKS = [
    # reference, library code, system, inherent (L, I), residual (L, I), treatment, status
    ("R-0001", "prompt-injection", "AIS-002", (4, 4), (2, 3), "modify", "in_treatment"),
    ("R-0002", "biased-outcomes", "AIS-003", (3, 5), (2, 4), "modify", "in_treatment"),
    ("R-0003", "model-drift", "AIS-001", (4, 3), (2, 2), "modify", "accepted"),
    ("R-0004", "hallucination", "AIS-002", (4, 3), None, "modify", "assessed"),
    ("R-0005", "automation-bias", "AIS-001", (3, 4), None, "", "identified"),
]


def seed(users):
    compliance, officer = users[COMPLIANCE_OFFICER], users[AI_OFFICER]
    owner = users[SYSTEM_OWNER]
    today = timezone.localdate()
    criteria = RiskCriteria.objects.filter(status=RiskCriteria.Status.ACTIVE).first()
    if criteria is None:
        criteria = ensure(
            RiskCriteria,
            {"number": 1},
            {
                **five_by_five(),
                "status": RiskCriteria.Status.ACTIVE,
                "activated_by": officer,
                "activated_on": today,
            },
            author=compliance,
        )
    for offset, (reference, code, system, inherent, residual, option, status) in enumerate(RISKS):
        entry = LibraryRisk.objects.get(code=code)
        risk = ensure(
            Risk,
            {"reference": reference},
            {
                "title": entry.title,
                "description": entry.description,
                "category": entry.category,
                "risk_source": entry.risk_source,
                "objectives": entry.objectives,
                "library_code": code,
                "owner": owner if system == "AIS-001" else compliance,
                "criteria": criteria,
                "inherent_likelihood": inherent[0],
                "inherent_impact": inherent[1],
                "residual_likelihood": residual[0] if residual else None,
                "residual_impact": residual[1] if residual else None,
                "treatment_option": option,
                "status": status,
                "review_cadence_months": 6,
                # Within the six-month cadence; the last one is overdue on purpose.
                "next_review": today + timedelta(days=-5 if offset == 4 else 30 * (offset + 1)),
            },
            author=compliance,
        )
        if not risk.ai_systems.exists():
            risk.ai_systems.set(AISystem.objects.filter(reference=system))
            risk.controls.set(entry.typical_controls)
    chatbot_risk = Risk.objects.get(reference="R-0001")
    for title, days, action_status in (
        ("Filter and label untrusted content before it reaches the model", -7, "in_progress"),
        ("Red-team the chatbot against injection attacks every quarter", 45, "planned"),
    ):
        ensure(
            TreatmentAction,
            {"risk": chatbot_risk, "title": title},
            {
                "owner": compliance,
                "due_date": today + timedelta(days=days),
                "status": action_status,
            },
            author=compliance,
        )
    if not chatbot_risk.plan_approved_on:
        # Approved by the AI officer, who wrote none of the actions.
        risk_treatment_plan_approve(risk=chatbot_risk, user=officer)
    drift = Risk.objects.get(reference="R-0003")
    ensure(
        RiskAcceptance,
        {"risk": drift},
        {
            "accepted_by": owner,
            "accepted_on": today - timedelta(days=30),
            "justification": "Monthly drift monitoring with a retraining trigger is in place; "
            "the remaining exposure is small and well understood.",
            "expires_on": today + timedelta(days=335),
            "criteria": criteria,
            "residual_likelihood": 2,
            "residual_impact": 2,
            "residual_level": drift.residual_level,
            "by_ai_officer": False,
        },
        author=owner,
    )
    # The assessments' serious negative impacts go into the register in one step each.
    for impact in Impact.objects.filter(risk=None, positive=False, severity__in=Impact.HIGH):
        impact_risk_create(impact=impact, user=compliance)
