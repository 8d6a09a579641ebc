"""Who has and has not acknowledged a version of the AI policy: the policy page's section."""

from aims.communication.forms import AcknowledgementRequestForm
from aims.communication.models import AcknowledgementRequest, asked_users
from aims.context.models import AIPolicy
from aims.core.roles import (
    ADMINISTRATOR,
    AUDITOR,
    COMPLIANCE_OFFICER,
    INTERNAL_AUDITOR,
    may_request_acknowledgement,
    role_names,
)

# Who sees everyone's state; everybody else sees only their own.
OVERSEERS = {COMPLIANCE_OFFICER, ADMINISTRATOR, AUDITOR, INTERNAL_AUDITOR}


def may_see_all(user):
    return user.is_active and bool(role_names(user) & OVERSEERS)


def share(done, total):
    return round(100 * done / total) if total else 0


def acknowledgement_section(policy, user):
    """The context of `communication/acknowledgement_section.html` (None: nothing to show)."""
    if policy.status == AIPolicy.Status.DRAFT:
        return None
    asked = list(asked_users(policy).order_by("last_name", "first_name", "username"))
    acknowledgements = {ack.user_id: ack for ack in policy.acknowledgements.select_related("user")}
    approved = policy.status == AIPolicy.Status.APPROVED
    own = acknowledgements.get(user.pk)
    section = {
        "policy": policy,
        "approved": approved,
        "own": own,
        "asked": any(person.pk == user.pk for person in asked),
        "may_see_all": may_see_all(user),
    }
    if section["may_see_all"]:
        done = [
            (person, acknowledgements[person.pk])
            for person in asked
            if person.pk in acknowledgements
        ]
        section.update(
            done=done,
            missing=[person for person in asked if person.pk not in acknowledgements],
            total=len(asked),
            share=share(len(done), len(asked)),
            requests=AcknowledgementRequest.objects.filter(policy=policy)
            .select_related("requested_by")
            .prefetch_related("roles"),
        )
    if approved and may_request_acknowledgement(user):
        section["form"] = AcknowledgementRequestForm(initial=previous_audience(policy))
    return section


def previous_audience(policy):
    """A new version asks the same people as the one before it by default."""
    last = (
        AcknowledgementRequest.objects.filter(policy__title=policy.title)
        .exclude(policy=policy)
        .order_by("-requested_at")
        .prefetch_related("roles")
        .first()
    )
    if last is None:
        return {}
    return {"all_users": last.all_users, "roles": list(last.roles.all())}
