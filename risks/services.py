"""State changes of the risk register: activating criteria, approving treatment plans,
accepting residual risk, sending expired acceptances back to review, risks from the library."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from aims.core import approvals
from aims.core.approvals import WORKFLOW, workflow_save
from risks.approvals import ACCEPTANCE, CRITERIA, PLAN
from risks.models import Risk, RiskAcceptance, RiskCriteria


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


def with_acceptance_expiry(risks):
    """Accepted risks, each with the last day its acceptance holds (`acceptance_expires`): that
    of its newest acceptance or, for a risk accepted without one on record (by hand or by an
    import), the day it was last changed."""
    newest = RiskAcceptance.objects.filter(risk=OuterRef("pk")).order_by("-accepted_on", "-pk")
    return risks.filter(status=Risk.Status.ACCEPTED).annotate(
        acceptance_on_record=Exists(newest),
        acceptance_expires=Coalesce(
            Subquery(newest.values("expires_on")[:1]), TruncDate("updated_at")
        ),
    )


def acceptance_expired_to_review(risk, today):
    """An accepted risk whose acceptance has run out (or was never recorded) goes back into
    review: the owner assesses it again and has it accepted anew (6.1.3). The reminder engine
    runs this once the date has come (see `ACCEPTANCE_EXPIRY` in risks/registers.py)."""
    if risk.acceptance_on_record and risk.acceptance_expires >= today:
        return  # valid through its last day
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if risk.status != Risk.Status.ACCEPTED:
        return  # changed by someone meanwhile
    risk.status = Risk.Status.REVIEW
    workflow_save(risk, reason=f"{WORKFLOW}: acceptance expired")


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
            owner=Risk.default_owner(user),
            library_code=entry.code,
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
