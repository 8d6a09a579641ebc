"""Forms for the context registers."""

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
from aims.core.forms import DATE, RegisterForm


class ContextIssueForm(RegisterForm):
    class Meta:
        model = ContextIssue
        fields = [
            "reference",
            "title",
            "kind",
            "category",
            "description",
            "effect_on_aims",
            "owner",
        ]


class InterestedPartyForm(RegisterForm):
    class Meta:
        model = InterestedParty
        fields = ["reference", "name", "kind", "category", "needs", "owner"]


class PartyRequirementForm(RegisterForm):
    class Meta:
        model = PartyRequirement
        fields = ["reference", "party", "title", "description", "source", "decision", "reason"]


class ScopeStatementForm(RegisterForm):
    class Meta:
        model = ScopeStatement
        fields = [
            "reference",
            "title",
            "status",
            "statement",
            "boundaries",
            "sites",
            "organizational_units",
            "interfaces",
            "effective_from",
        ]
        widgets = {"effective_from": DATE}


class ScopeExclusionForm(RegisterForm):
    class Meta:
        model = ScopeExclusion
        fields = ["scope", "subject", "justification"]


class AIPolicyForm(RegisterForm):
    class Meta:
        model = AIPolicy
        fields = ["reference", "title", "policy_version", "content", "next_review"]
        widgets = {"next_review": DATE}


class AIMSRoleForm(RegisterForm):
    class Meta:
        model = AIMSRole
        fields = ["name", "holder", "responsibilities", "order"]


class AIMSActivityForm(RegisterForm):
    class Meta:
        model = AIMSActivity
        fields = ["clause", "name", "description", "order"]


class RACIAssignmentForm(RegisterForm):
    class Meta:
        model = RACIAssignment
        fields = ["activity", "role", "responsibility"]
