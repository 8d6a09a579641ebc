"""Building controlled documents through the services, as the portal does."""

from django.core.files.uploadedfile import SimpleUploadedFile

from aims.documents import services
from tests.factories import ControlledDocumentFactory


def upload(name="procedure.md", text="# Procedure\n\nStep one.\n"):
    return SimpleUploadedFile(name, text.encode())


def draft_with_file(author, **fields):
    document = ControlledDocumentFactory.build(**fields)
    document._history_user = author
    document.save()
    return services.document_file_store(document=document, upload=upload(), user=author)


def approved(author, approver, **fields):
    document = draft_with_file(author, **fields)
    services.controlled_document_submit(document=document, user=author)
    return services.controlled_document_decide(document=document, user=approver)
