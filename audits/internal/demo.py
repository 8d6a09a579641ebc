"""Demo internal audit of Rheinwerk Versicherung AG: the approved 2026 programme and the
internal audit AUD-2026-01 of clauses 6–8 and Annex A.5–A.7, carried out and reported by the
internal auditor (one minor and one major nonconformity, one observation)."""

from datetime import date

from aims.core import approvals
from aims.core.approvals import workflow_save
from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, INTERNAL_AUDITOR
from aims.core.seeding import ensure
from aims.inventory.models import AISystem
from audits.internal.approvals import PROGRAMME
from audits.internal.services import audit_close, audit_report_issue, audit_start
from audits.models import Audit, AuditProgramme, AuditResult, Clause
from controls.models import Control

FINDINGS = {
    "6.1.2": (
        AuditResult.MINOR,
        "Two of ten sampled risks had no owner and no next review date.",
    ),
    "8.4": (
        AuditResult.MAJOR,
        "No impact assessment was repeated after the claims triage model was retrained in "
        "August; the procedure asks for one after every significant change.",
    ),
    "A.7.4": (
        AuditResult.OBSERVATION,
        "Data quality checks are done, but their thresholds are kept only in a notebook.",
    ),
}


def seed(users):
    officer, lead = users[COMPLIANCE_OFFICER], users[INTERNAL_AUDITOR]
    programme = ensure(
        AuditProgramme,
        {"period": "2026"},
        {
            "title": "Internal audit programme 2026",
            "objectives": "Audit every clause of ISO/IEC 42001 and every applicable Annex A "
            "control at least once in the three-year certification cycle; 2026 covers "
            "planning, support and operation.",
            "criteria": "ISO/IEC 42001:2023, the AI policy, the EU AI Act obligations of the "
            "portal's AI systems.",
            "methods": "Interviews, document review, sampling of records in the portal.",
        },
        author=officer,
    )
    audit = Audit.objects.filter(reference="AUD-2026-01").first()
    if audit is None:
        audit = ensure(
            Audit,
            {"reference": "AUD-2026-01"},
            {
                "title": "Planning, support and operation of the AIMS",
                "programme": programme,
                "audit_type": Audit.Type.INTERNAL,
                "criteria": "ISO/IEC 42001:2023 clauses 6–8 and Annex A.5–A.7; the risk "
                "management procedure.",
                "lead_auditor": lead,
                "auditees": "Compliance officer\nAI officer\nOwner of the claims triage model",
                "organizational_units": "Claims\nData & Analytics",
                "planned_start": date(2026, 10, 12),
                "planned_end": date(2026, 10, 16),
                "conclusion": "The AIMS is largely effective for planning, support and "
                "operation; impact assessments are not repeated after significant changes.",
            },
            author=officer,
        )
        audit.clauses.set(
            Clause.objects.leaves().filter(code__regex=r"^[678](\.|$)").order_by("position")
        )
        audit.controls.set(Control.objects.filter(framework="iso42001", code__regex=r"^A\.[567]\."))
        audit.ai_systems.set(AISystem.objects.filter(reference="AIS-001"))
    if programme.status == AuditProgramme.Status.DRAFT and PROGRAMME.is_awaiting(programme):
        programme = approvals.decide(
            PROGRAMME, programme, user=users[AI_OFFICER], data={"outcome": "approve"}
        )
        # The demo programme was approved at the start of its year, before its audits.
        programme.approved_on = date(2026, 1, 20)
        workflow_save(programme, users[AI_OFFICER])
    if audit.status == Audit.Status.PLANNED:
        audit = audit_start(audit=audit, user=lead, on=date(2026, 10, 12))
    for item in audit.checklist.filter(result="").select_related("clause", "control"):
        item.result, item.notes = FINDINGS.get(
            item.subject_code, (AuditResult.CONFORMING, "Sampled records conform.")
        )
        item._history_user = lead
        item.save()
    if audit.status == Audit.Status.IN_PROGRESS:
        audit = audit_report_issue(audit=audit, user=lead, on=date(2026, 10, 16))
    return audit


def finish(users, audit):
    """Close the reported audit (after its findings were raised as nonconformities)."""
    if audit.status == Audit.Status.REPORTED:
        audit = audit_close(audit=audit, user=users[INTERNAL_AUDITOR])
    return audit
