"""The ML pipeline hook: one call registers a new model version of an AI system.

The version goes through the model version form and the register's save, as on the page: the
API user is its history user, and the material-change rules follow (aims/impact/signals.py flags
the system's impact assessment due for re-assessment). The answer says what was triggered.
"""

import math

from django.db import IntegrityError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from aims.core.api.views import key
from aims.core.api.workflow import (
    WorkflowAPIView,
    answers,
    field_errors,
    parsed,
    register_route,
    tags,
)
from aims.core.forbidden import get_or_refuse
from aims.core.services import register_entry_save
from aims.impact.services import latest_decided
from aims.inventory.forms import ModelVersionForm
from aims.inventory.models import AISystem, ModelVersion

# The API's names for the form's fields.
FIELD_NAMES = {
    "version_label": "version",
    "key_metrics": "metrics",
    "training_data_snapshot": "training_data",
}


class MetricsField(serializers.DictField):
    child = serializers.FloatField()

    def to_internal_value(self, data):
        metrics = super().to_internal_value(data)
        for name, value in metrics.items():
            if not name.strip() or len(name) > 100 or any(ord(char) < 32 for char in name):
                raise serializers.ValidationError(
                    _("%(name)s: a metric's name is one line of at most 100 characters.")
                    % {"name": name[:100]}
                )
            if not math.isfinite(value):
                raise serializers.ValidationError(
                    _("%(name)s: a metric is a finite number.") % {"name": name}
                )
        return metrics


class ModelVersionRegistration(serializers.Serializer):
    version = serializers.CharField(
        max_length=50, help_text="The version's label, unique for the system."
    )
    metrics = MetricsField(
        required=False, help_text='Metric name → number, e.g. {"accuracy": 0.93}.'
    )
    training_data = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Identifier or date of the data the model was trained on.",
    )
    run_url = serializers.URLField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text="Link to the run in the ML platform.",
    )
    release_date = serializers.DateField(required=False, allow_null=True)
    change_summary = serializers.CharField(
        max_length=10_000, required=False, allow_blank=True, trim_whitespace=False
    )


class ImpactTrigger(serializers.Serializer):
    impact_assessment_due = serializers.BooleanField(
        help_text="The system's latest decided impact assessment is due for re-assessment."
    )
    impact_assessment = serializers.URLField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    reclassification_needed = serializers.BooleanField(
        help_text="The system's EU AI Act classification must be done again."
    )


class RegisteredModelVersion(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    system = serializers.IntegerField(source="system_id")
    version = serializers.CharField(source="version_label")
    metrics = serializers.DictField(child=serializers.FloatField())
    training_data = serializers.CharField(source="training_data_snapshot")
    run_url = serializers.CharField()
    release_date = serializers.DateField(allow_null=True)
    change_summary = serializers.CharField()
    url = serializers.SerializerMethodField()
    triggered = ImpactTrigger()

    def get_url(self, version) -> str:
        return self.context["request"].build_absolute_uri(version.get_absolute_url())


def metrics_text(metrics):
    """The metrics as the key-metrics field shows them: one `name: value` line each."""
    return "\n".join(f"{name}: {value:.15g}" for name, value in metrics.items())


def triggered(system, request):
    """What the new version set off: the impact assessment flagged due, re-classification."""
    system.refresh_from_db()
    assessment = latest_decided(system)
    due = bool(assessment and assessment.reassessment_due)
    return {
        "impact_assessment_due": due,
        "impact_assessment": request.build_absolute_uri(assessment.get_absolute_url())
        if assessment
        else None,
        "reason": assessment.reassessment_reason if due else "",
        "reclassification_needed": system.reclassification_needed,
    }


class ModelVersionHookView(WorkflowAPIView):
    """For whoever may change the system (its owner, the compliance officer). A new version is
    a material change: the system's latest decided impact assessment becomes due for
    re-assessment; `triggered` says what was set off."""

    @extend_schema(
        operation_id="inventory_aisystem_model_versions",
        tags=tags(AISystem),
        summary="Register a new model version of an AI system (ML pipeline hook)",
        request=ModelVersionRegistration,
        responses=answers({201: RegisteredModelVersion}, 400, 403, 404, 415),
    )
    def post(self, request, pk):
        system = get_or_refuse(AISystem.objects, request.user, "change", key(pk))
        data = parsed(ModelVersionRegistration, request)
        metrics = data.get("metrics", {})
        form = ModelVersionForm(
            data={
                "system": system.pk,
                "version_label": data["version"],
                "key_metrics": metrics_text(metrics),
                "training_data_snapshot": data.get("training_data", ""),
                "run_url": data.get("run_url", ""),
                "release_date": data.get("release_date"),
                "change_summary": data.get("change_summary", ""),
            },
            user=request.user,
        )
        if not form.is_valid():
            return field_errors(form.errors, lambda name: FIELD_NAMES.get(name, name))
        try:
            version = register_entry_save(form=form, user=request.user)
        except IntegrityError:
            # The same label registered by a concurrent call: answered as the form answers it.
            (constraint,) = (
                c
                for c in ModelVersion._meta.constraints
                if c.name == "one_version_label_per_system"
            )
            return Response(
                {"non_field_errors": [str(constraint.violation_error_message)]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        version.metrics = metrics
        version.triggered = triggered(system, request)
        return Response(
            RegisteredModelVersion(version, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


urlpatterns = [
    path(
        f"{register_route(AISystem)}/<int:pk>/model-versions/",
        ModelVersionHookView.as_view(),
        name="inventory.aisystem-model-versions",
    ),
]
