"""Demo inventory of Rheinwerk Versicherung AG: five AI systems and what hangs off them.

Life-cycle stage and status agree (a system in verification is planned, one in operation is in
use), and each next review lies one review cadence after the last review."""

import calendar
from datetime import date, timedelta

from django.utils import timezone

from aims.core.roles import COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.core.seeding import ensure
from aims.inventory import models as m
from aims.inventory.classification import Answers
from aims.inventory.services import ai_system_classify

SYSTEMS = [
    {
        "reference": "AIS-001",
        "name": "Claims triage model",
        "purpose": "Sorts incoming property claims into fast-track, standard and expert review "
        "queues. A claims handler decides every claim.",
        "foreseeable_misuse": "Using the score to reject claims without review.",
        "area_of_use": "Claims handling",
        "business_unit": "Claims",
        "lifecycle_stage": m.LifecycleStage.OPERATION,
        "ai_act_roles": ["provider", "deployer"],
        "deployment_environment": "On-premises, claims platform",
        "geography": "Germany, Austria",
        "automation_level": m.AutomationLevel.ASSISTIVE,
        "human_oversight": "Handlers see the reasons for the proposed queue and can move claims.",
        "affected_persons": "Policyholders filing property claims",
        "vulnerable_groups": "Elderly policyholders; people after a disaster",
        "personal_data": True,
        "review_cadence_months": 6,
        "reviewed_months_ago": 4,
    },
    {
        "reference": "AIS-002",
        "name": "Customer-service chatbot",
        "purpose": "Answers policyholders' questions on the website and hands over to an agent.",
        "foreseeable_misuse": "Customers asking for binding coverage decisions.",
        "area_of_use": "Customer service",
        "business_unit": "Customer Service",
        "lifecycle_stage": m.LifecycleStage.OPERATION,
        "ai_act_roles": ["provider", "deployer"],
        "deployment_environment": "Website, hosted LLM (EU region)",
        "geography": "Germany",
        "automation_level": m.AutomationLevel.AUTONOMOUS,
        "human_oversight": "Hand-over to an agent on request and on low confidence.",
        "affected_persons": "Customers and prospects",
        "vulnerable_groups": "Elderly customers",
        "personal_data": True,
        "review_cadence_months": 12,
        "reviewed_months_ago": 5,
    },
    {
        "reference": "AIS-003",
        "name": "CV screening tool",
        "purpose": "Ranks applications for trainee positions by fit with the job profile.",
        "foreseeable_misuse": "Rejecting applicants automatically by rank.",
        "area_of_use": "Recruiting",
        "business_unit": "HR",
        "lifecycle_stage": m.LifecycleStage.VERIFICATION,
        "status": m.AISystem.Status.PLANNED,
        "ai_act_roles": ["deployer"],
        "deployment_environment": "SaaS of the HR software vendor",
        "geography": "Germany",
        "automation_level": m.AutomationLevel.HUMAN_IN_LOOP,
        "human_oversight": "A recruiter reviews every ranking before invitations.",
        "affected_persons": "Job applicants",
        "vulnerable_groups": "Young applicants; applicants with disabilities",
        "personal_data": True,
        "special_category_data": True,
        "review_cadence_months": 6,
        "reviewed_months_ago": 2,
    },
    {
        "reference": "AIS-004",
        "name": "Fraud detection model",
        "purpose": "Flags claims with patterns of fraud for the special investigations unit.",
        "area_of_use": "Fraud management",
        "business_unit": "Fraud Management",
        "lifecycle_stage": m.LifecycleStage.OPERATION,
        "ai_act_roles": ["provider", "deployer"],
        "deployment_environment": "On-premises",
        "geography": "Germany, Austria",
        "automation_level": m.AutomationLevel.ASSISTIVE,
        "human_oversight": "Investigators decide on every flag.",
        "affected_persons": "Policyholders, claimants",
        "personal_data": True,
        "review_cadence_months": 12,
        # Reviewed a year and ten days ago: its review is overdue.
        "reviewed_months_ago": 12,
        "reviewed_days_earlier": 10,
    },
    {
        # Annex III 5(c): risk assessment and pricing in health insurance. Art. 27 applies to
        # its deployer, so its impact assessment holds a FRIA, approved before go-live.
        "reference": "AIS-005",
        "name": "Health insurance pricing model",
        "purpose": "Assesses the health risk of applicants for private health insurance and "
        "proposes the premium surcharge. An underwriter confirms every surcharge and decline.",
        "foreseeable_misuse": "Declining applicants on the proposed surcharge alone; reusing "
        "the risk score for claims decisions.",
        "area_of_use": "Underwriting of private health insurance",
        "business_unit": "Health Underwriting",
        "lifecycle_stage": m.LifecycleStage.DEPLOYMENT,
        "status": m.AISystem.Status.PLANNED,
        "ai_act_roles": ["provider", "deployer"],
        "deployment_environment": "On-premises, underwriting platform",
        "geography": "Germany",
        "automation_level": m.AutomationLevel.HUMAN_IN_LOOP,
        "human_oversight": "An underwriter reviews the reasons for each proposal and confirms "
        "or changes every surcharge and every decline.",
        "affected_persons": "Applicants for private health insurance",
        "vulnerable_groups": "Chronically ill and disabled applicants; elderly applicants",
        "personal_data": True,
        "special_category_data": True,
        "review_cadence_months": 6,
        "reviewed_months_ago": 0,  # reviewed for the go-live decision
    },
]


def months_before(day, months):
    """The same day `months` earlier (the month's last day where it is shorter)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def seed(users):
    compliance, owner = users[COMPLIANCE_OFFICER], users[SYSTEM_OWNER]
    today = timezone.localdate()
    systems = {}
    for data in SYSTEMS:
        data = dict(data)
        reference = data.pop("reference")
        # One cadence after the last review; counted from today so that no month end moves
        # a review into the past.
        next_review = months_before(
            today, data.pop("reviewed_months_ago") - data["review_cadence_months"]
        ) - timedelta(days=data.pop("reviewed_days_earlier", 0))
        systems[reference] = ensure(
            m.AISystem,
            {"reference": reference},
            {
                **data,
                "owner": owner if reference in ("AIS-001", "AIS-004", "AIS-005") else compliance,
                "next_review": next_review,
            },
            author=compliance,
        )
    claims = systems["AIS-001"]
    for version, released, summary in (
        ("1.0", date(2025, 3, 1), "First release."),
        ("1.1", date(2025, 9, 15), "Retrained on 2025 claims; recall on water damage +4 %."),
    ):
        ensure(
            m.ModelVersion,
            {"system": claims, "version_label": version},
            {
                "release_date": released,
                "training_data_snapshot": f"claims-{released:%Y-%m}",
                "key_metrics": "Precision 0.91, recall 0.87 (fast-track queue)",
                "release_approved_by": "Model risk committee",
                "release_approved_on": released,
                "change_summary": summary,
            },
            author=owner,
        )
    dataset = ensure(
        m.Dataset,
        {"reference": "DS-001"},
        {
            "name": "Property claims 2019–2025",
            "source": "Claims platform",
            "acquisition": "Extracted monthly from the claims data warehouse.",
            "provenance": "Own data; lineage documented in the data catalogue.",
            "licence": "Internal",
            "personal_data": True,
            "quality_checks": "Completeness, duplicates, label consistency",
            "quality_results": "0.4 % duplicates removed; labels re-checked on a 2 % sample.",
            "preparation": "Pseudonymised; free text removed.",
        },
        author=compliance,
    )
    if not dataset.systems.exists():
        dataset.systems.add(claims, systems["AIS-004"])
    for reference, name, relationship, delivers, system in (
        (
            "TP-001",
            "Nimbus AI GmbH",
            "supplier",
            "Hosted large language model (EU region)",
            "AIS-002",
        ),
        ("TP-002", "TalentSift B.V.", "supplier", "CV screening software as a service", "AIS-003"),
    ):
        party = ensure(
            m.ThirdParty,
            {"reference": reference},
            {
                "name": name,
                "relationship": relationship,
                "delivers": delivers,
                "responsibilities": "Provider obligations under the EU AI Act; incident "
                "notification within 24 hours; EU data residency.",
                "due_diligence": m.ThirdParty.DueDiligence.COMPLETED,
                "review_date": today + timedelta(days=180),
            },
            author=compliance,
        )
        if not party.systems.exists():
            party.systems.add(systems[system])
    pricing_data = ensure(
        m.Dataset,
        {"reference": "DS-002"},
        {
            "name": "Health insurance applications and claims 2016–2025",
            "source": "Underwriting and health claims platforms",
            "acquisition": "Extracted yearly from the underwriting data warehouse.",
            "provenance": "Own data; health questionnaires with the applicants' consent.",
            "licence": "Internal",
            "personal_data": True,
            "quality_checks": "Completeness, coding of diagnoses (ICD-10), outliers",
            "quality_results": "1.2 % incomplete questionnaires excluded; ICD codes validated.",
            "preparation": "Pseudonymised; diagnoses grouped; free text removed.",
        },
        author=compliance,
    )
    if not pricing_data.systems.exists():
        pricing_data.systems.add(systems["AIS-005"])
    for reference, answers in (
        ("AIS-002", Answers(interacts_with_people=True)),
        ("AIS-003", Answers(annex_iii_area="employment", profiling=True)),
        ("AIS-001", Answers()),
        (
            "AIS-005",
            Answers(annex_iii_area="essential_services", credit_or_insurance=True, profiling=True),
        ),
    ):
        if not systems[reference].classifications.exists():
            ai_system_classify(system=systems[reference], answers=answers, user=compliance)
