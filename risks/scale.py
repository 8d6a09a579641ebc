"""The scaled organisation's risk register: risks of its AI systems drawn from the risk library,
owned by the systems' owners, with treatment actions, approved plans and accepted residual
risks (see aims/core/scale.py)."""

from aims.core.roles import AI_OFFICER
from controls.models import Control, Framework
from risks.demo import five_by_five
from risks.models import (
    LibraryRisk,
    Risk,
    RiskAcceptance,
    RiskCriteria,
    RiskImport,
    TreatmentAction,
)

STATUSES = (
    (Risk.Status.IDENTIFIED, 10),
    (Risk.Status.ASSESSED, 20),
    (Risk.Status.IN_TREATMENT, 40),
    (Risk.Status.ACCEPTED, 15),
    (Risk.Status.REVIEW, 10),
    (Risk.Status.CLOSED, 5),
)
ACTIONS = (
    "Add a human review step for low-confidence outputs",
    "Monitor drift monthly and retrain on a trigger",
    "Document the model's limits in the instructions for use",
    "Test fairness per customer group before each release",
    "Red-team the system against prompt injection",
    "Restrict access to the training data",
    "Agree incident notification with the supplier",
    "Train the users on automation bias",
)


def exists():
    return Risk.objects.exists()


def seed(plan):
    rng = plan.rng
    criteria = (
        RiskCriteria.active()
        or plan.create(
            RiskCriteria,
            [
                RiskCriteria(
                    number=1,
                    **five_by_five(),
                    status=RiskCriteria.Status.ACTIVE,
                    activated_by=plan.users[AI_OFFICER],
                    activated_on=plan.day(600),
                )
            ],
            days_ago=600,
        )[0]
    )
    library = list(LibraryRisk.objects.order_by("code"))
    annex_a = dict(Control.objects.filter(framework=Framework.ISO42001).values_list("code", "pk"))
    systems = plan.objects["systems"]
    by_owner = {}
    for system in systems:
        by_owner.setdefault(system.owner_id, []).append(system)
    risks, links = [], []
    for n in range(1, plan.sizes.risks + 1):
        entry = rng.choice(library)
        system = rng.choice(systems)
        scope = [system]
        if rng.random() < 0.2:  # a shared risk: another system of the same owner
            scope.append(rng.choice(by_owner[system.owner_id]))
        status = rng.choices(STATUSES, weights=[w for _, w in STATUSES])[0][0]
        inherent = (
            clip(entry.likelihood + rng.randint(-1, 1)),
            clip(entry.impact + rng.randint(-1, 1)),
        )
        assessed = status != Risk.Status.IDENTIFIED
        residual = (
            (max(1, inherent[0] - rng.randint(0, 2)), max(1, inherent[1] - rng.randint(0, 1)))
            if assessed
            else (None, None)
        )
        risk = Risk(
            reference=f"R-{n:04d}",
            title=f"{entry.title}: {system.name}",
            description=entry.description,
            category=entry.category,
            risk_source=entry.risk_source,
            objectives=entry.objectives,
            library_code=entry.code,
            owner=system.owner if rng.random() < 0.85 else plan.compliance,
            criteria=criteria,
            inherent_likelihood=inherent[0],
            inherent_impact=inherent[1],
            inherent_level=criteria.level(*inherent),
            residual_likelihood=residual[0],
            residual_impact=residual[1],
            residual_level=criteria.level(*residual) if assessed else "",
            treatment_option=rng.choice(("modify", "modify", "modify", "avoid", "share", "retain"))
            if assessed
            else "",
            status=status,
            review_cadence_months=rng.choice((6, 12)),
            next_review=plan.day(rng.randrange(-180, 30)),
        )
        if status == Risk.Status.IN_TREATMENT and rng.random() < 0.5:
            risk.plan_approved_by = plan.users[AI_OFFICER]
            risk.plan_approved_on = plan.day(rng.randrange(10, 200))
        risk._history_user = risk.owner
        risks.append(risk)
        links.append(([s.pk for s in dict.fromkeys(scope)], entry.controls))
    risks = plan.create(Risk, risks, days_ago=450)
    plan.link(
        Risk.ai_systems.through,
        [
            Risk.ai_systems.through(risk_id=risk.pk, aisystem_id=pk)
            for risk, (system_ids, _codes) in zip(risks, links, strict=True)
            for pk in system_ids
        ],
    )
    plan.link(
        Risk.controls.through,
        [
            Risk.controls.through(risk_id=risk.pk, control_id=annex_a[code])
            for risk, (_ids, codes) in zip(risks, links, strict=True)
            for code in codes
            if code in annex_a
        ],
    )
    plan.objects["risks"] = risks
    plan.objects["risks_by_system"] = {
        pk: risk
        for risk, (system_ids, _codes) in zip(risks, links, strict=True)
        for pk in system_ids
    }
    plan.track(Risk, risks)
    seed_treatment(plan, risks, criteria)
    # The first risks came from the ISMS risk register kept in a spreadsheet.
    plan.imported(
        RiskImport,
        "isms-risk-register.csv",
        [("ID", "Risk", "Likelihood", "Impact")]
        + [
            (r.reference, r.title, str(r.inherent_likelihood), str(r.inherent_impact))
            for r in risks[:20]
        ],
        author=plan.compliance,
        days_ago=450,
    )


def seed_treatment(plan, risks, criteria):
    """One or two actions for every risk reduced with controls; an acceptance for each
    accepted risk, by the AI officer where the residual level is above the threshold."""
    rng = plan.rng
    actions, acceptances = [], []
    for risk in risks:
        if risk.treatment_option == "modify" and risk.status != Risk.Status.IDENTIFIED:
            for title in rng.sample(ACTIONS, rng.randint(1, 2)):
                actions.append(
                    TreatmentAction(
                        risk=risk,
                        title=title,
                        owner=risk.owner,
                        due_date=plan.day(rng.randrange(-120, 90)),
                        status=rng.choice(TreatmentAction.Status.values),
                    )
                )
        if risk.status == Risk.Status.ACCEPTED:
            above = criteria.above_threshold(risk.residual_level)
            accepted = rng.randrange(20, 300)
            acceptances.append(
                RiskAcceptance(
                    risk=risk,
                    accepted_by=plan.users[AI_OFFICER] if above else risk.owner,
                    accepted_on=plan.day(accepted),
                    justification="The remaining exposure is small and monitored; the "
                    "controls in place are proportionate.",
                    expires_on=plan.day(accepted - 365),
                    criteria=criteria,
                    residual_likelihood=risk.residual_likelihood,
                    residual_impact=risk.residual_impact,
                    residual_level=risk.residual_level,
                    by_ai_officer=above,
                )
            )
    plan.create(TreatmentAction, actions, days_ago=300)
    plan.create(RiskAcceptance, acceptances, days_ago=200)


def clip(value, low=1, high=5):
    return max(low, min(high, value))
