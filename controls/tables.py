"""List columns of the controls registers."""

import django_tables2 as tables
from django.db.models import Case, F, When
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aims.core.dates import short_date
from aims.core.tables import RegisterTable
from controls.models import Control, Evidence, Framework, SoAEntry, SoAImport, SoAVersion


class ControlTable(RegisterTable):
    code = tables.Column(linkify=True)
    title = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = Control
        fields = ("code", "title", "framework", "objective")

    def render_title(self, record):
        return record.localized_title


class SoAEntryTable(RegisterTable):
    control = tables.Column(
        linkify=lambda record: record.get_absolute_url(), verbose_name=_("control")
    )
    title = tables.Column(accessor="control__title", verbose_name=_("title"))
    ai_system = tables.Column(verbose_name=_("scope"), default=_("Organization-wide"))
    drivers = tables.Column(accessor="pk", verbose_name=_("linked drivers"), orderable=False)
    select = ("control__objective__parent",)
    # Catalogue order; a control's organization-wide entry first, then its system overrides.
    # The ISO 27001 statement, once started, follows the whole ISO 42001 one.
    ordering = (
        Case(When(control__framework=Framework.ISO27001, then=1), default=0),
        "control__framework",
        "control__position",
        "control__code",
        F("ai_system__reference").asc(nulls_first=True),
    )
    # The drivers are counted for the page's entries only, not for every entry sorted.
    keyed_pages = True

    class Meta(RegisterTable.Meta):
        model = SoAEntry
        fields = (
            "control",
            "title",
            "ai_system",
            "applicable",
            "status",
            "drivers",
            "owner",
            "next_review",
        )

    @staticmethod
    def annotate(queryset):
        """The drivers counted in SQL: prefetching them loaded every risk of every control."""
        return queryset.with_driver_count()

    def group(self, record):
        """Entries under their Annex A objective (A.2 … A.10) and sub-objective (A.6.1, A.6.2);
        own controls last."""
        objective = record.control.objective
        if objective is None:
            return [("own", _("Own controls"))]
        path = [(objective.pk, str(objective))]
        if objective.parent_id:
            path.insert(0, (objective.parent_id, str(objective.parent)))
        return path

    # Exports fall back to these renderers (django-tables2 uses render_* without value_*).
    def render_control(self, record):
        return record.control.code

    def render_title(self, record):
        return record.control.localized_title

    def render_ai_system(self, record):
        return record.ai_system.reference

    def render_status(self, record, value):
        return value if record.applicable else "—"

    def value_drivers(self, record):
        return record.driver_count

    def render_drivers(self, record):
        count = self.value_drivers(record)
        if count or not record.applicable:
            return count
        return format_html(
            '<span class="badge text-bg-warning">{}</span>', _("None: why is it included?")
        )


class SoAVersionTable(RegisterTable):
    number = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = SoAVersion
        fields = (
            "number",
            "framework",
            "status",
            "issued_by",
            "issued_at",
            "decided_by",
            "decided_at",
            "sha256",
        )

    def render_sha256(self, value):
        return format_html("<code>{}…</code>", value[:12])

    def value_sha256(self, value):
        return value


class EvidenceTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    controls = tables.ManyToManyColumn(
        verbose_name=_("controls"), transform=lambda control: control.code
    )
    revisions = tables.Column(accessor="pk", verbose_name=_("file"), orderable=False)
    # In the exports only: an auditor checks the file they receive against it.
    sha256 = tables.Column(accessor="pk", verbose_name=_("SHA-256"), orderable=False, visible=False)
    prefetch = ("revisions",)

    class Meta(RegisterTable.Meta):
        model = Evidence
        fields = (
            "reference",
            "title",
            "controls",
            "revisions",
            "sha256",
            "link",
            "evidence_date",
            "valid_until",
            "uploaded_by",
        )

    def value_revisions(self, record):
        revision = record.current_revision
        return f"{revision.file_name} (r{revision.number})" if revision else ""

    def value_sha256(self, record):
        revision = record.current_revision
        return revision.sha256 if revision else ""

    def render_revisions(self, record):
        return self.value_revisions(record) or "—"

    def value_valid_until(self, value):
        return value

    def render_valid_until(self, record, value):
        if value is None:
            return "—"
        value = short_date(value)
        if record.expired:
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span>', value, _("expired")
            )
        return value


class SoAImportTable(RegisterTable):
    file_name = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = SoAImport
        fields = (
            "file_name",
            "uploaded_by",
            "created_at",
            "status",
            "rows_total",
            "rows_imported",
            "rows_skipped",
        )
