"""Workflow steps through the API: every kind of decision (aims.core.approvals) on the decide
page's form and the same machinery, and what the apps' workflow endpoints share.

Answers: 404 for a record outside the user's scope, 403 for a user who may not take the step
(by role, or four-eyes), 409 when the record's state does not allow it (decided already,
changed since the `seen` hash), 400 with the messages per field. A step that succeeds answers
with the record as its register's endpoint shows it.
"""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.core import approvals as machinery
from aims.core.api.serializers import VALIDATION_ERRORS, Refusal, form_errors, output_serializer
from aims.core.api.views import RefusalsAsJSON, conflict, key, record_response
from aims.core.approvals import DecisionForm
from aims.core.registry import registry


def register_route(model):
    """The API path of a register's entries, as the register endpoints mount it."""
    register = registry[model]
    return f"{register.app_label}/{register.url_prefix or register.model_name}"


def route_name(model, action):
    """`impact.impactassessment-submit`: the URL name in the "api" namespace."""
    return f"{model._meta.label_lower}-{action}"


def tags(model):
    register = registry[model]
    return [f"{register.app_label}: {register.verbose_name_plural}"]


def refusal(description):
    return OpenApiResponse(Refusal, description=description)


DESCRIBED = {
    400: OpenApiResponse(VALIDATION_ERRORS, description="The messages per field."),
    401: refusal("No valid credentials."),
    403: refusal("The user may not take this step."),
    404: refusal("Not found, or outside the user's scope."),
    409: refusal("The record's state does not allow the step."),
    415: refusal("The body is not in a supported format."),
    429: refusal("Too many refused token attempts from the client's address."),
}


def answers(ok, *codes):
    """The documented answers of a workflow endpoint: `ok` ({status: schema}), the refusals
    of `codes`, and those of authentication (401, 429)."""
    return {**ok, **{code: DESCRIBED[code] for code in (*codes, 401, 429)}}


class WorkflowAPIView(RefusalsAsJSON, APIView):
    """JSON in, JSON out; refusals answered as the register endpoints answer them."""


def flat_errors(errors, prefix=""):
    """A serializer's errors, nested ones too (`conditions[0].owner`, `metrics.accuracy`), as
    lists of messages per key."""
    if isinstance(errors, dict):
        flat = {}
        for name, nested in errors.items():
            if isinstance(name, int):
                path = f"{prefix}[{name}]"
            else:
                path = f"{prefix}.{name}" if prefix else str(name)
            flat.update(flat_errors(nested, path))
        return flat
    if all(isinstance(error, str) for error in errors):
        return {prefix or "non_field_errors": [str(error) for error in errors]}
    flat = {}
    for index, nested in enumerate(errors):
        flat.update(flat_errors(nested, f"{prefix}[{index}]"))
    return flat


def parsed(serializer_class, request):
    """The request body as `serializer_class` reads it; 400 with the messages per key."""
    body = serializer_class(data=request.data)
    if not body.is_valid():
        raise serializers.ValidationError(flat_errors(body.errors))
    return dict(body.validated_data)


def messages_of(error):
    return " ".join(getattr(error, "messages", [str(error)]))


def field_errors(errors, rename=lambda name: name):
    """400 with a form's (or a ValidationError's `message_dict`) messages, keyed as the API
    names its fields."""
    return Response(form_errors(errors, rename), status=status.HTTP_400_BAD_REQUEST)


def validation_failed(error):
    """400 with the messages of a ValidationError a service raised."""
    if hasattr(error, "error_dict"):
        return field_errors(error.message_dict)
    return Response({"non_field_errors": error.messages}, status=status.HTTP_400_BAD_REQUEST)


def record_serializer(model):
    """The register's output serializer (made once per model: the schema names it once)."""
    return output_serializer(registry[model])


def decision_request(approval, name, **fields):
    """The request body of a decision: the approval's outcome and comment, its own fields, and
    `seen`, the SHA-256 of the content decided on (GET on the endpoint gives it; without it
    the decision covers the content as it is)."""
    choices = [value for value, _label in approval.outcomes]
    attrs = {
        # A single outcome (approve, accept) need not be named.
        "outcome": serializers.ChoiceField(choices=choices)
        if len(choices) > 1
        else serializers.ChoiceField(choices=choices, default=choices[0]),
        "seen": serializers.RegexField(
            r"^[0-9a-f]{64}$",
            required=False,
            help_text="content_sha256 of what you decide on; a change since answers 409.",
        ),
        **fields,
    }
    if approval.comment:
        attrs["comment"] = serializers.CharField(
            required=False, allow_blank=True, max_length=10_000, trim_whitespace=False
        )
    return type(name, (serializers.Serializer,), attrs)


class PendingDecision(serializers.Serializer):
    awaiting = serializers.BooleanField()
    refusal = serializers.CharField(
        allow_blank=True, help_text="Why you may not decide now; empty when you may."
    )
    content_sha256 = serializers.CharField()
    content = serializers.JSONField(help_text="What is decided, as its hash covers it.")


class DecisionView(WorkflowAPIView):
    """GET: what is decided and whether the user may decide; POST: decide."""

    approval = None
    request_serializer = None

    def form_data(self, data):
        """The decide page's form fields from the request body."""
        return data

    def error_key(self, name):
        return name

    def get_record(self, request, pk):
        model = self.approval.model
        return get_object_or_404(model._default_manager.restrict(request.user), pk=key(pk))

    def get(self, request, pk):
        obj = self.get_record(request, pk)
        pending = {
            "awaiting": self.approval.is_awaiting(obj),
            "refusal": machinery.refusal(self.approval, request.user, obj),
            "content_sha256": machinery.content_sha256(self.approval, obj),
            "content": self.approval.content(obj),
        }
        return Response(PendingDecision(pending).data)

    def post(self, request, pk):
        approval, user = self.approval, request.user
        obj = self.get_record(request, pk)
        data = parsed(self.request_serializer, request)
        if not approval.is_awaiting(obj):
            return Response(
                {"detail": approval.not_awaiting_message(obj)}, status=status.HTTP_409_CONFLICT
            )
        if not approval.may_decide(user, obj):
            raise PermissionDenied(approval.role_refusal_message(obj))
        if reason := machinery.four_eyes_refusal(approval, user, obj):
            raise PermissionDenied(reason)
        data.setdefault("seen", machinery.content_sha256(approval, obj))
        form_class = approval.form_class or DecisionForm
        form = form_class(self.form_data(data), approval=approval, user=user)
        if not form.is_valid():
            return field_errors(form.errors, self.error_key)
        cleaned = dict(form.cleaned_data)
        try:
            machinery.decide(approval, obj, user=user, data=cleaned, seen=cleaned.pop("seen"))
        except ValidationError as error:
            obj.refresh_from_db()
            # Decided meanwhile, or changed since the hash the client saw: the state refuses.
            if getattr(error, "code", None) == "changed" or not approval.is_awaiting(obj):
                return conflict(messages_of(error))
            return validation_failed(error)
        return record_response(obj, request)


def decision_path(approval, action, *, request_serializer, view=DecisionView, summary=""):
    """The URL pattern of one kind of decision: `<register>/<pk>/<action>/`."""
    model = approval.model
    description = " ".join(
        [
            " ".join((type(approval).__doc__ or "").split()),
            "GET tells whether you may decide now and gives content_sha256; POST it as `seen` "
            "to bind the decision to what you read.",
        ]
    ).strip()
    operation = route_name(model, action).replace(".", "_").replace("-", "_")
    schema = {
        "get": extend_schema(
            operation_id=f"{operation}_pending",
            summary=f"{summary}: what is decided",
            tags=tags(model),
            description=description,
            responses=answers({200: PendingDecision}, 404),
        ),
        "post": extend_schema(
            operation_id=operation,
            summary=summary,
            tags=tags(model),
            request=request_serializer,
            description=description,
            responses=answers({200: record_serializer(model)}, 400, 403, 404, 409, 415),
        ),
    }
    attrs = {"approval": approval, "request_serializer": request_serializer}
    for method, describe in schema.items():
        attrs[method] = describe(own_method(view, method))
    endpoint = type(f"{model.__name__}{action.title().replace('-', '')}View", (view,), attrs)
    return path(
        f"{register_route(model)}/<int:pk>/{action}/",
        endpoint.as_view(),
        name=route_name(model, action),
    )


def own_method(view, method):
    # Each endpoint gets a method of its own, so that each carries its own schema.
    def handler(self, request, pk):
        return getattr(view, method)(self, request, pk)

    return handler
