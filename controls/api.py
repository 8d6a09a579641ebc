"""The Statement of Applicability in the API: issue the current statement as a version, and
decide on an issued version, as the SoA list and the decide page do."""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status

from aims.core.api.views import conflict
from aims.core.api.workflow import (
    WorkflowAPIView,
    answers,
    decision_path,
    decision_request,
    field_errors,
    messages_of,
    parsed,
    record_response,
    record_serializer,
    register_route,
    route_name,
    tags,
)
from controls import services
from controls.approvals import SOA_VERSION
from controls.forms import SoAIssueForm
from controls.models import SoAEntry, SoAFramework, SoAVersion


class SoAIssue(serializers.Serializer):
    framework = serializers.ChoiceField(choices=SoAFramework.values, default=SoAFramework.ISO42001)
    note = serializers.CharField(required=False, allow_blank=True, max_length=10_000)


class IssueView(WorkflowAPIView):
    """Refused (409) while a version awaits approval, while applicable controls lack a
    justification for inclusion (with how many and the SoA entries list filtered to them), or
    while no one may approve it."""

    @extend_schema(
        operation_id="controls_soaversion_issue",
        summary="Issue the Statement of Applicability as its next version, awaiting approval",
        tags=tags(SoAVersion),
        request=SoAIssue,
        responses=answers({201: record_serializer(SoAVersion)}, 400, 403, 409, 415),
    )
    def post(self, request):
        body = parsed(SoAIssue, request)
        form = SoAIssueForm({"note": body.get("note", "")})
        if not form.is_valid():
            return field_errors(form.errors)
        try:
            version = services.soa_version_issue(
                user=request.user,
                note=form.cleaned_data["note"],
                framework=body["framework"],
            )
        except services.UnjustifiedEntries as error:
            # The message names the first entries; the list filtered to all of them follows.
            listed = reverse(f"api:{route_name(SoAEntry, 'list')}")
            return conflict(
                messages_of(error),
                unjustified=len(error.entries),
                unjustified_url=f"{listed}?{urlencode({'unjustified': error.framework})}",
            )
        except ValidationError as error:
            # Not started, a version awaiting approval, entries without a justification, no
            # one left to decide: each is the statement's state.
            return conflict(messages_of(error))
        return record_response(version, request, status.HTTP_201_CREATED)


SoAVersionDecisionRequest = decision_request(SOA_VERSION, "SoAVersionDecision")

urlpatterns = [
    path(
        f"{register_route(SoAVersion)}/issue/",
        IssueView.as_view(),
        name=route_name(SoAVersion, "issue"),
    ),
    decision_path(
        SOA_VERSION,
        "decide",
        request_serializer=SoAVersionDecisionRequest,
        summary="Approve or reject an issued version of the Statement of Applicability",
    ),
]
