"""Filters of the controls registers (the search box is the machinery's own)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from aims.inventory.models import AISystem
from controls.models import (
    Control,
    Evidence,
    Framework,
    SoAEntry,
    SoAFramework,
    SoAImport,
    SoAVersion,
)

YES = [("yes", _("Yes"))]


class ControlFilterSet(RegisterFilterSet):
    class Meta:
        model = Control
        fields = ["framework", "objective"]


class SoAEntryFilterSet(RegisterFilterSet):
    catalogue = django_filters.ChoiceFilter(
        label=_("catalogue"),
        field_name="control__framework",
        # The ISO 27001 controls list once the organization has started their SoA.
        choices=[(f.value, f.label) for f in [*Framework.in_soa(), Framework.ISO27001]],
    )
    scope = django_filters.ChoiceFilter(
        label=_("scope"),
        choices=[("organization", _("Organization-wide")), ("systems", _("AI system overrides"))],
        method="filter_scope",
    )
    ai_system = django_filters.ModelChoiceFilter(
        label=_("AI system"), queryset=AISystem.objects.all()
    )
    # A control's entries, linked from the control's page.
    control = django_filters.ModelChoiceFilter(
        queryset=Control.objects.all(), widget=forms.HiddenInput
    )
    no_driver = django_filters.ChoiceFilter(
        label=_("Included without a linked driver"), choices=YES, method="filter_no_driver"
    )
    review_overdue = django_filters.ChoiceFilter(
        label=_("Review overdue"), choices=YES, method="filter_review_overdue"
    )
    # What keeps a version of that SoA from being issued (linked from the SoA summary).
    unjustified = django_filters.ChoiceFilter(
        label=_("Included without a justification"),
        choices=SoAFramework.choices,
        method="filter_unjustified",
    )

    class Meta:
        model = SoAEntry
        fields = ["applicable", "status", "owner"]

    def filter_scope(self, queryset, name, value):
        return queryset.filter(ai_system__isnull=value == "organization")

    def filter_no_driver(self, queryset, name, value):
        return queryset.without_driver()

    def filter_review_overdue(self, queryset, name, value):
        return queryset.filter(next_review__lt=timezone.localdate())

    def filter_unjustified(self, queryset, name, value):
        return queryset.for_framework(value).unjustified()


class SoAVersionFilterSet(RegisterFilterSet):
    class Meta:
        model = SoAVersion
        fields = ["framework", "status"]


class EvidenceFilterSet(RegisterFilterSet):
    validity = django_filters.ChoiceFilter(
        label=_("validity"),
        choices=[("valid", _("Valid")), ("expired", _("Expired"))],
        method="filter_validity",
    )
    kind = django_filters.ChoiceFilter(
        label=_("kind"),
        choices=[("file", _("Files")), ("link", _("Links"))],
        method="filter_kind",
    )
    controls = django_filters.ModelChoiceFilter(
        label=_("control"), queryset=Control.objects.exclude(framework=Framework.EU_AI_ACT)
    )
    ai_systems = django_filters.ModelChoiceFilter(
        label=_("AI system"), queryset=AISystem.objects.all()
    )

    class Meta:
        model = Evidence
        fields = ["uploaded_by"]

    def filter_validity(self, queryset, name, value):
        expired = queryset.expired()
        return expired if value == "expired" else queryset.exclude(pk__in=expired)

    def filter_kind(self, queryset, name, value):
        if value == "file":
            return queryset.filter(revisions__isnull=False).distinct()
        return queryset.filter(~Q(link=""))


class SoAImportFilterSet(RegisterFilterSet):
    class Meta:
        model = SoAImport
        fields = ["status"]
