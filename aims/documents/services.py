"""State changes of controlled documents: the file kept as evidence, submission, the decision,
the next version, and the versions due for review."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aims.context.services import next_version
from aims.core import approvals
from aims.core.approvals import workflow_save
from aims.core.permissions import permits
from aims.core.work import review_horizon
from aims.documents.approvals import DOCUMENT
from aims.documents.models import ControlledDocument
from controls.models import Evidence
from controls.services import evidence_revision_add

Status = ControlledDocument.Status
COPIED_FIELDS = (
    "reference",
    "title",
    "doc_type",
    "description",
    "owner",
    "confidentiality",
    "review_months",
    "retention_years",
    "evidence",
    "revision",
)


def document_file_store(*, document, upload, user):
    """Keep the uploaded file as the draft's file: the next revision of its evidence when the
    user may add one there, else the first revision of a new evidence item. Earlier versions
    keep the revision they were approved with."""
    with transaction.atomic():
        document = ControlledDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)
        if document.lock_reason:
            raise ValidationError(document.lock_reason)
        evidence = document.evidence
        if evidence is None or not permits(user, "change", evidence):
            evidence = Evidence(
                title=_("Controlled document %(reference)s %(title)s")
                % {"reference": document.reference, "title": document.title},
                uploaded_by=user,
            )
            evidence._history_user = user
            evidence.save()
        document.evidence = evidence
        document.revision = evidence_revision_add(
            evidence=evidence,
            upload=upload,
            user=user,
            note=_("Version %(version)s") % {"version": document.version_label},
        )
        document._history_user = user
        document.save()
    return document


def controlled_document_submit(*, document, user):
    """Submit a draft for the AI officer's approval; refused while no one may decide on it."""

    def check(document):
        if document.status != Status.DRAFT:
            raise ValidationError(_("Only a draft can be submitted."))
        if document.revision_id is None:
            raise ValidationError(_("Upload the document's file before submitting it."))

    def submit(document):
        document.status = Status.SUBMITTED
        workflow_save(document, user)
        return document

    return approvals.submit(DOCUMENT, document, user=user, check=check, apply=submit)


def controlled_document_decide(*, document, user, outcome="approve", comment="", seen=None):
    data = {"outcome": outcome, "comment": comment}
    return approvals.decide(DOCUMENT, document, user=user, data=data, seen=seen)


def controlled_document_new_version(*, document, user):
    """Start the next version as a draft copy of an approved (or retired) one, same file."""
    with transaction.atomic():
        document = ControlledDocument.objects.select_for_update(of=("self",)).get(pk=document.pk)
        if document.status not in (Status.APPROVED, Status.RETIRED):
            raise ValidationError(_("A new version starts from an approved version."))
        if ControlledDocument.objects.filter(
            reference=document.reference, status__in=(Status.DRAFT, Status.SUBMITTED)
        ).exists():
            raise ValidationError(_("This document already has a version in preparation."))
        labels = set(
            ControlledDocument.objects.filter(reference=document.reference).values_list(
                "version_label", flat=True
            )
        )
        label = next_version(document.version_label)
        while label in labels:
            label = next_version(label)
        draft = ControlledDocument(
            version_label=label, **{name: getattr(document, name) for name in COPIED_FIELDS}
        )
        draft._history_user = user
        draft.save()
    return draft


def due_for_review(on=None):
    """Approved versions whose review falls within the reminder horizon."""
    return ControlledDocument.objects.filter(
        status=Status.APPROVED, next_review__lte=on or review_horizon()
    )
