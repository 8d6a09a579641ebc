"""State changes of AI incidents: recording one (role, serious-incident test, deadline, the
officers told), logging a report to the authority, a changed reporting period, and the one-step
nonconformity and risk. Each runs in a transaction with the rows it changes locked."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core.approvals import users_with_role, workflow_save
from aims.core.dates import short_datetime
from aims.core.notifications import notify
from aims.core.permissions import can
from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER
from audits.incidents import deadlines
from audits.models import AIIncident, IncidentReport, Nonconformity
from audits.nonconformities.services import nonconformity_raise
from controls.models import Control, Evidence, Framework
from controls.services import evidence_revision_add
from risks.models import Category, Risk

# What decides the deadline: a change of any of these recomputes it.
DEADLINE_INPUTS = ("aware_at", *deadlines.SERIOUS_FLAGS)
INCIDENT_CONTROL = "A.8.4"  # communication of incidents


def role_from_system(system):
    """Provider if the organization provides the system, else deployer (Art. 3(3), 3(4))."""
    roles = system.ai_act_roles or []
    return AIIncident.Role.PROVIDER if "provider" in roles else AIIncident.Role.DEPLOYER


def has_initial_report(incident):
    return incident.reports.filter(kind=IncidentReport.Kind.INITIAL).exists()


def incident_record(*, incident, user):
    """Save an incident from its form with what follows from it: our role when left blank,
    the serious-incident test, the reporting deadline and who recorded it. A new serious
    incident, or one that becomes serious, tells the AI officers and compliance officers."""
    with transaction.atomic():
        before = (
            AIIncident.objects.select_for_update().filter(pk=incident.pk).first()
            if incident.pk
            else None
        )
        if not incident.our_role:
            incident.our_role = role_from_system(incident.ai_system)
        incident.serious = deadlines.is_serious(incident)
        inputs_changed = before is None or any(
            getattr(before, name) != getattr(incident, name) for name in DEADLINE_INPUTS
        )
        # Once the initial report is out, its deadline is a record; it moves only with the
        # facts it was computed from.
        if inputs_changed or not has_initial_report(incident):
            incident.report_due_at = deadlines.reporting_deadline(incident)
        if before is None:
            incident.reported_by = user
        was_ever_serious = before is not None and before.history.filter(serious=True).exists()
        incident._history_user = user
        incident.save()
        if incident.serious and not was_ever_serious:
            incident_notify_serious(incident=incident)
    return incident


def incident_notify_serious(*, incident):
    """Tell the AI officers and compliance officers at once (portal and e-mail); the key makes
    the e-mail go once per incident."""
    due = timezone.localtime(incident.report_due_at)
    notify(
        recipients=list(users_with_role(AI_OFFICER, COMPLIANCE_OFFICER)),
        message=_("Serious incident %(incident)s: report due by %(due)s.")
        % {"incident": incident, "due": short_datetime(due)},
        url=incident.get_absolute_url(),
        key=f"incident-serious:{incident.pk}",
    )


def reporting_period_change(*, period, user):
    """Save a changed reporting period and recompute the deadline of every serious incident
    still waiting for its initial report; the earlier deadlines stay in their history."""
    with transaction.atomic():
        period._history_user = user
        period.save()
        periods = deadlines.current_periods()
        waiting = (
            AIIncident.objects.select_for_update()
            .serious()
            .exclude(reports__kind=IncidentReport.Kind.INITIAL)
        )
        for incident in waiting:
            due = deadlines.reporting_deadline(incident, periods)
            if due != incident.report_due_at:
                incident.report_due_at = due
                workflow_save(incident, user, reason="workflow: reporting period changed")
    return period


def incident_report_log(*, report, user, upload=None):
    """Log a report sent to the authority; its file is kept as evidence with a SHA-256. A
    final report marks the incident as finally reported."""
    with transaction.atomic():
        incident = AIIncident.objects.select_for_update().get(pk=report.incident_id)
        if upload is not None:
            report.document = report_evidence(report=report, incident=incident, user=user)
            evidence_revision_add(evidence=report.document, upload=upload, user=user)
        report._history_user = user
        report.save()
        if report.kind == IncidentReport.Kind.FINAL and incident.status == AIIncident.Status.OPEN:
            incident.status = AIIncident.Status.REPORTED
            workflow_save(incident, user)
    return report


def report_evidence(*, report, incident, user):
    evidence = Evidence(
        title=_("%(kind)s of %(incident)s to %(authority)s")
        % {
            "kind": report.get_kind_display(),
            "incident": incident.reference,
            "authority": report.authority,
        },
        description=report.summary,
        evidence_date=timezone.localtime(report.sent_at).date(),
        uploaded_by=user,
    )
    evidence._history_user = user
    evidence.save()
    evidence.ai_systems.add(incident.ai_system)
    control = Control.objects.filter(framework=Framework.ISO42001, code=INCIDENT_CONTROL).first()
    if control is not None:
        evidence.controls.add(control)
    return evidence


def incident_nonconformity_open(*, incident, user):
    """A nonconformity from the incident: major for a serious incident, minor otherwise."""
    grade = Nonconformity.Grade.MAJOR if incident.serious else Nonconformity.Grade.MINOR
    return nonconformity_raise(
        user=user,
        title=incident.title,
        description=incident.description,
        source=Nonconformity.Source.INCIDENT,
        grade=grade,
        incident=incident,
        ai_systems=[incident.ai_system],
    )


def incident_risk_create(*, incident, user):
    """A risk in the register from the incident, for the same AI system, linked to it."""
    if not can(user, "add", Risk):
        raise PermissionDenied(_("You may not add risks."))
    with transaction.atomic():
        incident = AIIncident.objects.select_for_update().get(pk=incident.pk)
        if incident.status == AIIncident.Status.CLOSED:
            raise ValidationError(_("The incident is closed."))
        risk = Risk(
            title=incident.title,
            description="\n\n".join(filter(None, [incident.description, incident.harm])),
            category=risk_category(incident),
            owner=Risk.default_owner(user),
        )
        risk._history_user = user
        risk.save()
        risk.ai_systems.add(incident.ai_system)
        incident.risks.add(risk)
    return risk


def risk_category(incident):
    if incident.death or incident.health_harm:
        return Category.SAFETY
    if incident.fundamental_rights or incident.widespread:
        return Category.LEGAL
    return Category.ROBUSTNESS


def report_deadline_title(incident):
    """The incident and the moment its report is due, as the reminders name it."""
    due = timezone.localtime(incident.report_due_at)
    return _("%(incident)s: report by %(due)s") % {
        "incident": incident,
        "due": short_datetime(due),
    }
