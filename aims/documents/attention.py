"""What of documented information needs attention: on the dashboard, and in My work."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.core.permissions import can
from aims.core.work import REVIEWS, Item, work
from aims.documents.models import ControlledDocument
from aims.documents.services import due_for_review


def documents_attention(user):
    if not can(user, "view", ControlledDocument):
        return
    yesterday = timezone.localdate() - timedelta(days=1)
    overdue = due_for_review(yesterday).restrict(user).count()
    if overdue:
        yield (
            ngettext(
                "%(count)d controlled document is overdue for review.",
                "%(count)d controlled documents are overdue for review.",
                overdue,
            )
            % {"count": overdue},
            reverse("documents:controlleddocument_list") + "?status=approved",
        )


@work.register
def documents_work(user):
    """Reviews of the approved documents the user owns."""
    for document in due_for_review().filter(owner=user):
        yield Item(
            REVIEWS,
            _("Review the document %(document)s") % {"document": document},
            document.get_absolute_url(),
            document.next_review,
        )
