"""The scaled organisation's AI systems, each owned by the owner of its business unit and
classified once under the EU AI Act (see aims/core/scale.py)."""

from django.utils import translation

from aims.inventory import demo
from aims.inventory.classification import Answers, classify
from aims.inventory.models import (
    AISystem,
    AutomationLevel,
    Classification,
    LifecycleStage,
    SystemImport,
)

# kind of system: purpose ({unit} is the business unit), AI Act roles, classification answers
KINDS = (
    (
        "triage model",
        "Sorts incoming {unit} cases into fast-track, standard and expert queues. A person "
        "decides every case.",
        ["provider", "deployer"],
        Answers(),
    ),
    (
        "assistant chatbot",
        "Answers questions about {unit} on the intranet and the website and hands over to an "
        "agent on request.",
        ["deployer"],
        Answers(interacts_with_people=True),
    ),
    (
        "pricing model",
        "Assesses the risk of applicants and proposes the premium; an underwriter confirms "
        "every proposal.",
        ["provider", "deployer"],
        Answers(annex_iii_area="essential_services", credit_or_insurance=True, profiling=True),
    ),
    (
        "CV screening tool",
        "Ranks applications for {unit} positions by fit with the job profile.",
        ["deployer"],
        Answers(annex_iii_area="employment", profiling=True),
    ),
    (
        "document extraction",
        "Reads {unit} documents and fills in the case fields for a clerk to check.",
        ["provider", "deployer"],
        Answers(),
    ),
    (
        "letter drafting assistant",
        "Drafts letters to customers of {unit} for a clerk to edit and send.",
        ["deployer"],
        Answers(synthetic_content=True),
    ),
    (
        "anomaly detection",
        "Flags unusual transactions in {unit} for an analyst to investigate.",
        ["provider", "deployer"],
        Answers(),
    ),
    (
        "forecasting model",
        "Forecasts volumes and costs of {unit} for planning.",
        ["provider", "deployer"],
        Answers(),
    ),
)
STAGES = (
    (LifecycleStage.OPERATION, AISystem.Status.IN_USE, 60),
    (LifecycleStage.DEPLOYMENT, AISystem.Status.PLANNED, 10),
    (LifecycleStage.VERIFICATION, AISystem.Status.PLANNED, 10),
    (LifecycleStage.DESIGN, AISystem.Status.PLANNED, 10),
    (LifecycleStage.IDEA, AISystem.Status.PLANNED, 5),
    (LifecycleStage.RETIRED, AISystem.Status.DECOMMISSIONED, 5),
)


def exists():
    return AISystem.objects.exists()


def seed(plan):
    rng = plan.rng
    systems, kinds = [], []
    for n in range(1, plan.sizes.systems + 1):
        owner_index = rng.randrange(len(plan.owners))
        unit = plan.units[owner_index]
        kind = rng.randrange(len(KINDS))
        name, purpose, ai_act_roles, _answers = KINDS[kind]
        stage, status, _weight = rng.choices(STAGES, weights=[s[2] for s in STAGES])[0]
        cadence = rng.choice((6, 12, 12, 24))
        systems.append(
            AISystem(
                reference=f"AIS-{n:03d}",
                name=f"{unit} {name} {n}",
                purpose=purpose.format(unit=unit),
                foreseeable_misuse="Relying on the output without the review the process asks for.",
                area_of_use=unit,
                business_unit=unit,
                owner=plan.owners[owner_index],
                lifecycle_stage=stage,
                status=status,
                ai_act_roles=ai_act_roles,
                deployment_environment=rng.choice(
                    ("On-premises", "Private cloud (EU region)", "SaaS of the vendor")
                ),
                geography=rng.choice(("Germany", "Germany, Austria", "EU")),
                automation_level=rng.choice(AutomationLevel.values),
                human_oversight="A trained employee reviews the output before it takes effect.",
                affected_persons="Customers and employees of the business unit",
                personal_data=rng.random() < 0.7,
                review_cadence_months=cadence,
                next_review=plan.day(rng.randrange(-30 * cadence, 30)),
            )
        )
        kinds.append(kind)
    systems = plan.create(AISystem, systems, author=plan.compliance, days_ago=500)
    plan.objects["systems"] = systems
    plan.track(AISystem, systems)
    classify_all(plan, systems, kinds)
    # The first systems came from the register kept in a spreadsheet before the portal.
    plan.imported(
        SystemImport,
        "ai-system-register.csv",
        [("Reference", "Name", "Business unit", "Owner")]
        + [(s.reference, s.name, s.business_unit, str(s.owner)) for s in systems[:20]],
        author=plan.compliance,
        days_ago=500,
    )
    # Model versions, datasets and third parties do not grow with the systems: the demo's.
    demo.seed(plan.demo_users())


def classify_all(plan, systems, kinds):
    """Classification 1 of every system, classified by the compliance officer; one result per
    kind (the rules are the same for every system of a kind)."""
    with translation.override("en"):  # records are stored in English, as the service does
        results = {kind: classify(answers) for kind, (*_, answers) in enumerate(KINDS)}
        summaries = {kind: (result.summary, list(result.trail)) for kind, result in results.items()}
    records = []
    for system, kind in zip(systems, kinds, strict=True):
        result = results[kind]
        days_ago = plan.rng.randrange(30, 400)
        record = Classification(
            system=system,
            number=1,
            classified_on=plan.day(days_ago),
            classified_by=plan.compliance,
            roles=result.roles(system.ai_act_roles),
            answers=KINDS[kind][3].to_dict(),
            tier=result.tier,
            flags=list(result.flags),
            route=result.route,
            annex_iii_area=result.annex_iii_area,
            summary=summaries[kind][0],
            trail=summaries[kind][1],
        )
        record._history_date = plan.moment(days_ago)
        records.append(record)
    plan.create(Classification, records, author=plan.compliance)
