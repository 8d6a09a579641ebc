"""State changes of internal audits: the audit's status (planned → in progress → reported →
closed), the independence override, and the programme's return to draft when its plan
changes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import approvals
from aims.core.approvals import WORKFLOW, workflow_save
from aims.core.roles import may_override_independence
from audits.internal.approvals import PROGRAMME
from audits.internal.checklist import generate_checklist
from audits.internal.independence import find_conflicts
from audits.models import Audit, AuditProgramme

# The change reason of a programme's return to draft; the audit's reference follows it.
REOPENED = f"{WORKFLOW}: plan changed "


def locked_audit(audit, user):
    """The audit, locked, if the user may change it (lead, team, compliance officer)."""
    audit = Audit.objects.select_for_update(of=("self",)).filter(pk=audit.pk).first()
    if audit is None or not Audit.objects.restrict(user, "change").filter(pk=audit.pk).exists():
        raise PermissionDenied
    return audit


def audit_start(*, audit, user, on=None):
    """Start a planned audit: its checklist is generated from the scope."""
    with transaction.atomic():
        audit = locked_audit(audit, user)
        if audit.status != Audit.Status.PLANNED:
            raise ValidationError(_("Only a planned audit can be started."))
        if not (audit.clauses.exists() or audit.controls.exists() or audit.ai_systems.exists()):
            raise ValidationError(
                _("The audit has nothing in scope. Choose clauses, controls or AI systems first.")
            )
        audit.status = Audit.Status.IN_PROGRESS
        audit.actual_start = on or audit.actual_start or timezone.localdate()
        workflow_save(audit, user)
        generate_checklist(audit, user=user)
    return audit


def audit_report_issue(*, audit, user, on=None):
    """Record that the audit is reported; every checklist item must have a result."""
    with transaction.atomic():
        audit = locked_audit(audit, user)
        if audit.status != Audit.Status.IN_PROGRESS:
            raise ValidationError(_("Only an audit in progress can be reported."))
        total = audit.checklist.count()
        open_items = audit.checklist.filter(result="").count()
        if not total:
            raise ValidationError(_("The checklist is empty: nothing has been audited yet."))
        if open_items:
            raise ValidationError(
                _(
                    "%(count)s of %(total)s checklist items have no result yet. Record a result "
                    "for each (“Not audited” where it was not checked) before reporting."
                )
                % {"count": open_items, "total": total}
            )
        audit.status = Audit.Status.REPORTED
        audit.actual_end = on or timezone.localdate()
        workflow_save(audit, user)
    return audit


def audit_close(*, audit, user):
    """Close a reported audit: it and its checklist become a record."""
    with transaction.atomic():
        audit = locked_audit(audit, user)
        if audit.status != Audit.Status.REPORTED:
            raise ValidationError(_("Only a reported audit can be closed."))
        audit.status = Audit.Status.CLOSED
        workflow_save(audit, user)
    return audit


def audit_independence_override(*, audit, user, people, justification):
    """Record that the conflicts of `people` with the audit's scope are accepted, and why.

    The override names the conflicts it accepts; any other conflict is refused again."""
    if not may_override_independence(user):
        raise PermissionDenied
    if not justification.strip():
        raise ValidationError(_("Give the justification for accepting the conflicts."))
    with transaction.atomic():
        audit = Audit.objects.select_for_update(of=("self",)).get(pk=audit.pk)
        if audit.lock_reason:
            raise ValidationError(audit.lock_reason)
        found = find_conflicts(
            people,
            ai_systems=audit.ai_systems.all(),
            clauses=audit.clauses.select_related("parent__parent"),
            controls=audit.controls.all(),
        )
        if not found:
            raise ValidationError(
                _(
                    "These people have no conflict with the audit's scope: there is nothing "
                    "to accept."
                )
            )
        audit.independence_override = justification.strip()
        audit.independence_conflicts = "\n".join(conflict.record_text for conflict in found)
        audit.independence_override_by = user
        audit.independence_override_at = timezone.now()
        workflow_save(audit, user, reason=f"{WORKFLOW}: independence override")
    return audit


def audit_programme_reopen(*, programme, user, audit):
    """An approved programme whose audit plan changed returns to draft for a new approval,
    as a treatment plan does."""
    with transaction.atomic():
        programme = AuditProgramme.objects.select_for_update().get(pk=programme.pk)
        if programme.status != AuditProgramme.Status.APPROVED:
            return programme
        programme.status = AuditProgramme.Status.DRAFT
        programme.approved_by = programme.approved_on = None
        workflow_save(programme, user, reason=f"{REOPENED}{audit.reference}")
        transaction.on_commit(lambda: notify_reopened(programme, user))
    return programme


def notify_reopened(programme, user):
    if user is not None:
        approvals.notify_deciders(PROGRAMME, programme, user=user)


def reopened_by(programme):
    """(reference of the audit whose change returned the draft programme to draft, when), or
    None for a programme never approved or approved now. History is newest first."""
    if programme.status != AuditProgramme.Status.DRAFT:
        return None
    last = programme.history.filter(history_change_reason__startswith=REOPENED).first()
    if last is None:
        return None
    return last.history_change_reason[len(REOPENED) :], last.history_date
