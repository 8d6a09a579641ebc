"""The audits app in the API: request an audit pack, follow its status, download the file
when ready; decide on an audit programme and on a management review.

The same scope as the pack pages: a pack is its requester's, readers of every register see all
packs; anyone else gets 404.
"""

from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from aims.core.api.views import MAX_KEY, key
from aims.core.api.workflow import (
    DESCRIBED,
    WorkflowAPIView,
    answers,
    decision_path,
    decision_request,
    field_errors,
    parsed,
)
from aims.core.roles import REQUEST_AUDIT_PACK
from audits.internal.approvals import PROGRAMME
from audits.models import AuditPack
from audits.packs import services
from audits.packs.forms import PackRequestForm
from audits.packs.sections import all_sections
from audits.packs.views import pack_file, visible_packs
from audits.review.approvals import REVIEW

TAGS = ["audits: audit packs"]


class AuditPackOrder(serializers.Serializer):
    systems = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_KEY),
        required=False,
        help_text="Ids of the AI systems; none for a pack of the whole AIMS.",
    )
    since = serializers.DateField()
    until = serializers.DateField()
    sections = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Keys of the sections; none for every section.",
    )
    include_evidence = serializers.BooleanField(default=False)
    archival = serializers.BooleanField(default=False)


class AuditPackStatus(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=AuditPack.Status.choices)
    percent = serializers.IntegerField()
    section = serializers.CharField(source="section_title")
    reason = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField()
    include_evidence = serializers.BooleanField()
    pages = serializers.IntegerField(allow_null=True)
    size = serializers.IntegerField(allow_null=True)
    sha256 = serializers.CharField()
    url = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    def get_url(self, pack) -> str:
        return self.context["request"].build_absolute_uri(pack.get_absolute_url())

    def get_download(self, pack) -> str | None:
        if pack.status != AuditPack.Status.READY:
            return None
        address = reverse("api:audits.auditpack-download", args=[pack.pk])
        return self.context["request"].build_absolute_uri(address)


def pack_json(pack, request, code=status.HTTP_200_OK):
    return Response(AuditPackStatus(pack, context={"request": request}).data, status=code)


def pack_for(request, pk):
    pack = get_object_or_404(visible_packs(request.user), pk=key(pk))
    services.pack_expire_stalled(pack=pack)
    return pack


class PackRequestView(WorkflowAPIView):
    @extend_schema(
        operation_id="audits_auditpack_request",
        tags=TAGS,
        summary="Request an audit pack; the worker renders it",
        request=AuditPackOrder,
        responses=answers({202: AuditPackStatus}, 400, 403, 415),
    )
    def post(self, request):
        if not request.user.has_perm(REQUEST_AUDIT_PACK):
            raise PermissionDenied
        data = parsed(AuditPackOrder, request)
        if not data.get("sections"):
            data["sections"] = [section.key for section in all_sections()]
        form = PackRequestForm(data, user=request.user)
        if not form.is_valid():
            return field_errors(form.errors)
        pack = services.pack_request(user=request.user, **form.cleaned_data)
        return pack_json(pack, request, status.HTTP_202_ACCEPTED)


class AuditPackStatusView(WorkflowAPIView):
    @extend_schema(
        operation_id="audits_auditpack_status",
        tags=TAGS,
        summary="An audit pack's status and progress",
        responses=answers({200: AuditPackStatus}, 404),
    )
    def get(self, request, pk):
        return pack_json(pack_for(request, pk), request)


class PackDownloadView(WorkflowAPIView):
    @extend_schema(
        operation_id="audits_auditpack_download",
        tags=TAGS,
        summary="Download a ready audit pack (PDF, or ZIP with the evidence files)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            401: DESCRIBED[401],
            404: DESCRIBED[404],
            429: DESCRIBED[429],
            409: OpenApiResponse(
                DESCRIBED[409].response, description="Queued, rendering or failed."
            ),
        },
    )
    def get(self, request, pk):
        pack = pack_for(request, pk)
        if pack.status != AuditPack.Status.READY:
            detail = pack.reason or AuditPack.Status(pack.status).label
            return Response({"detail": str(detail)}, status=status.HTTP_409_CONFLICT)
        return pack_file(pack)


urlpatterns = [
    path("audits/packs/", PackRequestView.as_view(), name="audits.auditpack-request"),
    path("audits/packs/<int:pk>/", AuditPackStatusView.as_view(), name="audits.auditpack-detail"),
    path(
        "audits/packs/<int:pk>/download/",
        PackDownloadView.as_view(),
        name="audits.auditpack-download",
    ),
    decision_path(
        PROGRAMME,
        "decide",
        request_serializer=decision_request(PROGRAMME, "AuditProgrammeDecision"),
        summary="Approve a draft audit programme",
    ),
    decision_path(
        REVIEW,
        "decide",
        request_serializer=decision_request(REVIEW, "ManagementReviewDecision"),
        summary="Decide on a submitted management review",
    ),
]
