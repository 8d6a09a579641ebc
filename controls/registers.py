"""The controls registers on the register machinery."""

from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from aims.core.registry import PickerSpec, registry
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
from controls import filters, forms, tables
from controls.attention import controls_attention
from controls.models import Control, Evidence, SoAEntry, SoAImport, SoAVersion
from controls.models.catalogue import Framework
from controls.views import (
    catalogue_note,
    control_detail_context,
    evidence_context,
    soa_entry_context,
    soa_summary,
    soa_version_context,
)

registry.register(
    SoAEntry,
    table=tables.SoAEntryTable,
    filterset=filters.SoAEntryFilterSet,
    form=forms.SoAEntryForm,
    search_fields=(
        "control__code",
        "control__title",
        "control__title_de",
        "inclusion_justification",
        "exclusion_justification",
    ),
    area="controls",
    url_prefix="soa",
    related=(("evidence", "soa_entries"),),
    extra_context=soa_entry_context,
    above_table=soa_summary,
    bulk_fields=(
        "applicable",
        "inclusion_justification",
        "exclusion_justification",
        "owner",
        "status",
        "next_review",
    ),
    due=(
        Due(
            "next_review",
            to="owner",
            label=_("SoA entry review"),
            only={"applicable": True},
            related=("control", "ai_system"),
        ),
    ),
)
registry.register(
    SoAVersion,
    table=tables.SoAVersionTable,
    filterset=filters.SoAVersionFilterSet,
    form=None,  # issued from the SoA page
    search_fields=("note", "sha256"),
    # The compliance officer issues versions; the record itself changes only by a decision.
    roles={
        **READ_ONLY_RECORDS,
        COMPLIANCE_OFFICER: ("view", "add"),
        ADMINISTRATOR: ("view", "add"),
    },
    area="controls",
    url_prefix="soa-versions",
    extra_context=soa_version_context,
)
registry.register(
    Control,
    table=tables.ControlTable,
    filterset=filters.ControlFilterSet,
    form=forms.ControlForm,
    search_fields=("code", "title", "title_de", "guidance", "guidance_de"),
    area="controls",
    url_prefix="catalogue",
    related=(("risks", "controls"), ("evidence", "controls")),
    extra_context=control_detail_context,
    above_table=catalogue_note,
    # Pickers show the catalogues as the standard reads: by catalogue, then objective.
    picker=PickerSpec(
        fields=("code", "title", "title_de"),
        group=lambda control: control.heading,
        order_by=(
            Framework.reading_order(),
            Coalesce("objective__parent__position", "objective__position"),
            "objective__position",
            "position",
            "code",
        ),
        related=("objective__parent",),
    ),
)
registry.register(
    Evidence,
    table=tables.EvidenceTable,
    filterset=filters.EvidenceFilterSet,
    form=forms.EvidenceForm,
    search_fields=("reference", "title", "description"),
    # System owners add evidence and see what they added (object permissions).
    roles={
        ADMINISTRATOR: FULL,
        COMPLIANCE_OFFICER: FULL,
        AI_OFFICER: ("view", "add"),
        SYSTEM_OWNER: ("add",),
        AUDITOR: READ,
        INTERNAL_AUDITOR: READ,
    },
    area="controls",
    url_prefix="evidence",
    extra_context=evidence_context,
    bulk_fields=("evidence_date", "valid_until"),
    due=(Due("valid_until", to="uploaded_by", label=_("Evidence validity ends")),),
)
registry.register(
    SoAImport,
    table=tables.SoAImportTable,
    filterset=filters.SoAImportFilterSet,
    form=None,  # imports come from the import wizard
    search_fields=("file_name", "sha256"),
    area="controls",
    url_prefix="soa-imports",
    roles=READ_ONLY_RECORDS,
    related=(("entries", "source_import"),),
)
registry.add_link(
    "controls", _("Import an SoA"), "controls:import_upload", "controls.change_soaentry"
)
registry.add_link("controls", _("Coverage"), "controls:coverage", "controls.view_soaentry")
registry.attention(controls_attention)
