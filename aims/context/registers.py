"""The context registers on the register machinery."""

from django.utils.translation import gettext_lazy as _

from aims.context import filters, forms, tables
from aims.context.approvals import POLICY
from aims.context.attention import context_attention
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
from aims.core.approvals import decision_state
from aims.core.registry import registry
from aims.core.reminders import Due
from aims.core.roles import COMPLIANCE_OFFICER
from aims.inventory.models import AISystem

registry.register(
    ContextIssue,
    table=tables.ContextIssueTable,
    filterset=filters.ContextIssueFilterSet,
    form=forms.ContextIssueForm,
    search_fields=("reference", "title", "description", "effect_on_aims"),
    area="context",
    url_prefix="issues",
    bulk_fields=("kind", "category", "owner"),
)
registry.register(
    InterestedParty,
    table=tables.InterestedPartyTable,
    filterset=filters.InterestedPartyFilterSet,
    form=forms.InterestedPartyForm,
    search_fields=("reference", "name", "needs"),
    area="context",
    url_prefix="interested-parties",
    related=(("requirements", "party"),),
    bulk_fields=("kind", "category", "owner"),
)
registry.register(
    PartyRequirement,
    table=tables.PartyRequirementTable,
    filterset=filters.PartyRequirementFilterSet,
    form=forms.PartyRequirementForm,
    search_fields=("reference", "title", "description", "reason", "party__name"),
    area="context",
    url_prefix="requirements",
    bulk_fields=("decision",),
)
registry.register(
    ScopeStatement,
    table=tables.ScopeStatementTable,
    filterset=filters.ScopeStatementFilterSet,
    form=forms.ScopeStatementForm,
    search_fields=("reference", "title", "statement", "boundaries", "sites"),
    area="context",
    url_prefix="scope",
    related=(("exclusions", "scope"),),
    extra_context=lambda scope, user: {
        "in_scope_systems": AISystem.objects.restrict(user).filter(in_scope=True)
    },
)
registry.register(
    ScopeExclusion,
    table=tables.ScopeExclusionTable,
    filterset=filters.ScopeExclusionFilterSet,
    form=forms.ScopeExclusionForm,
    search_fields=("subject", "justification"),
    area="context",
    url_prefix="scope-exclusions",
    in_menu=False,
)
registry.register(
    AIPolicy,
    table=tables.AIPolicyTable,
    filterset=filters.AIPolicyFilterSet,
    form=forms.AIPolicyForm,
    search_fields=("reference", "title", "content"),
    area="context",
    url_prefix="ai-policy",
    extra_context=lambda policy, user: {"decision": decision_state(POLICY, user, policy)},
    due=(
        Due(
            "next_review",
            to=COMPLIANCE_OFFICER,
            label=_("AI policy review"),
            only={"status": AIPolicy.Status.APPROVED},
        ),
    ),
)
registry.register(
    AIMSRole,
    table=tables.AIMSRoleTable,
    filterset=filters.AIMSRoleFilterSet,
    form=forms.AIMSRoleForm,
    search_fields=("name", "holder", "responsibilities"),
    area="context",
    url_prefix="roles",
)
registry.register(
    AIMSActivity,
    table=tables.AIMSActivityTable,
    filterset=filters.AIMSActivityFilterSet,
    form=forms.AIMSActivityForm,
    search_fields=("clause", "name", "description"),
    area="context",
    url_prefix="activities",
)
registry.register(
    RACIAssignment,
    table=tables.RACIAssignmentTable,
    filterset=filters.RACIAssignmentFilterSet,
    form=forms.RACIAssignmentForm,
    search_fields=("activity__name", "role__name"),
    area="context",
    url_prefix="raci-assignments",
    in_menu=False,
)
registry.add_link("context", _("RACI matrix"), "context:raci_matrix", "context.view_raciassignment")
registry.attention(context_attention)
