"""The impact assessment workflow: submit, decide (AI officer, four-eyes), start the next
version, flag a re-assessment, and turn an impact into a risk."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import approvals
from aims.core.approvals import workflow_save
from aims.core.dates import short_date
from aims.core.notifications import notify
from aims.core.permissions import permits
from aims.impact.approvals import ASSESSMENT, IMPACT_FIELDS
from aims.impact.models import OPEN_EXISTS, DecisionCondition, Impact, ImpactAssessment
from risks.models import Category, Risk

Status = ImpactAssessment.Status


def locked(assessment):
    return ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)


def content_editors(assessment):
    """Who wrote or changed the assessment or any impact ever part of it."""
    return approvals.authors(ASSESSMENT, assessment)


def impact_assessment_submit(*, assessment, user):
    """Submit a draft for the AI officer's decision; refused while no one may decide on it."""

    def check(assessment):
        if assessment.status != Status.DRAFT:
            raise ValidationError(_("Only a draft can be submitted."))
        if errors := assessment.submission_errors():
            raise ValidationError(errors)

    def submit(assessment):
        assessment.status = Status.SUBMITTED
        workflow_save(assessment, user)
        return assessment

    return approvals.submit(ASSESSMENT, assessment, user=user, check=check, apply=submit)


def impact_assessment_decide(*, assessment, user, outcome, comment="", conditions=(), seen=None):
    """Record the AI officer's decision; `conditions` are (text, owner, due date) triples."""
    data = {"outcome": outcome, "comment": comment, "conditions": conditions}
    return approvals.decide(ASSESSMENT, assessment, user=user, data=data, seen=seen)


def impact_assessment_new_version(*, assessment, user):
    """Start version n+1 as a draft copy of an approved version, impacts included."""
    with transaction.atomic():
        assessment = locked(assessment)
        if assessment.status not in ImpactAssessment.DECIDED:
            raise ValidationError(_("A new version starts from an approved version."))
        draft = ImpactAssessment(
            system=assessment.system,
            owner=assessment.owner,
            review_interval_months=assessment.review_interval_months,
            **{name: getattr(assessment, name) for name in ImpactAssessment.CONTENT_FIELDS},
        )
        if assessment.system.impact_assessments.open().exists():
            raise ValidationError(OPEN_EXISTS)
        draft._history_user = user
        draft.save()
        for impact in assessment.impacts.all():
            copy = Impact(assessment=draft, **{n: getattr(impact, n) for n in IMPACT_FIELDS})
            copy._history_user = user
            copy.save()
    return draft


def latest_decided(system):
    return (
        system.impact_assessments.filter(status__in=ImpactAssessment.DECIDED)
        .order_by("-number")
        .first()
    )


def impact_assessment_flag_due(*, system, reason):
    """Mark the system's latest decided assessment as due again and tell its owner."""
    assessment = latest_decided(system)
    if assessment is None or reason in assessment.reassessment_reason:
        return None
    assessment.reassessment_due = True
    assessment.reassessment_reason = "\n".join(
        filter(None, [assessment.reassessment_reason, reason])
    )
    workflow_save(assessment)
    notify(
        # Without an assessment owner, the system's owner keeps its records.
        recipients=[assessment.owner or system.owner],
        message=_("%(assessment)s is due for re-assessment: %(reason)s")
        % {"assessment": assessment, "reason": reason},
        url=assessment.get_absolute_url(),
        key=f"impact-due:{assessment.pk}:{assessment.version}",
    )
    return assessment


def latest_decided_versions(assessments):
    """Decided assessments not replaced by a later decided version of their system: each has
    its planned re-assessment date (the reminder engine's `Due` in aims/impact/registers.py)."""
    later = ImpactAssessment.objects.filter(
        system=OuterRef("system"),
        status__in=ImpactAssessment.DECIDED,
        number__gt=OuterRef("number"),
    )
    return (
        assessments.filter(status__in=ImpactAssessment.DECIDED)
        .exclude(Exists(later))
        .select_related("owner", "system__owner")
    )


def unmet_conditions(conditions):
    return conditions.filter(met_on__isnull=True).select_related("decision__assessment")


def assessment_keeper(assessment):
    """Who keeps the assessment: its owner, or else its system's owner."""
    return [assessment.owner or assessment.system.owner]


def impact_reassessment_date_come(assessment, today):
    """The planned re-assessment date has come: flag the assessment as due (once per date)."""
    impact_assessment_flag_due(
        system=assessment.system,
        reason=_("the planned re-assessment date %(date)s has come")
        % {"date": short_date(assessment.next_review)},
    )


AREA_CATEGORIES = {
    "fairness": Category.BIAS_FAIRNESS,
    "transparency": Category.TRANSPARENCY,
    "privacy_security": Category.PRIVACY,
    "safety_health": Category.SAFETY,
    "human_rights": Category.LEGAL,
}


def impact_risk_create(*, impact, user):
    """A risk in the register for a high-severity impact, linked both ways."""
    with transaction.atomic():
        impact = Impact.objects.select_for_update().get(pk=impact.pk)
        if not impact.may_become_risk:
            raise ValidationError(
                _("Only a negative impact of high or critical severity without a risk becomes one.")
            )
        assessment = impact.assessment
        risk = Risk(
            title=f"{impact.get_area_display()}: {impact.affected_group}"[:200],
            description=impact.description,
            category=AREA_CATEGORIES.get(impact.area, Category.LEGAL),
            owner=Risk.default_owner(user),
        )
        risk._history_user = user
        risk.save()
        risk.ai_systems.add(assessment.system)
        if impact.control_id:
            risk.controls.add(impact.control_id)
        impact.risk = risk
        workflow_save(impact, user)
    return risk


def may_confirm_condition(user, condition):
    """A condition's owner confirms it, and so does whoever keeps the assessment."""
    assessment = condition.decision.assessment
    return condition.owner_id == user.pk or permits(user, "change", assessment)


def decision_condition_meet(*, condition, user, met_on, evidence=None, note=""):
    """Record that a condition of an approval is met, with the evidence; the decider is told."""
    with transaction.atomic():
        condition = (
            DecisionCondition.objects.select_for_update()
            .select_related("decision__assessment")
            .get(pk=condition.pk)
        )
        if not may_confirm_condition(user, condition):
            raise PermissionDenied
        if condition.met_on:
            raise ValidationError(_("This condition is met already."))
        if met_on > timezone.localdate():
            raise ValidationError({"met_on": _("The date lies in the future.")})
        if evidence is None and not note.strip():
            raise ValidationError(
                {"met_note": _("Choose the evidence or say how the condition was met.")}
            )
        condition.met_on, condition.met_by = met_on, user
        condition.evidence, condition.met_note = evidence, note
        workflow_save(condition, user)
        decision = condition.decision
        notify(
            recipients=[decision.decided_by],
            message=_("Condition met for %(assessment)s: %(condition)s")
            % {"assessment": decision.assessment, "condition": condition},
            url=decision.assessment.get_absolute_url(),
            key=f"condition-met:{condition.pk}",
        )
    return condition
