"""Pack sections of clauses 4 and 5: the AIMS scope and its context, the approved AI policy with
its acknowledgements, and the roles with their RACI matrix. They concern the whole AIMS, so a
pack of chosen AI systems holds them too."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from aims.communication.acknowledgements import may_see_all
from aims.communication.models import asked_users
from aims.context.models import (
    AIMSActivity,
    AIMSRole,
    AIPolicy,
    ContextIssue,
    InterestedParty,
    PartyRequirement,
    RACIAssignment,
    ScopeExclusion,
    ScopeStatement,
)
from audits.packs.sections import section


@section("scope", _("Scope and context of the AIMS"), order=100, model=ScopeStatement)
def scope_and_context(scope):
    statement = (
        scope.visible(ScopeStatement)
        .filter(status=ScopeStatement.Status.CURRENT)
        .prefetch_related(
            Prefetch("exclusions", queryset=scope.visible(ScopeExclusion), to_attr="shown")
        )
        .first()
    )
    issues = list(scope.visible(ContextIssue).select_related("owner").order_by("kind", "reference"))
    parties = list(
        scope.visible(InterestedParty)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "requirements",
                queryset=scope.visible(PartyRequirement).order_by("reference"),
                to_attr="shown",
            )
        )
        .order_by("reference")
    )
    if statement is None and not issues and not parties:
        return None
    return {"statement": statement, "issues": issues, "parties": parties}


@section("policy", _("AI policy"), order=150, model=AIPolicy)
def ai_policy(scope):
    policy = (
        scope.visible(AIPolicy)
        .filter(status=AIPolicy.Status.APPROVED)
        .select_related("approved_by")
        .first()
    )
    if policy is None:
        return None
    context = {"policy": policy, "acknowledgements": None}
    # Who acknowledged the policy is shown to those who see everyone's state on the policy page.
    if may_see_all(scope.user):
        asked = list(asked_users(policy).order_by("last_name", "first_name", "username"))
        given = {ack.user_id: ack for ack in policy.acknowledgements.all()}
        context["acknowledgements"] = {
            "done": [(person, given[person.pk]) for person in asked if person.pk in given],
            "missing": [person for person in asked if person.pk not in given],
            "total": len(asked),
        }
    return context


@section("roles", _("Roles, responsibilities and authorities"), order=200, model=AIMSRole)
def roles_and_raci(scope):
    roles = list(scope.visible(AIMSRole))
    if not roles:
        return None
    letters = {(a.activity_id, a.role_id): a.responsibility for a in scope.visible(RACIAssignment)}
    activities = [
        (activity, [letters.get((activity.pk, role.pk), "") for role in roles])
        for activity in scope.visible(AIMSActivity)
    ]
    return {
        "roles": roles,
        "activities": activities,
        "legend": RACIAssignment.Responsibility.choices,
    }
