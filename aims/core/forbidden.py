"""403 for entries a user may see but not change: the page says who may change them.

An entry outside the user's scope still answers 404 (its existence is not told); one the user
can read anyway gains nothing from a 404 and learns from the 403 whom to ask.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import defaults

from aims.core.roles import OWNER_ACTIONS, ROLE_LABELS

HEADINGS = {
    "add": _("Who may add entries here:"),
    "change": _("Who may change it:"),
    "delete": _("Who may delete it:"),
}


class Forbidden(PermissionDenied):
    """The user may not do `action` on `model` (or on the entry `obj`, which they may see)."""

    def __init__(self, model, action, obj=None):
        super().__init__(f"{action} {model._meta.label_lower}")
        self.model, self.action, self.obj = model, action, obj

    def response(self, request):
        return render(request, "403.html", who_may(self.model, self.action, self.obj), status=403)


def permission_denied(request, exception):
    """handler403: a refusal that knows what was refused says who may do it."""
    if isinstance(exception, Forbidden):
        return exception.response(request)
    return defaults.permission_denied(request, exception)


def who_may(model, action, obj=None):
    """Template context: the roles that may do `action` in the model's register and, where it
    applies, the owner of the entry (or of the entry it belongs to)."""
    from aims.core.registry import registry

    rules = registry[model].roles
    roles = [ROLE_LABELS[role] for role, actions in rules.items() if action in actions]
    owner = None
    if obj is not None and action in OWNER_ACTIONS:
        holder = obj
        parent = getattr(model, "scope_parent", None)
        if parent:  # changed by whoever may change the entry it belongs to
            holder = getattr(obj, parent)
        field = getattr(type(holder), "owner_field", None)
        owner = getattr(holder, field) if field else None
    return {
        "refused_object": obj,
        "allowed_heading": HEADINGS.get(action, ""),
        "allowed_roles": roles,
        "allowed_owner": owner,
    }


def get_or_refuse(queryset, user, action, pk):
    """The entry `pk` from `queryset` restricted to what the user may do `action` on; an entry
    the user may only see raises Forbidden, one outside their scope Http404."""
    try:
        return queryset.restrict(user, action).get(pk=pk)
    except queryset.model.DoesNotExist:
        visible = queryset.restrict(user, "view").filter(pk=pk).first()
        if visible is None:
            raise Http404 from None
        raise Forbidden(queryset.model, action, visible) from None
