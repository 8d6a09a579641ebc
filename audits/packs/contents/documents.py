"""Pack section of documented information (7.5): the current (approved) version of each
controlled document with its approval, the SHA-256 of the approved content and of its file."""

from django.utils.translation import gettext_lazy as _

from aims.documents.models import ControlledDocument
from audits.packs.sections import section


@section("documents", _("Controlled documents"), order=800, model=ControlledDocument)
def controlled_documents(scope):
    documents = list(
        scope.visible(ControlledDocument)
        .filter(status=ControlledDocument.Status.APPROVED)
        .select_related("owner", "approved_by", "revision")
        .order_by("reference")
    )
    if not documents:
        return None
    return {"documents": documents}
