"""Demo nonconformities and improvements from the demo audit's findings: a minor nonconformity
whose corrective action worked, verified and closed; a major one with an overdue action; an
observation taken up as an improvement. Every step goes through the services, by the person
who would take it. Running it again changes nothing."""

from datetime import timedelta

from django.utils import timezone

from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, INTERNAL_AUDITOR, SYSTEM_OWNER
from aims.core.seeding import ensure
from audits.models import AuditResult, CorrectiveAction, EffectivenessCheck, Nonconformity
from audits.nonconformities import services
from audits.nonconformities.views import finding_title

Status = Nonconformity.Status


def seed(users, audit):
    minor = audit.checklist.filter(result=AuditResult.MINOR).first()
    major = audit.checklist.filter(result=AuditResult.MAJOR).first()
    observation = audit.checklist.filter(result=AuditResult.OBSERVATION).first()
    if minor is not None:
        closed_nonconformity(users, raised(users, minor))
    if major is not None:
        open_nonconformity(users, raised(users, major))
    if observation is not None and not hasattr(observation, "improvement"):
        services.improvement_raise(
            user=users[INTERNAL_AUDITOR],
            title=finding_title(observation),
            description=observation.notes or observation.question,
            source="audit",
            checklist_item=observation,
            owner=users[AI_OFFICER],
        )


def raised(users, item):
    existing = Nonconformity.objects.filter(checklist_item=item).first()
    if existing is not None:
        return existing
    return services.nonconformity_raise(
        user=users[INTERNAL_AUDITOR],
        title=finding_title(item),
        description=item.notes or item.question,
        source=Nonconformity.Source.INTERNAL_AUDIT,
        grade=Nonconformity.Grade(item.result),
        clause=item.clause,
        control=item.control,
        audit=item.audit,
        checklist_item=item,
        ai_systems=[item.ai_system] if item.ai_system_id else [],
        owner=users[COMPLIANCE_OFFICER],
    )


def after_audit(nc, days):
    """A date some days after the audit ended, never later than today."""
    end = nc.audit.actual_end or nc.audit.planned_end if nc.audit_id else timezone.localdate()
    return min(end + timedelta(days=days), timezone.localdate())


def closed_nonconformity(users, nc):
    """Corrected, a root cause, one action done by the system owner, verified effective by the
    internal auditor and closed by the compliance officer (who owns no action)."""
    officer = users[COMPLIANCE_OFFICER]
    if nc.status == Status.OPEN:
        services.nonconformity_record_correction(
            nonconformity=nc,
            user=officer,
            correction="The missing risk owners were assigned the same week.",
            correction_date=after_audit(nc, 3),
        )
    action = ensure(
        CorrectiveAction,
        {"nonconformity": nc, "title": "Make the risk owner a required field of every risk"},
        {"owner": users[SYSTEM_OWNER], "due_date": after_audit(nc, 30)},
        author=officer,
    )
    nc.refresh_from_db()
    if nc.status == Status.CORRECTED:
        services.nonconformity_plan_actions(
            nonconformity=nc,
            user=officer,
            root_cause="The risk assessment procedure did not say who owns a new risk.",
            cause_category=Nonconformity.CauseCategory.PROCESS,
        )
    if action.status != CorrectiveAction.Status.DONE:
        action.status = CorrectiveAction.Status.DONE
        action.done_on = after_audit(nc, 20)
        action._history_user = users[SYSTEM_OWNER]
        action.save()
    nc.refresh_from_db()
    if nc.status == Status.ACTIONS_PLANNED:
        services.nonconformity_complete_actions(nonconformity=nc, user=officer)
    ensure(
        EffectivenessCheck,
        {"nonconformity": nc},
        {
            "method": "Re-sample ten risks created since the change.",
            "due_date": after_audit(nc, 45),
        },
        author=officer,
    )
    nc.refresh_from_db()
    if nc.status == Status.ACTIONS_DONE:
        services.nonconformity_verify_effectiveness(
            nonconformity=nc,
            user=users[INTERNAL_AUDITOR],
            result=EffectivenessCheck.Result.EFFECTIVE,
            notes="All ten sampled risks have an owner.",
        )
    nc.refresh_from_db()
    if nc.status == Status.VERIFIED:
        services.nonconformity_close(nonconformity=nc, user=officer)


def open_nonconformity(users, nc):
    """Corrected, with a root cause and an action of the AI officer that is overdue."""
    officer = users[COMPLIANCE_OFFICER]
    if nc.status == Status.OPEN:
        services.nonconformity_record_correction(
            nonconformity=nc,
            user=officer,
            correction="The affected system was put under manual review until further notice.",
            correction_date=after_audit(nc, 2),
        )
    ensure(
        CorrectiveAction,
        {"nonconformity": nc, "title": "Set up the operational monitoring the plan requires"},
        # Overdue on purpose: the dashboard and the reminders show it.
        {"owner": users[AI_OFFICER], "due_date": timezone.localdate() - timedelta(days=10)},
        author=officer,
    )
    nc.refresh_from_db()
    if nc.status == Status.CORRECTED:
        services.nonconformity_plan_actions(
            nonconformity=nc,
            user=officer,
            root_cause="Monitoring was planned but no one was given the task or the budget.",
            cause_category=Nonconformity.CauseCategory.RESOURCES,
        )
