"""Base filter set for register lists: restricted dropdowns, styled widgets (long ones searched
through the list's filter set), and "awaiting my decision" on every register whose entries are
decided through the approval machinery."""

import django_filters
from django.utils.translation import gettext_lazy as _

from aims.core.approvals import approvals, awaiting_decision_of, decisions_for
from aims.core.forms import restrict_choices, style_widgets
from aims.core.registry import registry

AWAITING = "awaiting_my_decision"
# Where a register's entries await decisions of more than one kind: those of one kind only.
AWAITING_KIND = "awaiting_my_decision_on"


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
        if len(kinds := approvals.for_model(self._meta.model)) > 1:
            self.filters[AWAITING_KIND] = django_filters.ChoiceFilter(
                label=_("awaiting my decision on"),
                choices=[(kind.key, kind.title) for kind in kinds],
                method="filter_awaiting_my_decision_on",
            )
            self.filters[AWAITING_KIND].parent = self
            self.filters[AWAITING_KIND].model = self._meta.model

    def filter_awaiting_my_decision(self, queryset, name, value):
        """The same query as the dashboard and My work: what this user may decide now."""
        if not value:
            return queryset
        awaiting = awaiting_decision_of(self.request.user, self._meta.model)
        return queryset.filter(pk__in=awaiting.values("pk"))

    def filter_awaiting_my_decision_on(self, queryset, name, value):
        """One kind's records: the same query as that kind's count in My work."""
        awaiting = decisions_for(self.request.user, approvals[value])
        return queryset.filter(pk__in=awaiting.values("pk"))

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            restrict_choices(form.fields, self.request.user)
            register = registry.get(self._meta.model)
            if register is not None and register.filterset is type(self):
                # Long dropdowns search through the list's filter set (pickers.pick_filter).
                form.picker_route = ("core:pick_filter", [register.label])
            style_widgets(form)
        return self._form
