"""Generic API views, one list and one entry view class per register (see `register_views`).

The pages' rules, answered as JSON: objects come from `restrict(user, action)` (outside the
user's scope: 404); a register the role may not use, or an entry the user may see but not
change or delete: 403; writes go through the register's form and `register_entry_save`
(validation, stale `version`, lock and scope re-checked, history kept with the API user).
"""

from collections.abc import Mapping

from django import forms
from django.conf import settings
from django.db import IntegrityError
from django.db.models import ProtectedError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from aims.core import display
from aims.core.api.schema import RegisterSchema, orderable_fields
from aims.core.api.serializers import form_errors, form_fields, output_serializer
from aims.core.forbidden import Forbidden, get_or_refuse, who_may
from aims.core.permissions import can
from aims.core.registry import registry
from aims.core.services import Locked, OutOfScope, StaleEdit, register_entry_save
from aims.core.views import search

# The largest key a database integer column holds: a larger one is no entry (and would make
# SQLite overflow in the lookup).
MAX_KEY = 2**63 - 1


class RegisterPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        self.page_size = settings.REGISTER_PAGE_SIZE
        return super().get_page_size(request)


class RefusalsAsJSON:
    """What every API view shares: credentials required, 401 (not 403) without them, and a
    refusal that knows who may act answered as the pages answer it."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]

    def get_authenticate_header(self, request):
        # Also when only session authentication is configured.
        return super().get_authenticate_header(request) or 'Bearer realm="api"'

    def handle_exception(self, exc):
        if isinstance(exc, Forbidden):
            return refusal_response(exc)
        return super().handle_exception(exc)


class RegisterAPIView(RefusalsAsJSON, GenericAPIView):
    register = None
    kind = ""  # "list" or "entry"
    pagination_class = RegisterPagination
    schema = RegisterSchema()

    @property
    def model(self):
        return self.register.model

    def get_serializer_class(self):
        return output_serializer(self.register)

    def scoped(self, action="view"):
        return self.model._default_manager.restrict(self.request.user, action)

    def get_queryset(self):
        return with_relations(self.scoped())

    def output(self, obj, code=status.HTTP_200_OK):
        return record_response(obj, self.request, code)

    def save(self, data, instance=None):
        """Bind the register's form to `data` (with the files sent) and save it through the
        save service; the response the client gets either way."""
        user = self.request.user
        form = self.register.form(data, self.request.FILES or None, instance=instance, user=user)
        if not form.is_valid():
            return Response(form_errors(form.errors), status=status.HTTP_400_BAD_REQUEST)
        try:
            saved = register_entry_save(form=form, user=user)
        except StaleEdit as stale:
            return conflict(stale_detail(stale.current, form), version=stale.current.version)
        except Locked as locked:
            return conflict(str(locked))
        except OutOfScope as refusal:
            return Response({"non_field_errors": [str(refusal)]}, status=400)
        except IntegrityError:
            return conflict(_("The database refused this change."))
        return self.output(saved, status.HTTP_201_CREATED if instance is None else 200)

    def form_data(self, data, start=None):
        """The request's values for the form's fields, over `start` (a partial update starts
        from the entry's current values). JSON null is an empty value."""
        if not isinstance(data, Mapping):
            raise ValidationError({"non_field_errors": [_("Send the entry as a JSON object.")]})
        values = dict(start or {})
        for name, form_field in form_fields(self.register).items():
            if name not in data or name == "loaded_version":
                continue
            many = isinstance(form_field, forms.MultipleChoiceField)
            value = data.getlist(name) if many and hasattr(data, "getlist") else data[name]
            values[name] = "" if value is None else value
        return values


class RegisterListAPIView(RegisterAPIView):
    kind = "list"

    def get(self, request):
        # A register the role may not use: 403. Entries answer from the user's scope (404
        # outside it), as the pages do; adders who see nothing yet still add (`post`).
        if not can(request.user, "view", self.model):
            raise Forbidden(self.model, "view")
        params = request.query_params
        filterset = self.register.filterset(params, queryset=self.scoped(), request=request)
        if not filterset.is_valid():
            return Response(form_errors(filterset.errors), status=status.HTTP_400_BAD_REQUEST)
        queryset = search(filterset.qs, self.register.search_fields, params.get("search", ""))
        queryset = with_relations(self.ordered(queryset, params.get("ordering", "")))
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def ordered(self, queryset, ordering):
        keys = [key.strip() for key in ordering.split(",") if key.strip()]
        allowed = orderable_fields(self.register)
        unknown = [key for key in keys if key.removeprefix("-") not in allowed]
        if unknown:
            raise ValidationError(
                {
                    "ordering": [
                        _("Unknown ordering: %(keys)s. Order by: %(allowed)s.")
                        % {"keys": ", ".join(unknown), "allowed": ", ".join(allowed)}
                    ]
                }
            )
        if keys:
            return queryset.order_by(*keys, "pk")
        default = getattr(self.register.table, "ordering", ()) or self.model._meta.ordering
        return queryset.order_by(*default, "pk")

    def post(self, request):
        if not can(request.user, "add", self.model):
            raise Forbidden(self.model, "add")
        return self.save(self.form_data(request.data))


class RegisterEntryAPIView(RegisterAPIView):
    kind = "entry"

    def entry(self, pk, action="view"):
        if action == "view":
            return get_object_or_404(self.get_queryset(), pk=key(pk))
        # Seen but not changeable: 403 naming who may; outside the scope: 404.
        return get_or_refuse(self.model._default_manager.all(), self.request.user, action, key(pk))

    def get(self, request, pk):
        return Response(self.get_serializer(self.entry(pk)).data)

    def put(self, request, pk):
        return self.update(request, pk, partial=False)

    def patch(self, request, pk):
        return self.update(request, pk, partial=True)

    def update(self, request, pk, partial):
        obj = self.entry(pk, "change")
        if obj.lock_reason:
            return conflict(obj.lock_reason)
        version = request.data.get("version") if isinstance(request.data, Mapping) else None
        if version is None or isinstance(version, bool):
            message = _("Send the version of the entry you loaded.")
            return Response({"version": [message]}, status=status.HTTP_400_BAD_REQUEST)
        start = None
        if partial:
            start = current_values(self.register.form(instance=obj, user=request.user))
        data = self.form_data(request.data, start)
        data["loaded_version"] = version
        return self.save(data, instance=obj)

    def delete(self, request, pk):
        obj = self.entry(pk, "delete")
        if obj.delete_refusal:
            return conflict(obj.delete_refusal)
        try:
            obj.delete()
        except ProtectedError as error:
            blockers = sorted({str(o) for o in error.protected_objects})
            return conflict(
                _("Other entries depend on this one: %(blockers)s.")
                % {"blockers": "; ".join(blockers)}
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


def current_values(form):
    """An unbound form's values as a partial update starts from them. Links to entries the user
    may not see are left out, as the page's form leaves them out: the form keeps them on save."""
    values = {}
    for name, form_field in form.fields.items():
        value = form[name].value()
        if isinstance(form_field, forms.ModelMultipleChoiceField) and value:
            value = list(form_field.queryset.filter(pk__in=value).values_list("pk", flat=True))
        values[name] = value
    return values


def key(pk):
    """A key from the URL that a database column can hold; a larger one is no entry (and
    would overflow the lookup)."""
    if pk > MAX_KEY:
        raise Http404
    return pk


def with_relations(queryset):
    """Many-to-many keys in one query per relation, not one per row."""
    return queryset.prefetch_related(*(f.name for f in queryset.model._meta.many_to_many))


def record_response(obj, request, code=status.HTTP_200_OK):
    """The entry as its register's endpoint shows it, read afresh."""
    model = type(obj)
    obj = with_relations(model._default_manager.filter(pk=obj.pk)).get()
    serializer = output_serializer(registry[model])(obj, context={"request": request})
    return Response(serializer.data, status=code)


def conflict(detail, **extra):
    return Response({"detail": detail, **extra}, status=status.HTTP_409_CONFLICT)


def refusal_response(refusal):
    """403 naming the roles (and the owner) who may do what was refused."""
    allowed = who_may(refusal.model, refusal.action, refusal.obj)
    roles = [str(role) for role in allowed["allowed_roles"]]
    detail = _("You may not do this here.")
    if roles:
        detail += " " + _("Allowed: %(roles)s.") % {"roles": ", ".join(roles)}
    if allowed["allowed_owner"] is not None:
        detail += " " + _("Owner: %(owner)s.") % {"owner": allowed["allowed_owner"]}
    return Response({"detail": detail}, status=status.HTTP_403_FORBIDDEN)


def stale_detail(current, form):
    """Who saved the entry since the client loaded it, when, and what they changed."""
    who = display.last_saved_by(current)
    message = _(
        "Someone else saved this entry after the version you sent (%(who)s). Nothing was "
        "saved. Load the entry again and send its current version."
    ) % {"who": who}
    changed = display.fields_changed_since(
        current, form.cleaned_data["loaded_version"], form.fields
    )
    if changed:
        message += " " + _("Changed meanwhile: %(fields)s.") % {"fields": ", ".join(changed)}
    return message


def register_views(register):
    """The list and entry view classes of a register; a register without a form is read in
    the API and deleted where the role allows, never written."""
    writable = register.form is not None
    parsers = [JSONParser]
    uploads = writable and any(
        isinstance(f, forms.FileField) for f in register.form.base_fields.values()
    )
    if uploads:
        parsers.append(MultiPartParser)
    name = register.model.__name__
    list_methods = ["get", "post"] if writable else ["get"]
    entry_methods = ["get", "put", "patch", "delete"] if writable else ["get", "delete"]
    attrs = {"register": register, "parser_classes": parsers}
    return (
        type(
            f"{name}ListAPIView",
            (RegisterListAPIView,),
            {**attrs, "http_method_names": [*list_methods, "options"]},
        ),
        type(
            f"{name}EntryAPIView",
            (RegisterEntryAPIView,),
            {**attrs, "http_method_names": [*entry_methods, "options"]},
        ),
    )
