"""List columns of the incident registers."""

import django_tables2 as tables
from django.utils.html import format_html

from aims.core.tables import RegisterTable
from audits.incidents.countdown import deadline_state
from audits.models import AIIncident, IncidentReport, ReportingPeriod


class DeadlineColumn(tables.Column):
    """The reporting deadline with its state: time left, overdue, or reported."""

    def render(self, value, record):
        state = deadline_state(record)
        return format_html(
            '{}<br><span class="badge {}">{}</span>',
            state.due_text,
            state.badge,
            state.text,
        )

    def value(self, value, record):
        state = deadline_state(record)
        return f"{state.due_text} ({state.text})"


class AIIncidentTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    ai_system = tables.Column(linkify=True)
    report_due_at = DeadlineColumn(empty_values=())
    # The deadline's state asks whether the initial report went out: one query for the page.
    prefetch = ("reports",)

    class Meta(RegisterTable.Meta):
        model = AIIncident
        fields = (
            "reference",
            "title",
            "ai_system",
            "aware_at",
            "our_role",
            "serious",
            "report_due_at",
            "status",
        )


class IncidentReportTable(RegisterTable):
    incident = tables.Column(linkify=True)
    kind = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = IncidentReport
        fields = ("incident", "kind", "sent_at", "authority", "authority_reference", "document")


class ReportingPeriodTable(RegisterTable):
    case = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ReportingPeriod
        fields = ("case", "days", "legal_source")
