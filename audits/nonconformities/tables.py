"""List columns of the nonconformity and improvement registers."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aims.core.tables import RegisterTable
from audits.models import CorrectiveAction, EffectivenessCheck, Improvement, Nonconformity


class NonconformityTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    next_action = tables.Column(
        verbose_name=_("Next due action"), accessor="pk", orderable=False, empty_values=()
    )
    prefetch = ("actions",)

    class Meta(RegisterTable.Meta):
        model = Nonconformity
        fields = ("reference", "title", "grade", "source", "status", "owner", "next_action")

    @staticmethod
    def next_open_action(record):
        """From the prefetched actions: no query per row."""
        open_actions = [a for a in record.actions.all() if a.status in CorrectiveAction.OPEN]
        return min(open_actions, key=lambda a: (a.due_date, a.pk), default=None)

    def render_next_action(self, record):
        action = self.next_open_action(record)
        if action is None:
            return "—"
        if action.overdue:
            return format_html(
                '{} ({}) <span class="badge text-bg-danger">{}</span>',
                action.title,
                action.due_date,
                _("overdue"),
            )
        return format_html("{} ({})", action.title, action.due_date)

    def value_next_action(self, record):
        action = self.next_open_action(record)
        if action is None:
            return ""
        overdue = " " + str(_("overdue")) if action.overdue else ""
        return f"{action.title} ({action.due_date}){overdue}"


class CorrectiveActionTable(RegisterTable):
    title = tables.Column(linkify=True)
    nonconformity = tables.Column(linkify=True)
    overdue = tables.Column(
        verbose_name=_("Overdue"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta(RegisterTable.Meta):
        model = CorrectiveAction
        fields = ("nonconformity", "title", "owner", "due_date", "status", "done_on", "overdue")

    def render_overdue(self, record):
        if record.overdue:
            return format_html('<span class="badge text-bg-danger">{}</span>', _("overdue"))
        return ""

    def value_overdue(self, record):
        return str(_("overdue")) if record.overdue else ""


class EffectivenessCheckTable(RegisterTable):
    method = tables.Column(linkify=True)
    nonconformity = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = EffectivenessCheck
        fields = ("nonconformity", "method", "due_date", "result", "checked_by", "checked_on")


class ImprovementTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = Improvement
        fields = ("reference", "title", "source", "owner", "decision", "due_date", "status")
