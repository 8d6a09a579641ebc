"""List columns of the inventory registers."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from aims.core.tables import RegisterTable
from aims.inventory.models import (
    AIActObligation,
    AISystem,
    Classification,
    Dataset,
    ModelVersion,
    SystemImport,
    ThirdParty,
)


class AISystemTable(RegisterTable):
    reference = tables.Column(linkify=True)
    versions = tables.Column(_("versions"), accessor="versions", orderable=False)

    class Meta(RegisterTable.Meta):
        model = AISystem
        fields = (
            "reference",
            "name",
            "business_unit",
            "owner",
            "lifecycle_stage",
            "ai_act_roles",
            "status",
            "next_review",
            "reclassification_needed",
        )
        sequence = (*fields, "versions")

    def render_versions(self, value):
        return ", ".join(v.version_label for v in value.all()) or "—"

    def value_versions(self, value):
        return self.render_versions(value)


class ModelVersionTable(RegisterTable):
    version_label = tables.Column(linkify=True)
    system = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ModelVersion
        fields = ("system", "version_label", "release_date", "training_data_snapshot", "run_url")


class DatasetTable(RegisterTable):
    reference = tables.Column(linkify=True)
    systems = tables.ManyToManyColumn(verbose_name=_("AI systems"), transform=lambda s: s.reference)

    class Meta(RegisterTable.Meta):
        model = Dataset
        fields = ("reference", "name", "source", "licence", "personal_data", "systems")


class ThirdPartyTable(RegisterTable):
    reference = tables.Column(linkify=True)
    systems = tables.ManyToManyColumn(verbose_name=_("AI systems"), transform=lambda s: s.reference)

    class Meta(RegisterTable.Meta):
        model = ThirdParty
        fields = ("reference", "name", "relationship", "due_diligence", "review_date", "systems")


class AIActObligationTable(RegisterTable):
    article = tables.Column(linkify=True)
    title = tables.Column(
        accessor="localized_title", verbose_name=_("obligation"), order_by="title"
    )

    class Meta(RegisterTable.Meta):
        model = AIActObligation
        fields = ("article", "title", "condition", "roles", "application_date")


class ClassificationTable(RegisterTable):
    summary = tables.Column(linkify=True)
    system = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = Classification
        fields = ("system", "number", "summary", "flags", "classified_on", "classified_by")


class SystemImportTable(RegisterTable):
    file_name = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = SystemImport
        fields = (
            "file_name",
            "uploaded_by",
            "created_at",
            "status",
            "rows_total",
            "rows_imported",
            "rows_skipped",
        )
