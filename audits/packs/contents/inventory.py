"""Pack section of the AI system inventory: each system with its current EU AI Act
classification and the obligations that classification brings."""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from aims.core.display import display_value
from aims.inventory.classification import applicable_obligations
from aims.inventory.models import AIActObligation, AISystem, Classification
from aims.inventory.views import flag_labels
from audits.packs.sections import section


@section("inventory", _("AI system inventory"), order=250, model=AISystem)
def ai_system_inventory(scope):
    systems = list(
        scope.for_systems(scope.visible(AISystem), "pk")
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "classifications",
                queryset=scope.visible(Classification)
                .select_related("classified_by")
                .order_by("-number"),
                to_attr="shown_classifications",
            )
        )
        .order_by("reference")
    )
    if not systems:
        return None
    obligations = list(scope.visible(AIActObligation))
    roles_field = AISystem._meta.get_field("ai_act_roles")
    return {
        "systems": [
            {
                "system": system,
                "roles": display_value(roles_field, system.ai_act_roles),
                "classification": classification_of(system, obligations),
            }
            for system in systems
        ]
    }


def classification_of(system, obligations):
    """The system's current classification with its flags and obligations, or None."""
    if not system.shown_classifications:
        return None
    record = system.shown_classifications[0]
    try:
        result = record.result()
    except ValueError:  # answers the rules no longer know: the record as stored, no obligations
        result = None
    # Obligations follow from the stored result only while the rules still reach it.
    same = result is not None and (result.tier, list(result.flags), result.route) == (
        record.tier,
        record.flags,
        record.route,
    )
    return {
        "record": record,
        "flags": flag_labels(record.flags),
        "obligations": applicable_obligations(result, record.roles, obligations) if same else [],
        "rules_changed": not same,
    }
