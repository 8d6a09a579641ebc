"""The impact assessment workflow: submit, decide (AI officer, four-eyes), start the next
version, flag a re-assessment, and turn an impact into a risk."""

import calendar
import json
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core.digests import canonical_sha256
from aims.core.notifications import notify
from aims.core.roles import AI_OFFICER, may_approve
from aims.impact.models import (
    OPEN_EXISTS,
    AssessmentDecision,
    DecisionCondition,
    Impact,
    ImpactAssessment,
)
from risks.models import Category, Risk

Status = ImpactAssessment.Status
Outcome = AssessmentDecision.Outcome
IMPACT_FIELDS = (
    "area",
    "description",
    "affected_group",
    "positive",
    "likelihood",
    "severity",
    "mitigation",
    "control_id",
)


def snapshot(assessment):
    """The assessment's content as canonical data: what a decision covers."""
    impacts = sorted(
        ({name: getattr(i, name) for name in IMPACT_FIELDS} for i in assessment.impacts.all()),
        key=lambda item: json.dumps(item, sort_keys=True),
    )
    return {
        "reference": assessment.reference,
        "system": assessment.system.reference,
        "version": assessment.number,
        **{name: getattr(assessment, name) for name in ImpactAssessment.CONTENT_FIELDS},
        "impacts": impacts,
    }


# Saves by the workflow itself (a status, a flag) carry this reason: they make no one an
# author of the content.
WORKFLOW = "workflow"


def locked(assessment):
    return ImpactAssessment.objects.select_for_update().get(pk=assessment.pk)


def workflow_save(obj, user=None):
    obj._history_user = user
    obj._change_reason = WORKFLOW
    obj.save()


def content_editors(assessment):
    """Who wrote or changed the assessment or its impacts, in order of their last change."""
    records = [
        *assessment.history.exclude(history_change_reason=WORKFLOW),
        *Impact.history.filter(assessment_id=assessment.pk).exclude(history_change_reason=WORKFLOW),
    ]
    records.sort(key=lambda record: record.history_date)
    return [record.history_user_id for record in records if record.history_user_id]


def impact_assessment_submit(*, assessment, user):
    with transaction.atomic():
        assessment = locked(assessment)
        if assessment.status != Status.DRAFT:
            raise ValidationError(_("Only a draft can be submitted."))
        if errors := assessment.submission_errors():
            raise ValidationError(errors)
        assessment.status = Status.SUBMITTED
        workflow_save(assessment, user)
        officers = get_user_model().objects.filter(groups__name=AI_OFFICER, is_active=True)
        notify(
            recipients=[officer for officer in officers if officer != user],
            message=_("%(assessment)s was submitted for your decision.")
            % {"assessment": assessment},
            url=assessment.get_absolute_url(),
            key=f"impact-submitted:{assessment.pk}:{assessment.version}",
        )
    return assessment


def decision_refusal(user, assessment):
    """Why the user may not decide on the assessment now ("" when they may)."""
    if assessment.status != Status.SUBMITTED:
        return _("Only a submitted assessment can be decided.")
    if not may_approve(user):
        return _("Only the AI officer decides on impact assessments.")
    if user.pk in content_editors(assessment):
        return _("You wrote or changed this assessment; someone else must decide on it.")
    return ""


def impact_assessment_decide(*, assessment, user, outcome, comment="", conditions=()):
    """Record the AI officer's decision; `conditions` are (text, owner, due date) triples."""
    with transaction.atomic():
        assessment = locked(assessment)
        if refusal := decision_refusal(user, assessment):
            raise ValidationError(refusal)
        if outcome == Outcome.REJECTED and not comment.strip():
            raise ValidationError(_("Give the reasons for the rejection."))
        if (outcome == Outcome.APPROVED_WITH_CONDITIONS) != bool(conditions):
            raise ValidationError(
                _(
                    "An approval with conditions needs at least one condition; a plain "
                    "approval has none."
                )
            )
        data = snapshot(assessment)
        decision = AssessmentDecision.objects.create(
            assessment=assessment,
            outcome=outcome,
            decided_by=user,
            comment=comment,
            snapshot=data,
            snapshot_sha256=canonical_sha256(data),
        )
        DecisionCondition.objects.bulk_create(
            DecisionCondition(decision=decision, text=text, owner=owner, due_date=due)
            for text, owner, due in conditions
        )
        if outcome == Outcome.REJECTED:
            assessment.status = Status.DRAFT
        else:
            assessment.status = outcome
            assessment.next_review = add_months(
                timezone.localdate(), assessment.review_interval_months
            )
            assessment.reassessment_due = False
            assessment.reassessment_reason = ""
            # The approved version is the re-assessment the earlier ones were due for.
            for earlier in assessment.system.impact_assessments.filter(
                reassessment_due=True, number__lt=assessment.number
            ):
                earlier.reassessment_due = False
                workflow_save(earlier, user)
        workflow_save(assessment, user)
        authors = set(content_editors(assessment)) | {assessment.owner_id}
        notify(
            recipients=get_user_model().objects.filter(pk__in=authors - {None, user.pk}),
            message=_("%(assessment)s: %(decision)s.")
            % {"assessment": assessment, "decision": decision.get_outcome_display()},
            url=assessment.get_absolute_url(),
            key=f"impact-decided:{decision.pk}",
        )
    return decision


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


def impact_reviews_due(today=None):
    """Daily sweep: flag decided assessments whose planned re-assessment date has come."""
    today = today or timezone.localdate()
    flagged = 0
    due = ImpactAssessment.objects.filter(
        status__in=ImpactAssessment.DECIDED, reassessment_due=False, next_review__lte=today
    ).select_related("system")
    for assessment in due:
        latest = latest_decided(assessment.system)
        if latest.pk != assessment.pk:  # replaced by a later version, which has its own date
            continue
        if impact_assessment_flag_due(
            system=assessment.system,
            reason=_("the planned re-assessment date %(date)s has come")
            % {"date": assessment.next_review.isoformat()},
        ):
            flagged += 1
    return flagged


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
            owner=user,
            next_review=timezone.localdate() + timedelta(days=90),
        )
        risk._history_user = user
        risk.save()
        risk.ai_systems.add(assessment.system)
        if impact.control_id:
            risk.controls.add(impact.control_id)
        impact.risk = risk
        workflow_save(impact, user)
    return risk


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )
