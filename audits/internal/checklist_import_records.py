"""The register of checklist imports: a record of each spreadsheet imported into an audit's
checklist, written by the import wizard only."""

import django_tables2 as tables

from aims.core.filters import RegisterFilterSet
from aims.core.tables import RegisterTable
from audits.models import ChecklistImport


class ChecklistImportTable(RegisterTable):
    file_name = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ChecklistImport
        fields = (
            "file_name",
            "audit",
            "uploaded_by",
            "created_at",
            "status",
            "rows_total",
            "rows_imported",
            "rows_skipped",
        )


class ChecklistImportFilterSet(RegisterFilterSet):
    class Meta:
        model = ChecklistImport
        fields = ["status", "audit"]
