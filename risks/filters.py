"""Filters of the risk registers (the search box is the machinery's own)."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from aims.inventory.models import AISystem
from controls.models import Control
from risks.models import (
    LibraryRisk,
    Risk,
    RiskAcceptance,
    RiskCriteria,
    RiskImport,
    TreatmentAction,
)

YES = [("yes", _("Yes"))]


def cell_filter():
    """A heat-map cell's coordinate: set by the map's links, not shown as a field."""
    return django_filters.NumberFilter(widget=forms.HiddenInput)


class RiskFilterSet(RegisterFilterSet):
    ai_systems = django_filters.ModelChoiceFilter(
        label=_("AI system"), queryset=AISystem.objects.all()
    )
    treatment = django_filters.ChoiceFilter(
        label=_("Treatment"),
        choices=[
            ("none", _("No actions")),
            ("open", _("Actions open")),
            ("overdue", _("Actions overdue")),
            ("done", _("All actions done")),
            ("awaiting_approval", _("Plan awaiting approval")),
        ],
        method="filter_treatment",
    )
    review_overdue = django_filters.ChoiceFilter(
        label=_("Review overdue"), choices=YES, method="filter_review_overdue"
    )
    acceptance_expired = django_filters.ChoiceFilter(
        label=_("Acceptance expired"), choices=YES, method="filter_acceptance_expired"
    )
    criteria = django_filters.ModelChoiceFilter(
        queryset=RiskCriteria.objects.all(), widget=forms.HiddenInput
    )
    # The risks a control treats, linked from the control's and its SoA entries' pages.
    controls = django_filters.ModelChoiceFilter(
        queryset=Control.objects.all(), widget=forms.HiddenInput
    )
    inherent_likelihood = cell_filter()
    inherent_impact = cell_filter()
    residual_likelihood = cell_filter()
    residual_impact = cell_filter()

    class Meta:
        model = Risk
        fields = [
            "ai_systems",
            "owner",
            "category",
            "status",
            "inherent_level",
            "residual_level",
            "treatment_option",
            "treatment",
            "review_overdue",
            "acceptance_expired",
            "criteria",
            "inherent_likelihood",
            "inherent_impact",
            "residual_likelihood",
            "residual_impact",
        ]

    def filter_treatment(self, queryset, name, value):
        if value == "awaiting_approval":
            return queryset.awaiting_plan_approval()
        actions = TreatmentAction.objects.in_plan()
        if value == "none":
            return queryset.exclude(pk__in=actions.values("risk"))
        if value == "open":
            return queryset.filter(pk__in=actions.open().values("risk"))
        if value == "overdue":
            return queryset.filter(pk__in=actions.overdue().values("risk"))
        return queryset.filter(pk__in=actions.values("risk")).exclude(
            pk__in=actions.open().values("risk")
        )

    def filter_review_overdue(self, queryset, name, value):
        return queryset.review_overdue()

    def filter_acceptance_expired(self, queryset, name, value):
        valid = RiskAcceptance.objects.filter(expires_on__gte=timezone.localdate())
        return queryset.filter(
            pk__in=RiskAcceptance.objects.values("risk"), status__in=ACCEPTANCE_STATES
        ).exclude(pk__in=valid.values("risk"))


# An expired acceptance matters while the risk relies on it or was sent back because of it.
ACCEPTANCE_STATES = (Risk.Status.ACCEPTED, Risk.Status.REVIEW)


class RiskCriteriaFilterSet(RegisterFilterSet):
    class Meta:
        model = RiskCriteria
        fields = ["status"]


class TreatmentActionFilterSet(RegisterFilterSet):
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES, method="filter_overdue")

    class Meta:
        model = TreatmentAction
        fields = ["status", "owner", "overdue"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue()


class RiskAcceptanceFilterSet(RegisterFilterSet):
    expired = django_filters.ChoiceFilter(label=_("Expired"), choices=YES, method="filter_expired")

    class Meta:
        model = RiskAcceptance
        fields = ["accepted_by", "by_ai_officer", "expired"]

    def filter_expired(self, queryset, name, value):
        return queryset.filter(expires_on__lt=timezone.localdate())


class LibraryRiskFilterSet(RegisterFilterSet):
    class Meta:
        model = LibraryRisk
        fields = ["category", "risk_source"]


class RiskImportFilterSet(RegisterFilterSet):
    class Meta:
        model = RiskImport
        fields = ["status"]
