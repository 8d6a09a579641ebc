"""State changes of the risk register: activating criteria, approving treatment plans,
accepting residual risk, sending expired acceptances back to review, risks from the library."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core import approvals
from aims.core.approvals import WORKFLOW, workflow_save
from aims.core.notifications import remind_once
from risks.approvals import ACCEPTANCE, CRITERIA, PLAN
from risks.models import Risk, RiskCriteria


def risk_criteria_activate(*, criteria, user, seen=None):
    """Make a draft the active criteria; the active one retires. Risks keep their version."""
    return approvals.decide(CRITERIA, criteria, user=user, data={"outcome": "activate"}, seen=seen)


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
    # A copy makes no one an author: what is changed in the draft afterwards does.
    workflow_save(draft, user, reason=f"{WORKFLOW}: new version")
    return draft


def risk_treatment_plan_approve(*, risk, user, seen=None):
    """Designated management (the AI officer) approves the risk's treatment actions."""
    return approvals.decide(PLAN, risk, user=user, data={"outcome": "approve"}, seen=seen)


def acceptance_refusal(risk, user):
    """Why the user may not accept the risk's residual level now ("" when they may)."""
    return approvals.refusal(ACCEPTANCE, user, risk)


def risk_accept(*, risk, user, justification, expires_on, seen=None):
    """Record the acceptance of the risk's residual level (6.1.3)."""
    data = {"outcome": "accept", "justification": justification, "expires_on": expires_on}
    return approvals.decide(ACCEPTANCE, risk, user=user, data=data, seen=seen)


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
            workflow_save(risk, reason=f"{WORKFLOW}: acceptance expired")
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
