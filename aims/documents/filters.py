"""Filters of the controlled documents register."""

from aims.core.filters import RegisterFilterSet
from aims.documents.models import ControlledDocument


class ControlledDocumentFilterSet(RegisterFilterSet):
    class Meta:
        model = ControlledDocument
        fields = ["status", "doc_type", "confidentiality", "owner"]
