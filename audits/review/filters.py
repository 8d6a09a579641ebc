"""Filters of the management review registers."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from audits.models import ManagementReview, ReviewAction, ReviewDecision

YES = [("yes", _("Yes"))]


class ManagementReviewFilterSet(RegisterFilterSet):
    class Meta:
        model = ManagementReview
        fields = ["status", "chair"]


class ReviewDecisionFilterSet(RegisterFilterSet):
    class Meta:
        model = ReviewDecision
        fields = ["review", "category"]


class ReviewActionFilterSet(RegisterFilterSet):
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES, method="filter_overdue")

    class Meta:
        model = ReviewAction
        fields = ["review", "status", "owner", "overdue"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue()
