"""List columns of the internal audit registers."""

import django_tables2 as tables
from django.db.models import OuterRef
from django.utils.translation import gettext_lazy as _

from aims.core.tables import RegisterTable
from audits.models import Audit, AuditProgramme, ChecklistItem
from controls.models.soa import count_of


class AuditProgrammeTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    audit_count = tables.Column(
        verbose_name=_("audits"), accessor="audits", orderable=False, empty_values=()
    )

    class Meta(RegisterTable.Meta):
        model = AuditProgramme
        fields = ("reference", "title", "period", "status", "approved_by", "approved_on")
        sequence = ("reference", "title", "period", "audit_count", "...")

    def render_audit_count(self, record):
        return len(record.audits.all())

    def value_audit_count(self, record):
        return len(record.audits.all())


class AuditTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    progress = tables.Column(
        verbose_name=_("progress"), accessor="pk", orderable=False, empty_values=()
    )

    class Meta(RegisterTable.Meta):
        model = Audit
        fields = (
            "reference",
            "title",
            "audit_type",
            "status",
            "planned_start",
            "planned_end",
            "lead_auditor",
            "progress",
        )

    @staticmethod
    def annotate(queryset):
        """The checklist counted in SQL: prefetching it loaded every item of every audit shown."""
        items = ChecklistItem.objects.filter(audit=OuterRef("pk"))
        return queryset.annotate(
            checklist_total=count_of(items), checklist_done=count_of(items.exclude(result=""))
        )

    def render_progress(self, record):
        if not record.checklist_total:
            return "—"
        return _("%(done)s of %(total)s") % {
            "done": record.checklist_done,
            "total": record.checklist_total,
        }

    def value_progress(self, record):
        return self.render_progress(record)


class ChecklistItemTable(RegisterTable):
    audit = tables.Column(linkify=True)
    question = tables.Column(linkify=True)
    subject = tables.Column(
        verbose_name=_("clause, control or system"),
        accessor="pk",
        orderable=False,
    )

    select = ("clause", "control", "ai_system")
    # In its audit's order (planned start, reference): sorting whole rows cost most of the page.
    keyed_pages = True

    class Meta(RegisterTable.Meta):
        model = ChecklistItem
        fields = ("audit", "subject", "question", "result")

    def render_subject(self, record):
        return record.subject_code

    def value_subject(self, record):
        return record.subject_code
