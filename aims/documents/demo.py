"""Demo controlled documents of Rheinwerk Versicherung AG: five documents, one approved with a
newer draft in preparation and one due for review."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.documents import services
from aims.documents.models import ControlledDocument

Type = ControlledDocument.Type
Level = ControlledDocument.Confidentiality
# reference, title, type, confidentiality, review months, retention years, owner role
DOCUMENTS = [
    ("DOC-001", "Procedure for AI risk assessment", Type.PROCEDURE, Level.INTERNAL, 12, 5, None),
    (
        "DOC-002",
        "Procedure for the control of documented information",
        Type.PROCEDURE,
        Level.INTERNAL,
        12,
        5,
        None,
    ),
    (
        "DOC-003",
        "Work instruction: human review of rejected claims",
        Type.WORK_INSTRUCTION,
        Level.CONFIDENTIAL,
        12,
        3,
        SYSTEM_OWNER,
    ),
    (
        "DOC-004",
        "Template: AI system impact assessment",
        Type.TEMPLATE,
        Level.INTERNAL,
        24,
        3,
        None,
    ),
    (
        "DOC-005",
        "Regulation (EU) 2024/1689 (AI Act), official text",
        Type.EXTERNAL,
        Level.PUBLIC,
        12,
        10,
        None,
    ),
]


def text_file(reference, version):
    return SimpleUploadedFile(
        f"{reference.lower()}-v{version}.md",
        f"# {reference} version {version}\n\nRheinwerk Versicherung AG, AIMS.\n".encode(),
    )


def approved_document(reference, title, doc_type, level, months, years, owner, author, approver):
    document = ControlledDocument(
        reference=reference,
        title=title,
        doc_type=doc_type,
        confidentiality=level,
        review_months=months,
        retention_years=years,
        owner=owner,
    )
    document._history_user = author
    document.save()
    document = services.document_file_store(
        document=document, upload=text_file(reference, "1.0"), user=author
    )
    services.controlled_document_submit(document=document, user=author)
    return services.controlled_document_decide(document=document, user=approver)


def seed(users):
    compliance, approver = users[COMPLIANCE_OFFICER], users[AI_OFFICER]
    for reference, title, doc_type, level, months, years, owner_role in DOCUMENTS:
        if ControlledDocument.objects.filter(reference=reference).exists():
            continue
        owner = users[owner_role] if owner_role else compliance
        document = approved_document(
            reference, title, doc_type, level, months, years, owner, compliance, approver
        )
        if reference == "DOC-001":
            draft = services.controlled_document_new_version(document=document, user=compliance)
            services.document_file_store(
                document=draft, upload=text_file(reference, draft.version_label), user=compliance
            )
        elif reference == "DOC-002":
            # Approved a year ago: its review is due now.
            ControlledDocument.objects.filter(pk=document.pk).update(
                approved_on=timezone.localdate() - timedelta(days=372),
                next_review=timezone.localdate() - timedelta(days=7),
            )
