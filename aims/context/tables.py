"""List columns of the context registers."""

import django_tables2 as tables

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
from aims.core.tables import RegisterTable


class ContextIssueTable(RegisterTable):
    reference = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ContextIssue
        fields = ("reference", "title", "kind", "category", "owner", "updated_at")


class InterestedPartyTable(RegisterTable):
    reference = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = InterestedParty
        fields = ("reference", "name", "kind", "category", "owner", "updated_at")


class PartyRequirementTable(RegisterTable):
    reference = tables.Column(linkify=True)
    party = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = PartyRequirement
        fields = ("reference", "title", "party", "source", "decision", "updated_at")


class ScopeStatementTable(RegisterTable):
    reference = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ScopeStatement
        fields = ("reference", "title", "status", "effective_from", "updated_at")


class ScopeExclusionTable(RegisterTable):
    subject = tables.Column(linkify=True)
    scope = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ScopeExclusion
        fields = ("subject", "scope", "justification")


class AIPolicyTable(RegisterTable):
    reference = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = AIPolicy
        fields = (
            "reference",
            "title",
            "policy_version",
            "status",
            "approved_by",
            "approved_on",
            "next_review",
        )


class AIMSRoleTable(RegisterTable):
    name = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = AIMSRole
        fields = ("name", "holder", "order")


class AIMSActivityTable(RegisterTable):
    name = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = AIMSActivity
        fields = ("clause", "name", "order")


class RACIAssignmentTable(RegisterTable):
    activity = tables.Column(linkify=True)
    role = tables.Column(linkify=True)
    responsibility = tables.Column(linkify=lambda record: record.get_absolute_url())

    class Meta(RegisterTable.Meta):
        model = RACIAssignment
        fields = ("activity", "role", "responsibility")
