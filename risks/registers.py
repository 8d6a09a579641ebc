"""The risk registers on the register machinery."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.core.registry import registry
from aims.core.reminders import Due
from aims.core.roles import READ_ONLY_RECORDS
from risks import filters, forms, tables
from risks.attention import risk_attention, risk_heat_map_panel
from risks.models import (
    LibraryRisk,
    Risk,
    RiskAcceptance,
    RiskCriteria,
    RiskImport,
    TreatmentAction,
)
from risks.services import acceptance_expired_to_review, with_acceptance_expiry
from risks.views import (
    library_risk_context,
    risk_criteria_context,
    risk_detail_context,
    risk_heat_maps,
)

# The acceptance of a residual risk holds until its last day; after it the risk goes back to
# review and its owner is told.
ACCEPTANCE_EXPIRY = Due(
    "acceptance_expires",
    to="owner",
    label=_("Risk acceptance expiry"),
    only=with_acceptance_expiry,
    on_due=acceptance_expired_to_review,
)

registry.register(
    Risk,
    table=tables.RiskTable,
    filterset=filters.RiskFilterSet,
    form=forms.RiskForm,
    search_fields=("reference", "title", "description"),
    area="risks",
    url_prefix="register",
    related=(("treatment_actions", "risk"), ("acceptances", "risk"), ("evidence", "risks")),
    extra_context=risk_detail_context,
    above_table=risk_heat_maps,
    bulk_fields=("owner", "treatment_option", "status", "review_cadence_months", "next_review"),
    due=(
        ACCEPTANCE_EXPIRY,
        Due(
            "next_review",
            to="owner",
            label=_("Risk review"),
            only=~Q(status=Risk.Status.CLOSED),
        ),
    ),
)
registry.register(
    TreatmentAction,
    table=tables.TreatmentActionTable,
    filterset=filters.TreatmentActionFilterSet,
    form=forms.TreatmentActionForm,
    search_fields=("title", "description", "risk__reference", "risk__title"),
    area="risks",
    url_prefix="treatment-actions",
    bulk_fields=("owner", "due_date", "status"),
    due=(
        Due(
            "due_date",
            to="owner",
            label=_("Treatment action"),
            only={"status__in": TreatmentAction.OPEN},
            related=("risk",),
        ),
    ),
)
registry.register(
    RiskAcceptance,
    table=tables.RiskAcceptanceTable,
    filterset=filters.RiskAcceptanceFilterSet,
    form=None,
    search_fields=("risk__reference", "risk__title", "justification"),
    roles=READ_ONLY_RECORDS,
    area="risks",
    url_prefix="acceptances",
)
registry.register(
    RiskCriteria,
    table=tables.RiskCriteriaTable,
    filterset=filters.RiskCriteriaFilterSet,
    form=forms.RiskCriteriaForm,
    search_fields=("name",),
    area="risks",
    url_prefix="criteria",
    extra_context=risk_criteria_context,
)
registry.register(
    LibraryRisk,
    table=tables.LibraryRiskTable,
    filterset=filters.LibraryRiskFilterSet,
    form=None,
    search_fields=("code", "title", "title_de", "description", "description_de"),
    area="risks",
    url_prefix="library",
    roles=READ_ONLY_RECORDS,
    extra_context=library_risk_context,
)
registry.register(
    RiskImport,
    table=tables.RiskImportTable,
    filterset=filters.RiskImportFilterSet,
    form=None,  # imports come from the import wizard
    search_fields=("file_name", "sha256"),
    area="risks",
    url_prefix="imports",
    roles=READ_ONLY_RECORDS,
    related=(("risks", "source_import"),),
)
registry.add_link("risks", _("Import a risk register"), "risks:import_upload", "risks.add_risk")
registry.attention(risk_attention)
registry.panel(risk_heat_map_panel)
