"""The impact assessment workflow in the API: submit a draft, decide on a submitted version
(approve, approve with conditions, reject with the reasons), as the assessment's page does."""

import re

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from aims.core.api.workflow import (
    FIELD_ERRORS,
    REFUSALS,
    DecisionView,
    WorkflowAPIView,
    conflict,
    decision_path,
    decision_request,
    record_response,
    record_serializer,
    register_route,
    route_name,
    tags,
    validation_failed,
)
from aims.core.forbidden import get_or_refuse
from aims.impact import services
from aims.impact.approvals import ASSESSMENT, CONDITION_ROWS
from aims.impact.models import ImpactAssessment

CONDITION_FIELD = re.compile(r"condition_(\d+)(_owner|_due)?")
CONDITION_PARTS = {None: "text", "_owner": "owner", "_due": "due_date"}


class Condition(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    owner = serializers.IntegerField(help_text="The id of the user who sees to the condition.")
    due_date = serializers.DateField()


AssessmentDecisionRequest = decision_request(
    ASSESSMENT,
    "ImpactAssessmentDecisionRequest",
    conditions=serializers.ListField(child=Condition(), required=False, max_length=CONDITION_ROWS),
)


class AssessmentDecisionView(DecisionView):
    def form_data(self, data):
        for row, condition in enumerate(data.pop("conditions", ())):
            data[f"condition_{row}"] = condition["text"]
            data[f"condition_{row}_owner"] = condition["owner"]
            data[f"condition_{row}_due"] = condition["due_date"]
        return data

    def error_key(self, name):
        if match := CONDITION_FIELD.fullmatch(name):
            return f"conditions[{match[1]}].{CONDITION_PARTS[match[2]]}"
        return name


class SubmitView(WorkflowAPIView):
    @extend_schema(
        operation_id="impact_impactassessment_submit",
        summary="Submit a draft impact assessment for the AI officer's decision",
        tags=tags(ImpactAssessment),
        request=None,
        responses={200: record_serializer(ImpactAssessment), 400: FIELD_ERRORS, **REFUSALS},
    )
    def post(self, request, pk):
        assessment = get_or_refuse(ImpactAssessment.objects, request.user, "change", pk)
        try:
            services.impact_assessment_submit(assessment=assessment, user=request.user)
        except ValidationError as error:
            # Fields still to fill in are the request's to fix; anything else is the state.
            if hasattr(error, "error_dict"):
                return validation_failed(error)
            return conflict(error)
        assessment.refresh_from_db()
        return record_response(assessment, request)


urlpatterns = [
    path(
        f"{register_route(ImpactAssessment)}/<int:pk>/submit/",
        SubmitView.as_view(),
        name=route_name(ImpactAssessment, "submit"),
    ),
    decision_path(
        ASSESSMENT,
        "decide",
        request_serializer=AssessmentDecisionRequest,
        view=AssessmentDecisionView,
        summary="Decide on a submitted impact assessment",
    ),
]
