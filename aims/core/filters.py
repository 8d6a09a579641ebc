"""Base filter set for register lists: restricted dropdowns, styled widgets."""

import django_filters

from aims.core.forms import restrict_choices, style_widgets


class RegisterFilterSet(django_filters.FilterSet):
    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            restrict_choices(form.fields, self.request.user)
            style_widgets(form)
        return self._form
