"""The dashboard: counts per area and what needs attention, from every register the user may see."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.views import View

from aims.core.permissions import can
from aims.core.registry import AREAS, registry


class DashboardView(LoginRequiredMixin, View):
    """Counts per area and what needs attention, from every register the user may see."""

    def get(self, request):
        areas = {}
        for register in registry:
            if can(request.user, "view", register.model):
                count = register.model._default_manager.restrict(request.user).count()
                areas.setdefault(register.area, []).append((register, count))
        attention = [
            item for provider in registry.attention_providers for item in provider(request.user)
        ]
        panels = [html for provider in registry.panels if (html := provider(request))]
        return render(
            request,
            "core/dashboard.html",
            {
                "areas": [(AREAS[k], areas[k]) for k in AREAS if k in areas],
                "attention": attention,
                "panels": panels,
            },
        )
