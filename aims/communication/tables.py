"""List columns of the communication plan and log."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from aims.communication.models import CommunicationPlanItem, CommunicationRecord
from aims.core.tables import RegisterTable


class CommunicationPlanItemTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    audience = tables.Column(
        verbose_name=_("With whom"), accessor="pk", orderable=False, empty_values=()
    )
    prefetch = ("parties", "aims_roles")

    class Meta(RegisterTable.Meta):
        model = CommunicationPlanItem
        fields = (
            "reference",
            "title",
            "frequency",
            "next_date",
            "audience",
            "channel",
            "communicator",
            "status",
        )

    def value_audience(self, record):
        """From the prefetched parties and roles: no query per row."""
        names = [str(p.name) for p in record.parties.all()]
        names += [str(r.name) for r in record.aims_roles.all()]
        if record.audience_other:
            names.append(record.audience_other)
        return ", ".join(names)

    def render_audience(self, record):
        return self.value_audience(record) or "—"


class CommunicationRecordTable(RegisterTable):
    date = tables.Column(linkify=True)
    subject = tables.Column(linkify=True)
    plan_item = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = CommunicationRecord
        fields = ("date", "subject", "plan_item", "audience", "channel", "communicated_by")
