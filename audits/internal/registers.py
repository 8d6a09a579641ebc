"""Registers of this area on the register machinery."""

from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.reminders import Due
from aims.core.roles import (
    ADMINISTRATOR,
    AI_OFFICER,
    AUDITOR,
    COMPLIANCE_OFFICER,
    FULL,
    INTERNAL_AUDITOR,
    READ,
    READ_ONLY_RECORDS,
    SYSTEM_OWNER,
)
from audits.internal import filters, forms, tables
from audits.internal.attention import audit_attention
from audits.internal.checklist_import_records import ChecklistImportFilterSet, ChecklistImportTable
from audits.internal.views import audit_detail_context, programme_detail_context
from audits.models import Audit, AuditProgramme, ChecklistImport, ChecklistItem

# An internal auditor adds audits they are on and writes those (object permissions of the team,
# see audits.internal.team); the external auditor reads.
AUDIT_RULES = {
    ADMINISTRATOR: FULL,
    COMPLIANCE_OFFICER: FULL,
    AI_OFFICER: READ,
    SYSTEM_OWNER: READ,
    AUDITOR: READ,
    INTERNAL_AUDITOR: ("view", "add"),
}

registry.register(
    AuditProgramme,
    table=tables.AuditProgrammeTable,
    filterset=filters.AuditProgrammeFilterSet,
    form=forms.AuditProgrammeForm,
    search_fields=("reference", "title", "period", "objectives"),
    area="audits",
    url_prefix="programmes",
    extra_context=programme_detail_context,
)
registry.register(
    Audit,
    table=tables.AuditTable,
    filterset=filters.AuditFilterSet,
    form=forms.AuditForm,
    search_fields=("reference", "title", "criteria", "auditees"),
    area="audits",
    url_prefix="audits",
    roles=AUDIT_RULES,
    extra_context=audit_detail_context,
    due=(
        Due(
            "planned_start",
            to=("lead_auditor", COMPLIANCE_OFFICER),
            label=_("Planned start of an audit not started"),
            only={"status": Audit.Status.PLANNED},
        ),
    ),
)
registry.register(
    ChecklistItem,
    table=tables.ChecklistItemTable,
    filterset=filters.ChecklistItemFilterSet,
    form=forms.ChecklistItemForm,
    search_fields=("question", "notes", "audit__reference", "clause__code", "control__code"),
    area="audits",
    url_prefix="checklist",
    in_menu=False,
)
registry.attention(audit_attention)

# Written by the checklist import only (audits/internal/imports.py); seen with the audit.
registry.register(
    ChecklistImport,
    table=ChecklistImportTable,
    filterset=ChecklistImportFilterSet,
    form=None,
    search_fields=("file_name", "sha256", "audit__reference"),
    area="audits",
    url_prefix="checklist-imports",
    roles=READ_ONLY_RECORDS,
    in_menu=False,
)
