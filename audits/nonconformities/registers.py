"""Registers of this area on the register machinery."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.reminders import Due
from aims.core.roles import COMPLIANCE_OFFICER
from audits.models import CorrectiveAction, EffectivenessCheck, Improvement, Nonconformity
from audits.nonconformities import attention, filters, forms, tables
from audits.nonconformities.views import (
    corrective_action_detail_context,
    nonconformity_detail_context,
)

registry.register(
    Nonconformity,
    table=tables.NonconformityTable,
    filterset=filters.NonconformityFilterSet,
    form=forms.NonconformityForm,
    search_fields=("reference", "title", "description", "root_cause"),
    area="audits",
    url_prefix="nonconformities",
    extra_context=nonconformity_detail_context,
)
registry.register(
    CorrectiveAction,
    table=tables.CorrectiveActionTable,
    filterset=filters.CorrectiveActionFilterSet,
    form=forms.CorrectiveActionForm,
    search_fields=("title", "description", "nonconformity__reference", "nonconformity__title"),
    area="audits",
    url_prefix="corrective-actions",
    bulk_fields=("owner", "due_date", "status"),
    extra_context=corrective_action_detail_context,
    due=(
        Due(
            "due_date",
            to=("owner", "nonconformity__owner"),
            label=_("Corrective action"),
            only={"status__in": CorrectiveAction.OPEN},
            related=("nonconformity",),
        ),
    ),
)
registry.register(
    EffectivenessCheck,
    table=tables.EffectivenessCheckTable,
    filterset=filters.EffectivenessCheckFilterSet,
    form=forms.EffectivenessCheckForm,
    search_fields=("method", "notes", "nonconformity__reference"),
    area="audits",
    url_prefix="effectiveness-checks",
    in_menu=False,
    # The compliance officers verify effectiveness: they hear of every check from the start.
    due=(
        Due(
            "due_date",
            to=("nonconformity__owner", COMPLIANCE_OFFICER),
            label=_("Effectiveness check"),
            only=Q(result="") & ~Q(nonconformity__status=Nonconformity.Status.CLOSED),
            parent="nonconformity",
        ),
    ),
)
registry.register(
    Improvement,
    table=tables.ImprovementTable,
    filterset=filters.ImprovementFilterSet,
    form=forms.ImprovementForm,
    search_fields=("reference", "title", "description"),
    area="audits",
    url_prefix="improvements",
)
registry.attention(attention.nonconformity_attention)
registry.panel(attention.nonconformity_panel)
