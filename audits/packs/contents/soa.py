"""Pack section of the Statement of Applicability (6.1.3 d): the current issued and approved
version of each statement the organization keeps, with its approval and SHA-256, entry by entry
as the version froze them."""

from django.utils.translation import gettext_lazy as _

from audits.packs.sections import section
from controls.models import SoAFramework, SoAVersion
from controls.soa_document import soa_document


@section("soa", _("Statement of Applicability"), order=400, model=SoAVersion)
def statement_of_applicability(scope):
    approved = (
        scope.visible(SoAVersion)
        .filter(status=SoAVersion.Status.APPROVED)
        .select_related("issued_by", "decided_by")
        .order_by("framework", "-number")
    )
    current = {}
    for version in approved:
        current.setdefault(version.framework, version)
    if not current:
        return None
    chosen = {system.reference for system in scope.systems}
    statements = []
    for framework in SoAFramework:
        version = current.get(framework.value)
        if version is None:
            continue
        # A pack of chosen systems keeps the organization-wide entries and their overrides.
        entries = [
            entry
            for entry in version.entries
            if scope.whole_aims or not entry["scope"] or entry["scope"] in chosen
        ]
        document = soa_document(version, entries, framework, reader=scope.user)
        document["intact"] = version.intact
        statements.append(document)
    return {"statements": statements}
