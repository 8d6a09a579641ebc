"""The scaled organisation's audits: a programme per year, audits over three years led by the
internal auditor, their checklists with results, and the nonconformities raised from the
findings (see aims/core/scale.py)."""

from django.contrib.auth.models import Permission

from aims.core.roles import AI_OFFICER, INTERNAL_AUDITOR, OWNER_ACTIONS
from audits import demo
from audits.models import (
    Audit,
    AuditProgramme,
    AuditResult,
    AuditUserObjectPermission,
    ChecklistImport,
    ChecklistItem,
    Clause,
    Nonconformity,
)
from controls.models import Control, Framework

RESULTS = (
    (AuditResult.CONFORMING, 70, "Sampled records conform."),
    (AuditResult.MINOR, 10, "Two of the sampled records had no owner and no next review."),
    (AuditResult.MAJOR, 3, "The procedure was not followed after a significant change."),
    (AuditResult.OBSERVATION, 10, "Done, but the thresholds are kept outside the portal."),
    (AuditResult.IMPROVEMENT, 7, "The review could reuse the monitoring reports."),
)
YEARS = 3


def exists():
    return Audit.objects.exists()


def seed(plan):
    rng = plan.rng
    lead = plan.users[INTERNAL_AUDITOR]
    first_year = plan.day(0).year - YEARS + 1
    programmes = plan.create(
        AuditProgramme,
        [
            AuditProgramme(
                reference=f"PRG-{year}",
                title=f"Internal audit programme {year}",
                period=str(year),
                objectives="Audit every clause and every applicable control at least once in "
                "the three-year certification cycle.",
                criteria="ISO/IEC 42001:2023, the AI policy, the EU AI Act obligations.",
                methods="Interviews, document review, sampling of records in the portal.",
                status=AuditProgramme.Status.APPROVED,
                approved_by=plan.users[AI_OFFICER],
                approved_on=plan.day((plan.day(0).year - year) * 365 + 300),
            )
            for year in range(first_year, first_year + YEARS)
        ],
        days_ago=YEARS * 365,
    )
    count = plan.sizes.audits
    audits = []
    for n in range(count):
        # Spread over the three years; the last ones lie ahead of the reference day.
        starts = YEARS * 365 - n * (YEARS * 365 + 60) // max(count, 1)
        start = plan.day(starts)
        year_index = min(YEARS - 1, max(0, start.year - first_year))
        status = (
            Audit.Status.PLANNED
            if starts < 0
            else Audit.Status.IN_PROGRESS
            if starts < 10
            else Audit.Status.REPORTED
            if starts < 60
            else Audit.Status.CLOSED
        )
        audit = Audit(
            reference=f"AUD-{start.year}-{n + 1:02d}",
            title=f"Audit of {rng.choice(plan.units)} ({start:%B %Y})",
            programme=programmes[year_index],
            audit_type=rng.choice((Audit.Type.INTERNAL,) * 4 + (Audit.Type.SUPPLIER,)),
            criteria="ISO/IEC 42001:2023 and the AI risk management procedure.",
            lead_auditor=lead,
            auditees="System owners of the business unit\nCompliance officer",
            planned_start=start,
            planned_end=plan.day(starts - 4),
            actual_start=start if status != Audit.Status.PLANNED else None,
            actual_end=plan.day(starts - 4) if starts >= 10 else None,
            status=status,
            conclusion="The AIMS is largely effective for the audited scope."
            if starts >= 10
            else "",
        )
        audit._history_user = lead
        audit._history_date = plan.moment(max(starts + 30, 0))
        audits.append(audit)
    audits = plan.create(Audit, audits, author=lead)
    grant_team(audits)
    seed_checklists(plan, audits)
    if audits:
        # The first audit's checklist was prepared in a spreadsheet.
        plan.imported(
            ChecklistImport,
            "checklist.csv",
            [("Clause or control", "Question")]
            + [
                (item.clause.code if item.clause else item.control.code, item.question)
                for item in ChecklistItem.objects.filter(audit=audits[0]).exclude(
                    clause=None, control=None
                )[:20]
            ],
            author=lead,
            days_ago=YEARS * 365,
            audit=audits[0],
        )
    plan.objects["audits"] = audits
    # Incidents, corrective actions, improvements and a management review do not grow with
    # the audits: the demo's, through the apps' services.
    demo.seed(plan.demo_users())


def grant_team(audits):
    """The lead auditor's object permissions, as audits.internal.team keeps them on save."""
    permissions = Permission.objects.filter(
        content_type__app_label="audits",
        codename__in=[f"{action}_audit" for action in OWNER_ACTIONS],
    )
    AuditUserObjectPermission.objects.bulk_create(
        AuditUserObjectPermission(content_object=audit, user_id=audit.lead_auditor_id, permission=p)
        for audit in audits
        for p in permissions
    )


def seed_checklists(plan, audits):
    """`sizes.checklist` items dealt round the audits: clauses, Annex A controls and AI
    systems, with results where the audit has started."""
    rng = plan.rng
    clauses = list(Clause.objects.leaves().order_by("position"))
    controls = list(Control.objects.filter(framework=Framework.ISO42001).order_by("position"))
    systems = plan.objects["systems"]
    items = []
    for n in range(plan.sizes.checklist if audits else 0):
        audit = audits[n % len(audits)]
        subject = rng.choice(("clause", "clause", "control", "system"))
        item = ChecklistItem(audit=audit, position=n // len(audits) + 1)
        if subject == "clause" and clauses:
            item.clause = rng.choice(clauses)
            item.question = f"Is clause {item.clause.code} met as the procedure describes?"
        elif subject == "control" and controls:
            item.control = rng.choice(controls)
            item.question = f"Does control {item.control.code} operate as the SoA states?"
        else:
            item.ai_system = rng.choice(systems)
            item.question = f"Are the records of {item.ai_system.reference} complete and current?"
        if audit.status != Audit.Status.PLANNED:
            result, _weight, notes = rng.choices(RESULTS, weights=[r[1] for r in RESULTS])[0]
            item.result, item.notes = result, notes
        item._history_user = audit.lead_auditor
        item._history_date = audit._history_date
        items.append(item)
    raise_nonconformities(plan, plan.create(ChecklistItem, items))


def raise_nonconformities(plan, items):
    """A nonconformity for every major or minor finding, owned by the system's owner (or the
    compliance officer); those of closed audits are closed."""
    findings = [item for item in items if item.result in AuditResult.nonconformities()]
    records = []
    for n, item in enumerate(findings, start=1):
        closed = item.audit.status == Audit.Status.CLOSED
        record = Nonconformity(
            reference=f"NC-{n:04d}",
            title=f"{item.audit.reference}: {item.question}"[:200],
            source=Nonconformity.Source.INTERNAL_AUDIT,
            clause=item.clause,
            control=item.control,
            audit=item.audit,
            checklist_item=item,
            description=item.notes,
            grade=item.result,
            owner=item.ai_system.owner if item.ai_system else plan.compliance,
            status=Nonconformity.Status.CLOSED if closed else Nonconformity.Status.OPEN,
            closed_by=plan.compliance if closed else None,
            closed_on=item.audit.actual_end if closed else None,
        )
        record._history_user = item.audit.lead_auditor
        record._history_date = item._history_date
        records.append(record)
    plan.create(Nonconformity, records)
