"""State changes of the risk register: activating criteria, approving treatment plans,
accepting residual risk, sending expired acceptances back to review, risks from the library."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core.notifications import remind_once
from aims.core.roles import is_author_of_any, last_editor, may_accept_risk, may_approve
from risks.models import Risk, RiskAcceptance, RiskCriteria


def risk_criteria_activate(*, criteria, user):
    """Make a draft the active criteria; the active one retires. Risks keep their version."""
    with transaction.atomic():
        criteria = RiskCriteria.objects.select_for_update().get(pk=criteria.pk)
        if criteria.status != RiskCriteria.Status.DRAFT:
            raise ValidationError(_("Only a draft can be activated."))
        criteria.check_scales()
        try:
            with transaction.atomic():
                for previous in RiskCriteria.objects.select_for_update().filter(
                    status=RiskCriteria.Status.ACTIVE
                ):
                    previous.status = RiskCriteria.Status.RETIRED
                    previous._history_user = user
                    previous.save()
                criteria.status = RiskCriteria.Status.ACTIVE
                criteria.activated_by = user
                criteria.activated_on = timezone.localdate()
                criteria._history_user = user
                criteria.save()
        except IntegrityError:
            raise ValidationError(
                _("Other criteria were activated at the same moment. Reload and check.")
            ) from None
    return criteria


def risk_criteria_new_version(*, criteria, user):
    """A draft copy of active or retired criteria, to change them."""
    if criteria.status == RiskCriteria.Status.DRAFT:
        raise ValidationError(_("These criteria are still a draft; edit them instead."))
    draft = RiskCriteria(
        name=criteria.name,
        likelihood_scale=criteria.likelihood_scale,
        impact_scale=criteria.impact_scale,
        matrix=criteria.matrix,
        acceptance_threshold=criteria.acceptance_threshold,
    )
    draft._history_user = user
    draft.save()
    return draft


def plan_approval_refusal(risk, user):
    """Why the AI officer may not approve the risk's treatment plan now ("" when they may)."""
    actions = risk.treatment_actions.in_plan()
    if risk.plan_approved_on:
        return _("The plan is approved already.")
    if not actions.exists():
        return _("The plan has no actions to approve.")
    if is_author_of_any(user, actions):
        return _("You wrote or changed actions of this plan; someone else must approve it.")
    return ""


def risk_treatment_plan_approve(*, risk, user):
    """Designated management (the AI officer) approves the risk's treatment actions."""
    with transaction.atomic():
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        if not may_approve(user):
            raise PermissionDenied(_("Only the AI officer approves treatment plans."))
        if reason := plan_approval_refusal(risk, user):
            raise ValidationError(reason)
        risk.plan_approved_by = user
        risk.plan_approved_on = timezone.localdate()
        risk._history_user = user
        risk.save()
    return risk


def acceptance_refusal(risk, user):
    """Why the user may not accept the risk's residual level now ("" when they may)."""
    if not risk.residual_level:
        return _("Assess the residual risk before accepting it.")
    if risk.status == Risk.Status.CLOSED:
        return _("A closed risk is not accepted.")
    if not may_accept_risk(user, risk):
        if last_editor(risk) == user:
            return _("You changed this risk last; someone else must accept it (four-eyes).")
        if risk.needs_ai_officer:
            return _(
                "The residual level is above the acceptance threshold: only the AI officer "
                "accepts it."
            )
        return _("Only the risk owner or the AI officer accepts this risk.")
    return ""


def risk_accept(*, risk, user, justification, expires_on):
    """Record the acceptance of the risk's residual level (6.1.3).

    Above the criteria's threshold only the AI officer accepts, at or below it also the risk
    owner; whoever last edited the risk never accepts it.
    """
    with transaction.atomic():
        risk = Risk.objects.select_for_update().get(pk=risk.pk)
        if reason := acceptance_refusal(risk, user):
            raise ValidationError(reason)
        if not justification.strip():
            raise ValidationError(_("Give a justification."))
        if expires_on <= timezone.localdate():
            raise ValidationError(_("The acceptance must be valid beyond today."))
        acceptance = RiskAcceptance(
            risk=risk,
            accepted_by=user,
            accepted_on=timezone.localdate(),
            justification=justification,
            expires_on=expires_on,
            criteria=risk.criteria,
            residual_likelihood=risk.residual_likelihood,
            residual_impact=risk.residual_impact,
            residual_level=risk.residual_level,
            by_ai_officer=risk.needs_ai_officer,
        )
        acceptance._history_user = user
        acceptance.save()
        risk.status = Risk.Status.ACCEPTED
        risk._history_user = user
        risk.save()
    return acceptance


def expired_acceptances_to_review():
    """Daily sweep: accepted risks whose acceptance expired go back into review; the owner is
    told once. Returns the number of risks sent back."""
    today = timezone.localdate()
    sent_back = 0
    for risk in Risk.objects.filter(status=Risk.Status.ACCEPTED).select_related("owner"):
        acceptance = risk.current_acceptance
        if acceptance is not None and acceptance.expires_on >= today:
            continue
        with transaction.atomic():
            risk = Risk.objects.select_for_update().get(pk=risk.pk)
            if risk.status != Risk.Status.ACCEPTED:
                continue  # changed by someone meanwhile
            risk.status = Risk.Status.REVIEW
            risk._change_reason = "acceptance expired"
            risk.save()
            sent_back += 1
        if risk.owner:
            remind_once(
                key=f"risk-review-after-acceptance:{risk.pk}:{acceptance.pk if acceptance else 0}",
                recipients=[risk.owner],
                subject=_("Risk acceptance expired: %(risk)s") % {"risk": risk},
                body=_(
                    "The acceptance of the residual risk %(risk)s expired on %(date)s. The risk "
                    "is back in review: assess it again and have it accepted anew.\n\n%(url)s"
                )
                % {
                    "risk": risk,
                    "date": acceptance.expires_on if acceptance else "—",
                    "url": settings.PORTAL_URL + risk.get_absolute_url(),
                },
            )
    return sent_back


def risk_from_library(*, entry, ai_systems, user):
    """A new risk for the systems from a library entry, scored with the entry's typical values
    mapped onto the active criteria's scales."""
    criteria = RiskCriteria.active()
    with transaction.atomic():
        risk = Risk(
            title=entry.localized_title,
            description=entry.localized_description,
            category=entry.category,
            risk_source=entry.risk_source,
            objectives=entry.objectives,
            owner=user,
            library_code=entry.code,
            next_review=timezone.localdate() + timedelta(days=90),
        )
        if criteria:
            risk.criteria = criteria
            risk.inherent_likelihood = rescale(entry.likelihood, criteria.likelihood_levels)
            risk.inherent_impact = rescale(entry.impact, criteria.impact_levels)
        risk._history_user = user
        risk.save()
        risk.ai_systems.set(ai_systems)
        risk.controls.set(entry.typical_controls)
    return risk


def rescale(value, levels, of=5):
    """A value on a scale of `of` levels as the nearest value on a scale of `levels`."""
    return max(1, min(levels, round(value * levels / of)))
