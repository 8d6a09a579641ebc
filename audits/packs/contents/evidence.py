"""The evidence index (7.5, A.6.2.8): every evidence item the reader may see, with its linked
controls and SoA entries, its date and validity, and the SHA-256 of its current file. The
evidence bundle (audits/packs/bundle.py) holds exactly these files under the same hashes."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from audits.packs.sections import section
from controls.evidence_files import display_name
from controls.models import Evidence, SoAEntry


@dataclass(frozen=True)
class EvidenceFile:
    """The current file of an evidence item and its name in the bundle."""

    evidence: Evidence
    revision: object

    @property
    def archive_name(self):
        # Both parts sanitised: no path, no control character, no "..", whatever was uploaded.
        reference = get_valid_filename(self.evidence.reference)
        return f"evidence/{reference}-{display_name(self.revision.file_name)}"


def evidence_in_scope(scope):
    """The evidence the reader may see; for chosen AI systems, what is linked to them, their
    risks or their SoA entries."""
    evidence = scope.visible(Evidence)
    if not scope.whole_aims:
        ids = [system.pk for system in scope.systems]
        evidence = evidence.filter(
            Q(ai_systems__in=ids) | Q(risks__ai_systems__in=ids) | Q(soa_entries__ai_system__in=ids)
        ).distinct()
    return evidence.order_by("reference").prefetch_related(
        "revisions",
        "controls",
        Prefetch("soa_entries", queryset=SoAEntry.objects.select_related("control", "ai_system")),
    )


def evidence_files(scope):
    """The current file of each evidence item in scope (items that are only a link have none)."""
    return [
        EvidenceFile(item, revision)
        for item in evidence_in_scope(scope)
        if (revision := item.current_revision) is not None
    ]


@section("evidence", _("Evidence index"), order=900, model=Evidence)
def evidence_index(scope):
    items = [
        {"evidence": item, "revision": item.current_revision} for item in evidence_in_scope(scope)
    ]
    if not items:
        return None
    return {"items": items, "bundled": scope.include_evidence}
