from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Audits and management review")

    def ready(self):
        from audits.internal import team

        # The audit team's object permissions follow every save of an audit or its team,
        # whatever has been imported before.
        team.connect()
