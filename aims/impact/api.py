"""The impact assessment workflow in the API: submit a draft, decide on a submitted version
(approve, approve with conditions, reject with the reasons), as the assessment's page does."""

import re

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from aims.core.api.views import MAX_KEY, conflict, key
from aims.core.api.workflow import (
    DecisionView,
    WorkflowAPIView,
    answers,
    decision_path,
    decision_request,
    messages_of,
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


class AssessmentCondition(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    owner = serializers.IntegerField(
        min_value=1, max_value=MAX_KEY, help_text="The id of the user who sees to the condition."
    )
    due_date = serializers.DateField()


AssessmentDecisionRequest = decision_request(
    ASSESSMENT,
    "ImpactAssessmentDecision",
    conditions=serializers.ListField(
        child=AssessmentCondition(), required=False, max_length=CONDITION_ROWS
    ),
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
    """Refused (409) while anyone who may decide wrote, changed or owns it; the fundamental
    rights questions of EU AI Act Art. 27 still open answer 400 per field."""

    @extend_schema(
        operation_id="impact_impactassessment_submit",
        summary="Submit a draft impact assessment for the AI officer's decision",
        tags=tags(ImpactAssessment),
        request=None,
        responses=answers({200: record_serializer(ImpactAssessment)}, 400, 403, 404, 409),
    )
    def post(self, request, pk):
        assessment = get_or_refuse(ImpactAssessment.objects, request.user, "change", key(pk))
        try:
            services.impact_assessment_submit(assessment=assessment, user=request.user)
        except ValidationError as error:
            # Fields still to fill in are the request's to fix; anything else is the state.
            if hasattr(error, "error_dict"):
                return validation_failed(error)
            return conflict(messages_of(error))
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
