"""Demo context of Rheinwerk Versicherung AG, a mid-size insurer in Cologne."""

from datetime import date, timedelta

from django.utils import timezone

from aims.context import models as m
from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.core.seeding import ensure

ISSUES = [
    (
        "CTX-001",
        "EU AI Act obligations for high-risk systems",
        m.Kind.EXTERNAL,
        "legal",
        "The CV-screening tool falls under Annex III (employment); insurance pricing models may "
        "follow. Obligations apply in stages from 2025 to 2027.",
        "Classification, risk management and documentation must meet AI Act duties.",
    ),
    (
        "CTX-002",
        "BaFin expectations on algorithmic decision-making",
        m.Kind.EXTERNAL,
        "legal",
        "The supervisor expects explainability and human accountability for models used in "
        "underwriting and claims.",
        "Model governance records must be ready for supervisory review.",
    ),
    (
        "CTX-003",
        "Dependency on a third-party large language model",
        m.Kind.EXTERNAL,
        "technological",
        "The customer-service chatbot runs on a hosted LLM whose versions change without notice.",
        "Supplier controls and monitoring of model changes are needed.",
    ),
    (
        "CTX-004",
        "Works council co-determination on HR tools",
        m.Kind.INTERNAL,
        "organizational",
        "Any AI used in recruiting requires a works agreement (BetrVG §87).",
        "HR systems need the works council's consent before deployment.",
    ),
    (
        "CTX-005",
        "Shortage of data-science staff",
        m.Kind.INTERNAL,
        "organizational",
        "Three of eight data-science positions are vacant.",
        "Competence and resource planning for model maintenance.",
    ),
    (
        "CTX-006",
        "Customer trust in automated claims handling",
        m.Kind.EXTERNAL,
        "social",
        "Surveys show customers accept automation if a person reviews rejections.",
        "Human oversight of claim rejections is a design requirement.",
    ),
    (
        "CTX-007",
        "Energy use of model training",
        m.Kind.EXTERNAL,
        "environmental",
        "Sustainability reporting (CSRD) covers data-centre energy.",
        "Training runs are planned and their energy use recorded.",
    ),
]

PARTIES = [
    (
        "IP-001",
        "Policyholders",
        m.Kind.EXTERNAL,
        "customers",
        "Fair, explainable decisions on claims and prices; a person to talk to.",
    ),
    (
        "IP-002",
        "BaFin",
        m.Kind.EXTERNAL,
        "regulators",
        "Sound governance of models used in insurance; documentation on request.",
    ),
    (
        "IP-003",
        "Works council",
        m.Kind.INTERNAL,
        "employees",
        "Co-determination on tools that monitor or assess employees and applicants.",
    ),
    (
        "IP-004",
        "Job applicants",
        m.Kind.EXTERNAL,
        "affected",
        "Non-discriminatory screening; information that AI is used.",
    ),
    (
        "IP-005",
        "LLM provider",
        m.Kind.EXTERNAL,
        "suppliers",
        "Use within the acceptable-use policy; no prohibited content.",
    ),
    (
        "IP-006",
        "Management board",
        m.Kind.INTERNAL,
        "management",
        "Regulatory compliance without slowing digitalisation.",
    ),
]

REQUIREMENTS = [
    (
        "REQ-001",
        "IP-001",
        "Human review of rejected claims",
        "expectation",
        "adopted",
        "Supports fairness and customer trust; built into the claims-triage process.",
    ),
    (
        "REQ-002",
        "IP-002",
        "Documentation of models used in underwriting",
        "law",
        "adopted",
        "Supervisory requirement; covered by the AIMS documentation controls.",
    ),
    (
        "REQ-003",
        "IP-003",
        "Works agreement before AI in recruiting",
        "law",
        "adopted",
        "Mandatory co-determination; the deployment gate checks for it.",
    ),
    (
        "REQ-004",
        "IP-004",
        "Inform applicants about AI-supported screening",
        "law",
        "adopted",
        "Transparency duty; part of the recruiting process description.",
    ),
    (
        "REQ-005",
        "IP-005",
        "Report abuse of the LLM service within 24 hours",
        "contract",
        "not_adopted",
        "Handled by the information-security incident process (ISMS), not the AIMS.",
    ),
    (
        "REQ-006",
        "IP-006",
        "Quarterly AI compliance report",
        "expectation",
        "adopted",
        "Feeds the management review.",
    ),
]

ROLES = [
    (
        "Management board",
        "Board of Rheinwerk Versicherung AG",
        "Sets the AI policy and objectives, provides resources, accepts residual risk.",
        1,
    ),
    (
        "AI Officer",
        "Tobias Keller",
        "Approves impact assessments and residual risks; reports AIMS performance to the board.",
        2,
    ),
    (
        "Compliance Officer",
        "Claudia Brandt",
        "Runs the AIMS day to day: scope, registers, Statement of Applicability, evidence.",
        3,
    ),
    (
        "AI system owner",
        "Heads of business units",
        "Keeps their AI systems' records current and ensures controls operate.",
        4,
    ),
    ("Data Protection Officer", "Dr. Jana Roth", "Advises on personal data in AI systems.", 5),
    ("Internal Audit", "Martin Huber", "Audits the AIMS independently.", 6),
]

ACTIVITIES = [
    ("5.2", "Set and review the AI policy", {1: "A", 2: "R", 3: "C", 6: "I"}),
    ("6.1.2", "Assess AI risks", {2: "A", 3: "R", 4: "R", 5: "C"}),
    ("6.1.4", "Assess AI system impacts", {2: "A", 4: "R", 5: "C", 3: "C"}),
    ("6.1.3", "Maintain the Statement of Applicability", {2: "A", 3: "R", 6: "I"}),
    ("8.1", "Release an AI system to production", {4: "A", 2: "C", 3: "I"}),
    ("9.2", "Run internal audits", {6: "R", 1: "A", 3: "I"}),
    ("9.3", "Hold the management review", {1: "A", 2: "R", 3: "R"}),
]

POLICY = """1. Purpose. Rheinwerk uses AI to serve policyholders faster and more fairly, never to \
replace accountability for decisions that affect people.
2. Commitments. We meet applicable law, including the EU AI Act and data protection law; we \
assess risks and impacts before deployment and at planned intervals; people can request human \
review of decisions that affect them.
3. Objectives. AI objectives are set yearly by the board and tracked in the AIMS.
4. Roles. The AI Officer approves impact assessments and residual risks. System owners keep \
their systems' records current.
5. Continual improvement. We learn from incidents, audits and feedback and improve the AIMS."""


def seed(users):
    compliance, ai_officer = users[COMPLIANCE_OFFICER], users[AI_OFFICER]
    owner = users[SYSTEM_OWNER]
    for ref, title, kind, category, description, effect in ISSUES:
        ensure(
            m.ContextIssue,
            {"reference": ref},
            {
                "title": title,
                "kind": kind,
                "category": category,
                "description": description,
                "effect_on_aims": effect,
                "owner": owner if ref == "CTX-006" else compliance,
            },
            author=compliance,
        )
    parties = {}
    for ref, name, kind, category, needs in PARTIES:
        parties[ref] = ensure(
            m.InterestedParty,
            {"reference": ref},
            {
                "name": name,
                "kind": kind,
                "category": category,
                "needs": needs,
                "owner": owner if ref == "IP-001" else compliance,
            },
            author=compliance,
        )
    for ref, party, title, source, decision, reason in REQUIREMENTS:
        ensure(
            m.PartyRequirement,
            {"reference": ref},
            {
                "party": parties[party],
                "title": title,
                "source": source,
                "decision": decision,
                "reason": reason,
            },
            author=compliance,
        )
    scope = ensure(
        m.ScopeStatement,
        {"reference": "SCOPE-001"},
        {
            "title": "AIMS scope of Rheinwerk Versicherung AG",
            "status": m.ScopeStatement.Status.CURRENT,
            "statement": "The development, procurement and use of AI systems in claims handling, "
            "customer service, fraud detection and recruiting at Rheinwerk Versicherung AG.",
            "boundaries": "All AI systems used by the insurer's business units in Germany and "
            "Austria, whether built in-house or procured.",
            "sites": "Cologne (head office)\nVienna (branch)",
            "organizational_units": "Claims, Customer Service, Fraud Management, HR, IT",
            "interfaces": "Group IT operates the infrastructure under the ISMS (ISO 27001).",
            "effective_from": date(2026, 1, 1),
        },
        author=compliance,
    )
    ensure(
        m.ScopeExclusion,
        {"scope": scope, "subject": "Asset management subsidiary"},
        {"justification": "Separate legal entity with its own governance; uses no AI systems."},
        author=compliance,
    )
    policy = ensure(
        m.AIPolicy,
        {"reference": "POL-001"},
        {
            "title": "AI policy",
            "policy_version": "1.0",
            "content": POLICY,
            # Approved on seeding; reviewed yearly from then.
            "next_review": timezone.localdate() + timedelta(days=365),
        },
        author=compliance,
    )
    if policy.status == m.AIPolicy.Status.DRAFT and not policy.approved_by:
        from aims.context.services import ai_policy_approve

        ai_policy_approve(policy=policy, user=ai_officer)
    roles = {}
    for name, holder, responsibilities, order in ROLES:
        roles[order] = ensure(
            m.AIMSRole,
            {"name": name},
            {"holder": holder, "responsibilities": responsibilities, "order": order},
            author=compliance,
        )
    for order, (clause, name, letters) in enumerate(ACTIVITIES, start=1):
        activity = ensure(
            m.AIMSActivity, {"name": name}, {"clause": clause, "order": order}, author=compliance
        )
        for role_order, letter in letters.items():
            ensure(
                m.RACIAssignment,
                {"activity": activity, "role": roles[role_order]},
                {"responsibility": letter},
                author=compliance,
            )
