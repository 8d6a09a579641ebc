"""The OpenAPI description of the register endpoints (drf-spectacular).

Request bodies describe what the register's form accepts; responses every answer the views
give, so that generated clients and schema-driven tests see the API as it behaves.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from aims.core.api.serializers import (
    VALIDATION_ERRORS,
    Refusal,
    input_serializer,
    output_serializer,
)

ACTIONS = {
    ("list", "GET"): "list",
    ("list", "POST"): "create",
    ("entry", "GET"): "retrieve",
    ("entry", "PUT"): "update",
    ("entry", "PATCH"): "partial_update",
    ("entry", "DELETE"): "destroy",
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Personal API tokens in the schema: `Authorization: Bearer <token>`."""

    target_class = "aims.core.api.tokens.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer"}


def refusal(description):
    return OpenApiResponse(Refusal, description=description)


class RegisterSchema(AutoSchema):
    @property
    def register(self):
        return self.view.register

    @property
    def action(self):
        return ACTIONS[(self.view.kind, self.method)]

    def _is_list_view(self, serializer=None):
        return self.view.kind == "list" and self.method == "GET"

    def get_operation_id(self):
        return f"{self.register.app_label}_{self.register.model_name}_{self.action}"

    def get_tags(self):
        return [f"{self.register.app_label}: {self.register.verbose_name_plural}"]

    def get_summary(self):
        names = {
            "list": "List %(plural)s",
            "create": "Add a %(name)s",
            "retrieve": "Read a %(name)s",
            "update": "Replace a %(name)s's values",
            "partial_update": "Change some values of a %(name)s",
            "destroy": "Delete a %(name)s",
        }
        return names[self.action] % {
            "name": self.register.verbose_name,
            "plural": self.register.verbose_name_plural,
        }

    def get_request_serializer(self):
        if self.method in ("POST", "PUT", "PATCH"):
            return input_serializer(self.register, self.method)
        return None

    def get_response_serializers(self):
        entry = output_serializer(self.register)
        responses = {
            401: refusal("No valid credentials."),
            403: refusal("The role may not do this in this register, or on this entry."),
            429: refusal("Too many refused token attempts from this address."),
        }
        if self.view.kind == "entry":
            responses[404] = refusal("No such entry in the user's scope.")
        if self.action == "list":
            responses[200] = entry
            responses[400] = OpenApiResponse(VALIDATION_ERRORS, description="Invalid filters.")
            responses[404] = refusal("No such page.")
        elif self.action == "retrieve":
            responses[200] = entry
        elif self.action == "destroy":
            responses[204] = None
            responses[409] = refusal("Locked, or other entries depend on it.")
        else:
            responses[201 if self.action == "create" else 200] = entry
            responses[400] = OpenApiResponse(VALIDATION_ERRORS, description="Invalid values.")
            responses[409] = refusal("Changed by someone else since the version sent, or locked.")
            responses[415] = refusal("The body is not in a supported format.")
        return responses

    def get_override_parameters(self):
        if self.action != "list":
            return []
        params = [
            OpenApiParameter(
                name,
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description=str(getattr(filter_, "label", "") or ""),
            )
            for name, filter_ in self.register.filterset.base_filters.items()
        ]
        keys = orderable_fields(self.register)
        params.append(
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                OpenApiParameter.QUERY,
                description="Comma-separated; a leading '-' reverses. One of: " + ", ".join(keys),
            )
        )
        if self.register.search_fields:
            params.append(
                OpenApiParameter(
                    "search",
                    OpenApiTypes.STR,
                    OpenApiParameter.QUERY,
                    description="Entries whose "
                    + ", ".join(self.register.search_fields)
                    + " contain every word.",
                )
            )
        return params


def orderable_fields(register):
    """The table's sortable columns that are stored fields of the model (and `id`)."""
    stored = {
        f.name
        for f in register.model._meta.concrete_fields
        if not f.is_relation or f.many_to_one or f.one_to_one
    }
    names = ["id"]
    table_orderable = getattr(register.table._meta, "orderable", True)
    for name, column in register.table.base_columns.items():
        accessor = str(column.accessor or name).replace(".", "__")
        orderable = table_orderable if column.orderable is None else column.orderable
        if orderable and accessor in stored and accessor not in names:
            names.append(accessor)
    return names
