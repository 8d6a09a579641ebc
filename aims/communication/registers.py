"""Registers of this app on the register machinery."""

from aims.communication import attention, filters, forms, tables
from aims.communication.models import CommunicationPlanItem, CommunicationRecord
from aims.core.registry import registry

registry.register(
    CommunicationPlanItem,
    table=tables.CommunicationPlanItemTable,
    filterset=filters.CommunicationPlanItemFilterSet,
    form=forms.CommunicationPlanItemForm,
    search_fields=("reference", "title", "purpose", "occasion", "audience_other"),
    area="context",
    url_prefix="plan",
    related=(("records", "plan_item"),),
    bulk_fields=("status", "communicator", "next_date"),
)
registry.register(
    CommunicationRecord,
    table=tables.CommunicationRecordTable,
    filterset=filters.CommunicationRecordFilterSet,
    form=forms.CommunicationRecordForm,
    search_fields=("subject", "audience", "summary", "plan_item__title"),
    area="context",
    url_prefix="log",
)
registry.attention(attention.acknowledgement_attention)
