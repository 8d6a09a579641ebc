"""Filters of the context registers (the search box is the machinery's own)."""

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
from aims.core.filters import RegisterFilterSet


class ContextIssueFilterSet(RegisterFilterSet):
    class Meta:
        model = ContextIssue
        fields = ["kind", "category", "owner"]


class InterestedPartyFilterSet(RegisterFilterSet):
    class Meta:
        model = InterestedParty
        fields = ["kind", "category"]


class PartyRequirementFilterSet(RegisterFilterSet):
    class Meta:
        model = PartyRequirement
        fields = ["source", "decision", "party"]


class ScopeStatementFilterSet(RegisterFilterSet):
    class Meta:
        model = ScopeStatement
        fields = ["status"]


class ScopeExclusionFilterSet(RegisterFilterSet):
    class Meta:
        model = ScopeExclusion
        fields = ["scope"]


class AIPolicyFilterSet(RegisterFilterSet):
    class Meta:
        model = AIPolicy
        fields = ["status"]


class AIMSRoleFilterSet(RegisterFilterSet):
    class Meta:
        model = AIMSRole
        fields = []


class AIMSActivityFilterSet(RegisterFilterSet):
    class Meta:
        model = AIMSActivity
        fields = []


class RACIAssignmentFilterSet(RegisterFilterSet):
    class Meta:
        model = RACIAssignment
        fields = ["responsibility", "role", "activity"]
