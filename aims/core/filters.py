"""Base filter set for register lists: restricted dropdowns, styled widgets, and "awaiting my
decision" on every register whose entries are decided through the approval machinery."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aims.core.approvals import approvals, awaiting_decision
from aims.core.forms import restrict_choices, style_widgets

AWAITING = "awaiting_my_decision"


class RegisterFilterSet(django_filters.FilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if approvals.for_model(self._meta.model):
            self.filters[AWAITING] = django_filters.BooleanFilter(
                label=_("awaiting my decision"),
                method="filter_awaiting_my_decision",
                widget=django_filters.widgets.BooleanWidget(),
            )
            self.filters[AWAITING].parent = self
            self.filters[AWAITING].model = self._meta.model

    def filter_awaiting_my_decision(self, queryset, name, value):
        """The same query as the dashboard and My work: what this user may decide now."""
        if not value:
            return queryset
        pks = {
            obj.pk
            for approval in approvals.for_model(self._meta.model)
            for _kind, obj in awaiting_decision(self.request.user, approval)
        }
        return queryset.filter(pk__in=pks)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            restrict_choices(form.fields, self.request.user)
            style_widgets(form)
        return self._form
