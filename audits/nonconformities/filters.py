"""Filters of the nonconformity and improvement registers (the search box is the machinery's)."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.filters import RegisterFilterSet
from aims.inventory.models import AISystem
from audits.models import Audit, CorrectiveAction, EffectivenessCheck, Improvement, Nonconformity

YES = [("yes", _("Yes"))]


class NonconformityFilterSet(RegisterFilterSet):
    ai_systems = django_filters.ModelChoiceFilter(
        label=_("AI system"), queryset=AISystem.objects.all()
    )
    audit = django_filters.ModelChoiceFilter(label=_("Audit"), queryset=Audit.objects.all())
    state = django_filters.ChoiceFilter(
        label=_("Open or closed"),
        choices=[("open", _("Open")), ("closed", _("Closed"))],
        method="filter_state",
    )
    overdue_actions = django_filters.ChoiceFilter(
        label=_("Actions overdue"), choices=YES, method="filter_overdue_actions"
    )

    class Meta:
        model = Nonconformity
        fields = [
            "status",
            "grade",
            "source",
            "ai_systems",
            "audit",
            "owner",
            "state",
            "overdue_actions",
        ]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        return queryset.filter(status=Nonconformity.Status.CLOSED)

    def filter_overdue_actions(self, queryset, name, value):
        return queryset.filter(pk__in=CorrectiveAction.objects.overdue().values("nonconformity"))


class CorrectiveActionFilterSet(RegisterFilterSet):
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES, method="filter_overdue")

    class Meta:
        model = CorrectiveAction
        fields = ["status", "owner", "overdue"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue()


class EffectivenessCheckFilterSet(RegisterFilterSet):
    pending = django_filters.ChoiceFilter(
        label=_("Waiting for a result"), choices=YES, method="filter_pending"
    )
    due = django_filters.ChoiceFilter(label=_("Due"), choices=YES, method="filter_due")
    overdue = django_filters.ChoiceFilter(label=_("Overdue"), choices=YES, method="filter_overdue")

    class Meta:
        model = EffectivenessCheck
        fields = ["result", "pending", "due", "overdue"]

    def filter_pending(self, queryset, name, value):
        return queryset.pending()

    def filter_due(self, queryset, name, value):
        return queryset.pending().filter(due_date__lte=timezone.localdate())

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue()


class ImprovementFilterSet(RegisterFilterSet):
    class Meta:
        model = Improvement
        fields = ["status", "decision", "source", "owner"]
