"""Registers of documented information on the register machinery."""

from django.utils.translation import gettext_lazy as _

from aims.core.approvals import decision_state
from aims.core.permissions import can
from aims.core.registry import registry
from aims.core.reminders import Due
from aims.documents import filters, forms, tables
from aims.documents.approvals import DOCUMENT
from aims.documents.attention import documents_attention
from aims.documents.models import ControlledDocument


def document_context(document, user):
    return {
        "decision": decision_state(DOCUMENT, user, document),
        "may_submit": ControlledDocument.objects.restrict(user, "change")
        .filter(pk=document.pk)
        .exists(),
        "versions": ControlledDocument.objects.restrict(user)
        .filter(reference=document.reference)
        .order_by("created_at"),
        "can_add": can(user, "add", ControlledDocument),
    }


registry.register(
    ControlledDocument,
    table=tables.ControlledDocumentTable,
    filterset=filters.ControlledDocumentFilterSet,
    form=forms.ControlledDocumentForm,
    search_fields=("reference", "title", "description"),
    area="context",
    url_prefix="controlled",
    extra_context=document_context,
    due=(
        Due(
            "next_review",
            to="owner",
            label=_("Document review"),
            only={"status": ControlledDocument.Status.APPROVED},
        ),
    ),
)
registry.add_link(
    "context", _("Records index"), "documents:records", "documents.view_controlleddocument"
)
registry.attention(documents_attention)
