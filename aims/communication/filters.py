"""Filters of the communication plan and log (the search box is the machinery's)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from aims.communication.models import CommunicationPlanItem, CommunicationRecord
from aims.context.models import InterestedParty
from aims.core.filters import RegisterFilterSet


class CommunicationPlanItemFilterSet(RegisterFilterSet):
    parties = django_filters.ModelChoiceFilter(
        label=_("Interested party"), queryset=InterestedParty.objects.all()
    )

    class Meta:
        model = CommunicationPlanItem
        fields = ["status", "frequency", "channel", "communicator", "parties"]


class CommunicationRecordFilterSet(RegisterFilterSet):
    date_from = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = CommunicationRecord
        fields = ["plan_item", "channel", "communicated_by", "date_from", "date_to"]
