"""Control catalogues and their mappings, the Statement of Applicability with its issued
versions, and evidence (6.1.3, Annex A)."""

from controls.models.catalogue import Control, ControlObjective, Framework
from controls.models.evidence import (
    Evidence,
    EvidenceGroupObjectPermission,
    EvidenceRevision,
    EvidenceUserObjectPermission,
)
from controls.models.imports import SoAImport
from controls.models.soa import ImplementationStatus, SoAEntry, SoAFramework, SoAVersion

__all__ = [
    "Control",
    "ControlObjective",
    "Evidence",
    "EvidenceGroupObjectPermission",
    "EvidenceRevision",
    "EvidenceUserObjectPermission",
    "Framework",
    "ImplementationStatus",
    "SoAEntry",
    "SoAFramework",
    "SoAImport",
    "SoAVersion",
]
