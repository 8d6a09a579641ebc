from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "aims.impact"
    label = "impact"
    verbose_name = _("Impact assessments")

    def ready(self):
        from aims.impact import signals  # noqa: F401 - connects the material-change receivers
