"""Demo Statement of Applicability of Rheinwerk Versicherung AG: every Annex A control justified
(one exclusion for a bought system), drivers from the risks' own control links, the interested
parties' requirements and the AI Act obligations, evidence dated before the approval, and
version 1 issued by the compliance officer and approved by the AI officer."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.context.models import PartyRequirement
from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.core.seeding import ensure
from aims.inventory.models import AISystem
from controls.models import (
    Control,
    Evidence,
    Framework,
    ImplementationStatus,
    SoAEntry,
    SoAFramework,
    SoAVersion,
)
from controls.services import evidence_revision_add, soa_version_decide, soa_version_issue

IMPLEMENTED, PARTIAL, PLANNED = (
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.PARTIAL,
    ImplementationStatus.PLANNED,
)
# control: status, justification for inclusion, requirements of interested parties behind it.
# Risks drive entries through their own control links (risks/demo.py); the AI Act obligations
# mapped to a control are linked as its legal requirements.
ENTRIES = {
    "A.2.2": (IMPLEMENTED, "The board adopted an AI policy; BaFin expects documented governance "
              "of the models used in insurance.", ["REQ-002", "REQ-006"]),
    "A.2.3": (PARTIAL, "The AI policy must fit the information-security, data-protection and "
              "outsourcing policies the insurer already has.", ["REQ-002"]),
    "A.2.4": (PLANNED, "The policy is reviewed yearly and after changes in supervision or law.",
              ["REQ-006"]),
    "A.3.2": (IMPLEMENTED, "Decisions on claims, prices and applicants need named owners, an AI "
              "officer and clear approval rights.", []),
    "A.3.3": (PARTIAL, "Staff and customers must be able to raise concerns about AI outcomes; "
              "the whistle-blowing channel is extended to AI.", []),
    "A.4.2": (PARTIAL, "The resources behind the claims, pricing and chatbot systems must be "
              "known to run and audit them.", []),
    "A.4.3": (PARTIAL, "Claims and policy data feed our own models; their sources and "
              "limits must be recorded.", []),
    "A.4.4": (PLANNED, "The training and monitoring tools of the data-science team are part of "
              "each system's record.", []),
    "A.4.5": (PLANNED, "Models run in the group data centre and at one cloud provider; capacity "
              "and location are documented.", []),
    "A.4.6": (PARTIAL, "Case handlers, underwriters and recruiters need AI literacy to use the "
              "systems responsibly.", []),
    "A.5.2": (PARTIAL, "Claims, pricing and recruiting decisions affect customers and "
              "applicants: each system is assessed before use.", []),
    "A.5.3": (PARTIAL, "Assessment results must be kept for the supervisor and for reviews.",
              []),
    "A.5.4": (PARTIAL, "Scores can disadvantage groups of customers or applicants.", []),
    "A.5.5": (PLANNED, "Health-insurance pricing can shape access to cover beyond the "
              "individual customer.", []),
    "A.6.1.2": (PARTIAL, "Own models need objectives for fairness, accuracy and oversight "
                "before development starts.", ["REQ-001"]),
    "A.6.1.3": (PARTIAL, "Development of own models follows a defined process with release "
                "gates.", []),
    "A.6.2.2": (PARTIAL, "Requirements, including human review of rejections, are written "
                "before a model is built.", ["REQ-001"]),
    "A.6.2.3": (PARTIAL, "Design decisions of the claims and pricing models must be "
                "traceable.", []),
    "A.6.2.4": (IMPLEMENTED, "Model quality and fairness must be shown before each release.",
                []),
    "A.6.2.5": (PARTIAL, "Deployment needs the works agreement and a sign-off per release.",
                ["REQ-003"]),
    "A.6.2.6": (PARTIAL, "Drift of the claims model is monitored monthly; the chatbot is "
                "watched for misuse.", []),
    "A.6.2.7": (PARTIAL, "Users and the supervisor need technical documentation of each "
                "system.", ["REQ-002"]),
    "A.6.2.8": (PLANNED, "Chatbot conversations and model decisions must be traceable after an "
                "incident.", []),
    "A.7.2": (PARTIAL, "Own models are trained on claims and policy data that must be fit for "
              "the purpose.", []),
    "A.7.3": (PLANNED, "External data (credit and address data) is bought for pricing.", []),
    "A.7.4": (IMPLEMENTED, "Training data quality drives the fairness of the claims model.", []),
    "A.7.5": (PARTIAL, "Where training data comes from must be known for each own model.", []),
    "A.7.6": (PLANNED, "Cleaning and labelling steps change what a model learns.", []),
    "A.8.2": (PARTIAL, "Case handlers need instructions for use and the limits of each "
              "score.", []),
    "A.8.3": (PLANNED, "Serious incidents with high-risk systems are reported to the "
              "authorities.", []),
    "A.8.4": (PARTIAL, "Customers and staff are told of incidents that affect them.", []),
    "A.8.5": (PARTIAL, "Applicants and customers are told when AI supports a decision about "
              "them.", ["REQ-004"]),
    "A.9.2": (PARTIAL, "Case handlers must not follow model scores blindly.", ["REQ-001"]),
    "A.9.3": (PARTIAL, "Each use of AI has objectives for oversight and error rates.", []),
    "A.9.4": (PARTIAL, "Systems may only be used for the purpose they were assessed for.", []),
    "A.10.2": (PARTIAL, "Responsibilities between us, TalentSift B.V. and the model provider "
               "of the chatbot are set out in contracts.", []),
    "A.10.3": (IMPLEMENTED, "CV screening is bought from TalentSift B.V.; the chatbot uses a "
               "third-party language model.", []),
    "A.10.4": (PARTIAL, "Customers use the chatbot and receive AI-supported claim decisions.",
               ["REQ-001"]),
}  # fmt: skip


def seed(users):
    compliance, owner = users[COMPLIANCE_OFFICER], users[SYSTEM_OWNER]
    today = timezone.localdate()
    seed_entries(compliance, today)
    recruiting = AISystem.objects.get(reference="AIS-003")
    ensure(
        SoAEntry,
        {"control": Control.objects.get(code="A.7.5"), "ai_system": recruiting},
        {
            "applicable": False,
            "exclusion_justification": "TalentSift B.V. trains and provides the model; we hand "
            "over no training data. Data provenance is the supplier's and is covered by A.10.3.",
        },
        author=compliance,
    )
    seed_evidence(compliance, owner, today)
    seed_version(compliance, users[AI_OFFICER])


def seed_entries(compliance, today):
    for code, (status, justification, requirements) in ENTRIES.items():
        entry = SoAEntry.objects.get(control__code=code, ai_system=None)
        if entry.version > 1:  # changed since the catalogue was loaded: leave it
            continue
        entry.inclusion_justification = justification
        entry.status = status
        entry.owner = compliance
        # Reviewed yearly: the next review one year after the last.
        entry.last_review = today - timedelta(days=40)
        entry.next_review = entry.last_review + timedelta(days=365)
        entry._history_user = compliance
        entry.save()
        entry.requirements.set(PartyRequirement.objects.filter(reference__in=requirements))
        entry.legal_requirements.set(entry.control.mappings.filter(framework=Framework.EU_AI_ACT))


def seed_evidence(compliance, owner, today):
    validation = ensure(
        Evidence,
        {"reference": "EV-0001"},
        {
            "title": "Validation report claims-triage model 2.3",
            "description": "Hold-out accuracy, fairness metrics per age group, sign-off.",
            "evidence_date": today - timedelta(days=30),
            "valid_until": today + timedelta(days=335),
            "uploaded_by": owner,
        },
        author=owner,
    )
    if not validation.revisions.exists():
        validation.controls.set(Control.objects.filter(code__in=["A.6.2.4", "A.7.4"]))
        validation.ai_systems.set(AISystem.objects.filter(reference="AIS-001"))
        report = SimpleUploadedFile(
            "validation-report-2.3.txt",
            b"Claims triage 2.3: accuracy 0.91 on hold-out; parity gap below 2 points.\n",
        )
        evidence_revision_add(evidence=validation, upload=report, user=owner)
    for reference, title, link, days, codes in (
        (
            "EV-0002",
            "AI policy approval minutes",
            "https://intranet.rheinwerk-versicherung.example/board/2026-03",
            200,
            ["A.2.2"],
        ),
        (
            "EV-0003",
            "AI roles and responsibilities, approved by the board",
            "https://intranet.rheinwerk-versicherung.example/aims/roles",
            150,
            ["A.3.2"],
        ),
        (
            "EV-0004",
            "Contract TalentSift B.V. with AI clauses",
            "https://contracts.rheinwerk-versicherung.example/talentsift-2026",
            120,
            ["A.10.2", "A.10.3"],
        ),
    ):
        item = ensure(
            Evidence,
            {"reference": reference},
            {
                "title": title,
                "link": link,
                "evidence_date": today - timedelta(days=days),
                "uploaded_by": compliance,
            },
            author=compliance,
        )
        if not item.controls.exists():
            item.controls.add(*Control.objects.filter(code__in=codes))


def seed_version(compliance, officer):
    """Version 1, issued by the compliance officer, approved by the AI officer (who changed no
    entry): once, when the SoA has no version yet."""
    versions = SoAVersion.objects.filter(framework=SoAFramework.ISO42001)
    if versions.exists():
        return
    version = soa_version_issue(
        user=compliance, note="First issue: every Annex A control assessed and justified."
    )
    soa_version_decide(version=version, user=officer, approve=True)
