"""Filters of the inventory registers (the search box is the machinery's own)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from aims.inventory import classification
from aims.inventory.models import (
    AIActObligation,
    AISystem,
    Classification,
    Dataset,
    ModelVersion,
    SystemImport,
    ThirdParty,
)


class AISystemFilterSet(RegisterFilterSet):
    ai_act_roles = django_filters.ChoiceFilter(
        label=_("EU AI Act role"), choices=classification.ROLES, lookup_expr="contains"
    )

    class Meta:
        model = AISystem
        fields = ["lifecycle_stage", "status", "ai_act_roles", "owner", "in_scope"]


class ModelVersionFilterSet(RegisterFilterSet):
    class Meta:
        model = ModelVersion
        fields = ["system"]


class DatasetFilterSet(RegisterFilterSet):
    class Meta:
        model = Dataset
        fields = ["personal_data", "systems"]


class ThirdPartyFilterSet(RegisterFilterSet):
    class Meta:
        model = ThirdParty
        fields = ["relationship", "due_diligence", "systems"]


class AIActObligationFilterSet(RegisterFilterSet):
    roles = django_filters.ChoiceFilter(
        label=_("role"), choices=classification.ROLES, method="for_role"
    )

    def for_role(self, queryset, name, value):
        # An obligation without roles applies to every role.
        return queryset.filter(Q(roles__contains=value) | Q(roles=""))

    class Meta:
        model = AIActObligation
        fields = ["condition", "roles"]


class ClassificationFilterSet(RegisterFilterSet):
    class Meta:
        model = Classification
        fields = ["tier", "system"]


class SystemImportFilterSet(RegisterFilterSet):
    class Meta:
        model = SystemImport
        fields = ["status"]
