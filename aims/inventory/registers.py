"""The inventory registers on the register machinery."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.reminders import Due
from aims.core.roles import ADMINISTRATOR, FULL, READ_ONLY_RECORDS
from aims.inventory import filters, forms, tables
from aims.inventory.attention import inventory_attention
from aims.inventory.models import (
    AIActObligation,
    AISystem,
    Classification,
    Dataset,
    ModelVersion,
    SystemImport,
    ThirdParty,
)
from aims.inventory.views import classification_view, system_detail_context

registry.register(
    AISystem,
    table=tables.AISystemTable,
    filterset=filters.AISystemFilterSet,
    form=forms.AISystemForm,
    search_fields=("reference", "name", "purpose", "business_unit", "area_of_use"),
    area="inventory",
    url_prefix="systems",
    related=(
        ("versions", "system"),
        ("third_parties", "systems"),
        ("datasets", "systems"),
        ("risks", "ai_systems"),
        ("impact_assessments", "system"),
        ("soa_entries", "ai_system"),
        ("evidence", "ai_systems"),
        ("incidents", "ai_system"),
    ),
    extra_context=system_detail_context,
    bulk_fields=(
        "owner",
        "lifecycle_stage",
        "status",
        "in_scope",
        "review_cadence_months",
        "next_review",
    ),
    due=(
        Due(
            "next_review",
            to="owner",
            label=_("AI system review"),
            only=~Q(status=AISystem.Status.DECOMMISSIONED),
        ),
    ),
)
registry.register(
    ModelVersion,
    table=tables.ModelVersionTable,
    filterset=filters.ModelVersionFilterSet,
    form=forms.ModelVersionForm,
    search_fields=("version_label", "system__reference", "system__name", "change_summary"),
    area="inventory",
    url_prefix="versions",
)
registry.register(
    Dataset,
    table=tables.DatasetTable,
    filterset=filters.DatasetFilterSet,
    form=forms.DatasetForm,
    search_fields=("reference", "name", "source", "provenance"),
    area="inventory",
    url_prefix="datasets",
)
registry.register(
    ThirdParty,
    table=tables.ThirdPartyTable,
    filterset=filters.ThirdPartyFilterSet,
    form=forms.ThirdPartyForm,
    search_fields=("reference", "name", "delivers", "responsibilities"),
    area="inventory",
    url_prefix="third-parties",
    bulk_fields=("relationship", "review_date"),
)
registry.register(
    Classification,
    table=tables.ClassificationTable,
    filterset=filters.ClassificationFilterSet,
    form=None,  # classifications come from the questionnaire
    search_fields=("summary", "system__reference", "system__name"),
    area="inventory",
    url_prefix="classifications",
    roles=READ_ONLY_RECORDS,
    extra_context=lambda record, user: {"classification": classification_view(record)},
)
registry.register(
    AIActObligation,
    table=tables.AIActObligationTable,
    filterset=filters.AIActObligationFilterSet,
    form=forms.AIActObligationForm,
    search_fields=("article", "title", "title_de", "note"),
    area="inventory",
    url_prefix="obligations",
    # Application dates change by law; administrators keep them current.
    roles={**READ_ONLY_RECORDS, ADMINISTRATOR: FULL},
)
registry.register(
    SystemImport,
    table=tables.SystemImportTable,
    filterset=filters.SystemImportFilterSet,
    form=None,  # imports come from the import wizard
    search_fields=("file_name", "sha256"),
    area="inventory",
    url_prefix="imports",
    roles=READ_ONLY_RECORDS,
    related=(("systems", "source_import"),),
)
registry.add_link(
    "inventory", _("Inventory overview"), "inventory:dashboard", "inventory.view_aisystem"
)
registry.add_link(
    "inventory", _("Import AI systems"), "inventory:import_upload", "inventory.add_aisystem"
)
registry.attention(inventory_attention)
