"""AI objectives (6.2) and key performance indicators with their measurements (9.1)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObjectivesConfig(AppConfig):
    name = "aims.objectives"
    label = "objectives"
    verbose_name = _("AI objectives and performance indicators")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app declares the KPIs computed from its data in its own kpis.py.
        autodiscover_modules("kpis")
