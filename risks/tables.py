"""List columns of the risk registers."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from aims.core.tables import RegisterTable
from risks.models import (
    LibraryRisk,
    Risk,
    RiskAcceptance,
    RiskCriteria,
    RiskImport,
    TreatmentAction,
)


class LevelColumn(tables.Column):
    """A risk level as a coloured label; exports get the plain label."""

    def render(self, value, record, bound_column):
        code = getattr(record, bound_column.accessor)
        return format_html('<span class="risk-level risk-level-{}">{}</span>', code, value)

    def value(self, value):
        return value


class RiskTable(RegisterTable):
    reference = tables.Column(linkify=True)
    title = tables.Column(linkify=True)
    ai_systems = tables.ManyToManyColumn(
        verbose_name=_("AI systems"), transform=lambda system: system.reference
    )
    inherent_level = LevelColumn()
    residual_level = LevelColumn()

    class Meta(RegisterTable.Meta):
        model = Risk
        fields = (
            "reference",
            "title",
            "category",
            "ai_systems",
            "owner",
            "inherent_level",
            "treatment_option",
            "residual_level",
            "status",
            "next_review",
        )


class RiskCriteriaTable(RegisterTable):
    number = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = RiskCriteria
        fields = (
            "number",
            "name",
            "status",
            "acceptance_threshold",
            "activated_by",
            "activated_on",
        )


class TreatmentActionTable(RegisterTable):
    title = tables.Column(linkify=True)
    risk = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = TreatmentAction
        fields = ("risk", "title", "owner", "due_date", "status")


class RiskAcceptanceTable(RegisterTable):
    risk = tables.Column(linkify=True)
    accepted_on = tables.Column(linkify=True)
    residual_level = LevelColumn()

    class Meta(RegisterTable.Meta):
        model = RiskAcceptance
        fields = (
            "risk",
            "accepted_on",
            "accepted_by",
            "residual_level",
            "by_ai_officer",
            "expires_on",
        )


class LibraryRiskTable(RegisterTable):
    title = tables.Column(
        accessor="localized_title", verbose_name=_("title"), order_by="title", linkify=True
    )
    controls = tables.Column(verbose_name=_("typical controls"), orderable=False)

    class Meta(RegisterTable.Meta):
        model = LibraryRisk
        fields = ("title", "category", "risk_source", "controls")

    def render_controls(self, value):
        return ", ".join(value)

    def value_controls(self, value):
        return self.render_controls(value)


class RiskImportTable(RegisterTable):
    file_name = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = RiskImport
        fields = (
            "file_name",
            "uploaded_by",
            "created_at",
            "status",
            "rows_total",
            "rows_imported",
            "rows_skipped",
        )
