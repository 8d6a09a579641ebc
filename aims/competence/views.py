"""The competence matrix (people × requirements, 7.2) with its gaps, and the gaps as CSV."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.competence.matrix import gaps, matrix, with_records, with_scope
from aims.competence.models import CompetenceRequirement, Person
from aims.context.models import AIMSRole
from aims.core import pickers
from aims.core.exports import neutralize
from aims.core.forms import style_widgets
from aims.core.permissions import can
from aims.inventory.models import AISystem


class MatrixFilter(forms.Form):
    picker_route = ("core:pick_form", ["competence-matrix"])  # long dropdowns search there
    role = forms.ModelChoiceField(
        AIMSRole.objects.none(), required=False, label=gettext_lazy("AIMS role")
    )
    ai_system = forms.ModelChoiceField(
        AISystem.objects.none(), required=False, label=gettext_lazy("AI system")
    )
    unit = forms.ChoiceField(required=False, label=gettext_lazy("organisational unit"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = AIMSRole.objects.restrict(user)
        self.fields["ai_system"].queryset = AISystem.objects.restrict(user)
        units = Person.objects.restrict(user).exclude(unit="").values_list("unit", flat=True)
        self.fields["unit"].choices = [("", "---------")] + [
            (unit, unit) for unit in sorted(set(units))
        ]
        style_widgets(self)


@pickers.form_source("competence-matrix")
def matrix_filter(request):
    try:
        check_view(request.user)
    except PermissionDenied:
        raise Http404 from None
    return MatrixFilter(user=request.user)


def filtered(request):
    """The people and requirements the filter asks for, among those the user may see: a role
    or system narrows both the people (who hold or operate it) and the columns."""
    form = MatrixFilter(request.GET or None, user=request.user)
    people = Person.objects.restrict(request.user)
    requirements = CompetenceRequirement.objects.restrict(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["role"]:
            people = people.filter(roles=data["role"])
            requirements = requirements.filter(roles=data["role"])
        if data["ai_system"]:
            people = people.filter(ai_systems=data["ai_system"])
            requirements = requirements.filter(ai_systems=data["ai_system"])
        if data["unit"]:
            people = people.filter(unit=data["unit"])
    people = with_records(people.distinct())
    requirements = list(with_scope(requirements.distinct()))
    return form, matrix(people, requirements), requirements


def check_view(user):
    if not (can(user, "view", Person) and can(user, "view", CompetenceRequirement)):
        raise PermissionDenied


@login_required
def matrix_view(request):
    check_view(request.user)
    form, rows, requirements = filtered(request)
    return render(
        request,
        "competence/matrix.html",
        {
            "form": form,
            "rows": rows,
            "requirements": requirements,
            "gaps": gaps(rows),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def gaps_csv(request):
    check_view(request.user)
    _form, rows, _requirements = filtered(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-gaps.csv"'
    response.write("\ufeff")  # Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("Person"), _("E-mail"), _("Organisational unit"), _("Requirement"), _("State")]
    )
    for cell in gaps(rows):
        writer.writerow(
            [
                neutralize(cell.person.name),
                neutralize(cell.person.email),
                neutralize(cell.person.unit),
                neutralize(str(cell.requirement)),
                str(cell.label),
            ]
        )
    return response
