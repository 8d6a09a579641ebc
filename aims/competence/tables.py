"""List columns of the competence registers."""

import django_tables2 as tables

from aims.competence.models import CompetenceRequirement, Person, TrainingImport, TrainingRecord
from aims.core.tables import RegisterTable


class CompetenceRequirementTable(RegisterTable):
    reference = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = CompetenceRequirement
        fields = ("reference", "title", "roles", "ai_systems", "ai_literacy", "validity_months")


class PersonTable(RegisterTable):
    name = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = Person
        fields = ("name", "email", "unit", "manager", "user", "roles", "ai_systems")


class TrainingRecordTable(RegisterTable):
    course = tables.Column(linkify=True)
    person = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = TrainingRecord
        fields = ("course", "person", "kind", "completed_on", "valid_until", "provider")


class TrainingImportTable(RegisterTable):
    file_name = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = TrainingImport
        fields = (
            "file_name",
            "uploaded_by",
            "status",
            "rows_imported",
            "rows_skipped",
            "imported_at",
        )
