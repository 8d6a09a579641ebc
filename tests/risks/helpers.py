"""Small helpers shared by the risk register tests: form payloads, list contents, criteria."""

from django.urls import reverse

from aims.core.registry import registry
from risks.models import Risk, RiskCriteria
from tests.conftest import form_payload


def risk_payload(risk, user):
    """What the risk's edit form posts; linked AI systems as their keys, as a browser sends."""
    payload = form_payload(registry[Risk], risk, user)
    payload["ai_systems"] = [system.pk for system in risk.ai_systems.all()]
    return payload


def edit_risk(client, risk, user, **changes):
    return client.post(
        reverse("risks:risk_edit", args=[risk.pk]), {**risk_payload(risk, user), **changes}
    )


def listed(response):
    """The references on the list page shown."""
    return {row.record.reference for row in response.context["table"].page.object_list}


def list_total(response):
    """How many risks the list holds over all its pages."""
    return response.context["table"].paginator.count


def scale(*labels):
    return [{"label": label, "description": ""} for label in labels]


def criteria_with(matrix, status=RiskCriteria.Status.DRAFT, **fields):
    """Criteria whose scales fit `matrix` (rows are likelihood levels, columns impact levels)."""
    values = {
        "name": "Test criteria",
        "likelihood_scale": scale(*(f"L{n}" for n in range(1, len(matrix) + 1))),
        "impact_scale": scale(*(f"I{n}" for n in range(1, len(matrix[0]) + 1))),
        "matrix": matrix,
        "acceptance_threshold": "medium",
        "status": status,
        **fields,
    }
    return RiskCriteria.objects.create(**values)
