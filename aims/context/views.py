"""Pages of the context area beyond the registers: the RACI matrix and the policy workflow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.context import services
from aims.context.models import AIMSActivity, AIMSRole, AIPolicy, RACIAssignment
from aims.core.permissions import can
from aims.core.views import refused


@login_required
@require_POST
def ai_policy_new_version(request, pk):
    policy = get_object_or_404(AIPolicy.objects.restrict(request.user), pk=pk)
    if not can(request.user, "add", AIPolicy):
        raise PermissionDenied
    try:
        draft = services.ai_policy_new_version(policy=policy)
    except ValidationError as error:
        refused(request, error)
        return redirect(policy)
    messages.success(request, _("Draft %(policy)s started.") % {"policy": draft})
    return redirect("context:aipolicy_edit", pk=draft.pk)


def raci_rows(user, activities):
    """Each activity with its letters per role and what is wrong with them."""
    roles = list(AIMSRole.objects.restrict(user))
    letters = {
        (a.activity_id, a.role_id): a.responsibility
        for a in RACIAssignment.objects.restrict(user).filter(activity__in=activities)
    }
    rows = []
    for activity in activities:
        cells = [(role, letters.get((activity.pk, role.pk), "")) for role in roles]
        accountable = sum(1 for _role, letter in cells if letter == "A")
        problem = ""
        if accountable == 0:
            problem = _("No role is accountable.")
        elif accountable > 1:
            problem = _("More than one role is accountable.")
        rows.append({"activity": activity, "cells": cells, "problem": problem})
    return roles, rows


def may_edit_raci(user):
    return all(can(user, action, RACIAssignment) for action in ("add", "change", "delete"))


@login_required
def raci_matrix(request):
    if not can(request.user, "view", RACIAssignment):
        raise PermissionDenied
    roles, rows = raci_rows(request.user, list(AIMSActivity.objects.restrict(request.user)))
    return render(
        request,
        "context/raci_matrix.html",
        {
            "roles": roles,
            "rows": rows,
            "editable": may_edit_raci(request.user),
            "choices": RACIAssignment.Responsibility.choices,
        },
    )


@login_required
@require_POST
def raci_cell(request, activity_pk, role_pk):
    """Set one letter (HTMX); answers with the activity's row."""
    if not may_edit_raci(request.user):
        raise PermissionDenied
    activity = get_object_or_404(AIMSActivity.objects.restrict(request.user), pk=activity_pk)
    role = get_object_or_404(AIMSRole.objects.restrict(request.user), pk=role_pk)
    error = ""
    try:
        services.raci_assign(
            activity=activity, role=role, responsibility=request.POST.get("responsibility", "")
        )
    except ValidationError as invalid:
        error = " ".join(invalid.messages)
    _roles, rows = raci_rows(request.user, [activity])
    context = {
        "row": rows[0],
        "editable": True,
        "choices": RACIAssignment.Responsibility.choices,
        "error": error,
    }
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("context:raci_matrix")
    return render(request, "context/raci_row.html", context)
