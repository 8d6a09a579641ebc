"""List columns of the controlled documents register."""

import django_tables2 as tables

from aims.core.tables import RegisterTable
from aims.documents.models import ControlledDocument


class ControlledDocumentTable(RegisterTable):
    reference = tables.Column(linkify=True)

    class Meta(RegisterTable.Meta):
        model = ControlledDocument
        fields = (
            "reference",
            "title",
            "doc_type",
            "version_label",
            "status",
            "owner",
            "confidentiality",
            "next_review",
        )
