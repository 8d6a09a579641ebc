"""Saved views: a register list's search and filters kept under a name, for one user or all."""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.forms import single_line
from aims.core.models import SavedView
from aims.core.permissions import can
from aims.core.registry import registry


def saved_views_for(user, register):
    return SavedView.objects.filter(
        Q(user=user) | Q(shared=True), register=register.label
    ).select_related("user")


class SavedViewForm(forms.ModelForm):
    class Meta:
        model = SavedView
        fields = ["name", "query", "shared"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(single_line)

    def clean_query(self):
        # The page number is where the user was, not part of the view.
        query = QueryDict(self.cleaned_data["query"], mutable=True)
        query.pop("page", None)
        return query.urlencode()


def register_named(label):
    try:
        return registry[apps.get_model(label)]
    except (LookupError, ValueError, KeyError):
        raise Http404 from None


@login_required
@require_POST
def saved_view_add(request, label):
    register = register_named(label)
    if not can(request.user, "view", register.model):
        raise PermissionDenied
    form = SavedViewForm(
        request.POST, instance=SavedView(user=request.user, register=register.label)
    )
    list_url = register.urls()["list"]
    if not form.is_valid():
        errors = [error for field_errors in form.errors.values() for error in field_errors]
        messages.error(
            request, _("The view was not saved: %(errors)s") % {"errors": " ".join(errors)}
        )
        return redirect(f"{list_url}?{request.POST.get('query', '')}")
    try:
        with transaction.atomic():
            view = form.save()
    except IntegrityError:
        messages.error(request, _("You already have a view with this name."))
        return redirect(f"{list_url}?{form.cleaned_data['query']}")
    messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
    return redirect(f"{list_url}?{view.query}")


@login_required
@require_POST
def saved_view_delete(request, pk):
    view = get_object_or_404(SavedView, pk=pk, user=request.user)
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect(register_named(view.register).urls()["list"])
