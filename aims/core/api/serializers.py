"""Serializers generated from the registry.

Output: the model's stored fields (keys for relations, stored codes for choices), plus `id`,
`version` and `url` (the entry's page). Input is validated by the register's form, never by a
serializer; the input serializers here only describe what the form accepts, for the schema.
"""

from functools import cache

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from aims.core import fields as core_fields
from aims.core.registry import registry


class CodeList(serializers.ListField):
    """Several choices stored in one column (aims.core.fields.MultipleChoiceField)."""

    def get_attribute(self, instance):
        return list(super().get_attribute(instance) or [])


class RegisterSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    @extend_schema_field({"type": "string", "format": "uri-reference"})
    def get_url(self, obj):
        return obj.get_absolute_url()

    def get_fields(self):
        # Read-only once built: built as writable, the fields keep what the schema must say
        # of stored values (blank and null allowed), which DRF drops for read-only fields.
        fields = super().get_fields()
        for serializer_field in fields.values():
            serializer_field.read_only = True
        return fields

    def build_standard_field(self, field_name, model_field):
        if isinstance(model_field, core_fields.MultipleChoiceField):
            choices = [code for code, _label in model_field.options]
            return CodeList, {"child": serializers.ChoiceField(choices=choices)}
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if not model_field.editable:
            # DRF builds fields no form edits without what they may hold; workflows store
            # empty and null values in them as well.
            if model_field.null:
                kwargs["allow_null"] = True
            if model_field.blank and issubclass(
                field_class, serializers.CharField | serializers.ChoiceField
            ):
                kwargs["allow_blank"] = True
        if isinstance(model_field, models.EmailField | models.URLField) and model_field.blank:
            # An empty address is stored as "", which is no e-mail address or URL.
            field_class = serializers.CharField
        return field_class, kwargs


def output_fields(model):
    """The model's stored fields shown by the API. Files are left out: their storage path is
    not for clients (evidence files are served by their own permission-checked view)."""
    names = [
        field.name
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and not field.auto_created
        and not isinstance(field, models.FileField)
        and field.name not in ("id", "version")
    ]
    return ["id", "version", "url", *names]


def output_serializer(register):
    return _output_serializer(register.model)


@cache
def _output_serializer(model):
    register = registry[model]
    meta = type(
        "Meta",
        (),
        {
            "model": register.model,
            "fields": output_fields(register.model),
        },
    )
    return type(f"{register.model.__name__}Serializer", (RegisterSerializer,), {"Meta": meta})


def form_fields(register):
    """The register form's fields, as a user without any scope sees them (no database rows
    are offered, but fields a form adds while it is set up are there)."""
    try:
        return register.form(user=AnonymousUser()).fields
    except Exception:  # a form that needs a real user or data to set itself up
        return register.form.base_fields


def input_field(form_field):
    """The serializer field describing what a form field accepts."""
    required = form_field.required
    options = {"required": False, "help_text": str(form_field.help_text or "") or None}
    if isinstance(form_field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **options)
    if isinstance(form_field, forms.ModelChoiceField):
        return serializers.IntegerField(allow_null=not required, **options)
    if isinstance(form_field, forms.MultipleChoiceField):
        choices = [code for code, _label in form_field.choices]
        return serializers.ListField(child=serializers.ChoiceField(choices=choices), **options)
    if isinstance(form_field, forms.ChoiceField):
        choices = [code for code, _label in form_field.choices if code != ""]
        return serializers.ChoiceField(
            choices=choices, allow_blank=not required, allow_null=not required, **options
        )
    if isinstance(form_field, forms.NullBooleanField):
        return serializers.BooleanField(allow_null=True, **options)
    if isinstance(form_field, forms.BooleanField):
        return serializers.BooleanField(**options)
    if isinstance(form_field, forms.FileField):
        return serializers.FileField(allow_null=not required, **options)
    if isinstance(form_field, forms.DateTimeField):
        return serializers.DateTimeField(allow_null=not required, **options)
    if isinstance(form_field, forms.DateField):
        return serializers.DateField(allow_null=not required, **options)
    if isinstance(form_field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=form_field.max_digits,
            decimal_places=form_field.decimal_places,
            min_value=form_field.min_value,
            max_value=form_field.max_value,
            allow_null=not required,
            coerce_to_string=False,
            **options,
        )
    if isinstance(form_field, forms.IntegerField):
        return serializers.IntegerField(
            min_value=form_field.min_value,
            max_value=form_field.max_value,
            allow_null=not required,
            **options,
        )
    kind = {
        forms.EmailField: serializers.EmailField,
        forms.URLField: serializers.URLField,
        forms.SlugField: serializers.SlugField,
    }.get(type(form_field), serializers.CharField)
    return kind(
        max_length=getattr(form_field, "max_length", None),
        allow_blank=not required,
        allow_null=not required,
        **options,
    )


def input_serializer(register, method):
    """What a create (POST), replace (PUT) or partial update (PATCH) sends: the form's
    editable fields, and for updates the `version` the client loaded."""
    return _input_serializer(register.model, method)


@cache
def _input_serializer(model, method):
    register = registry[model]
    attrs = {}
    required_names = []
    for name, form_field in form_fields(register).items():
        if name == "loaded_version" or form_field.disabled:
            continue
        attrs[name] = input_field(form_field)
        if form_field.required and method != "PATCH":
            required_names.append(name)
    if method != "POST":
        attrs["version"] = serializers.IntegerField(
            help_text="The entry's version as loaded; a newer one answers 409."
        )
        required_names.append("version")
    for name in required_names:
        attrs[name].required = True
    suffix = {"POST": "Create", "PUT": "Update", "PATCH": "PartialUpdate"}[method]
    return type(f"{register.model.__name__}{suffix}", (serializers.Serializer,), attrs)


# 400: messages per field ("non_field_errors" for the entry as a whole), or a "detail" for a
# request that could not be read at all.
VALIDATION_ERRORS = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


class Refusal(serializers.Serializer):
    """401, 403, 404, 409: why the request was refused."""

    detail = serializers.CharField()


def form_errors(errors, rename=lambda name: name):
    """A form's errors (or a ValidationError's `message_dict`) as the API answers them, keyed
    as the API names its fields."""
    renamed = {"__all__": "non_field_errors", "loaded_version": "version"}
    return {renamed.get(name) or rename(name): list(messages) for name, messages in errors.items()}
