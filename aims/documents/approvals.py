"""The approval of controlled documents on the core approval machinery.

The AI officer approves: the documents of the AIMS carry its rules, and the compliance officers
who usually write them must not approve their own work. Four-eyes counts as authors whoever
wrote or changed the version, uploaded any file of it, or submitted it; the document's owner
does not decide on it either.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.approvals import (
    Approval,
    approvals,
    authored_by,
    content_authors,
    field_content,
    last_submitted_by,
    make_current,
    workflow_save,
)
from aims.core.dates import add_months
from aims.core.digests import canonical_sha256
from aims.documents.models import ControlledDocument
from controls.models import EvidenceRevision

Status = ControlledDocument.Status
DOCUMENT_FIELDS = (
    "reference",
    "title",
    "doc_type",
    "description",
    "owner",
    "version_label",
    "confidentiality",
    "review_months",
    "retention_years",
)


def snapshot(document):
    """The version's content as canonical data, the file named by its SHA-256."""
    revision = document.revision
    return {
        **field_content(document, DOCUMENT_FIELDS),
        "file": {
            "evidence": document.evidence.reference if document.evidence_id else None,
            "revision": revision.number if revision else None,
            "name": revision.file_name if revision else None,
            "sha256": revision.sha256 if revision else None,
        },
    }


def file_uploaders(document):
    """Who uploaded a file this version ever held (a replaced upload counts too)."""
    revisions = document.history.exclude(revision_id=None).values("revision_id")
    return set(
        EvidenceRevision.objects.filter(pk__in=revisions)
        .exclude(uploaded_by=None)
        .values_list("uploaded_by_id", flat=True)
    )


class ControlledDocumentApproval(Approval):
    model = ControlledDocument
    key = "controlled-document"
    title = gettext_lazy("Controlled document")
    action_label = gettext_lazy("Decide on this version")
    verbose_name = gettext_lazy("this document version")
    role_refusal = gettext_lazy("Only the AI officer approves controlled documents.")
    not_awaiting = gettext_lazy("Only a submitted version can be decided.")
    outcomes = (("approve", gettext_lazy("Approve")), ("reject", gettext_lazy("Return as draft")))

    def awaiting(self):
        return ControlledDocument.objects.filter(status=Status.SUBMITTED)

    def is_awaiting(self, document):
        return document.status == Status.SUBMITTED

    def content(self, document):
        return snapshot(document)

    def parts(self, document):
        revision = document.revision
        if revision is None:
            return [(_("File"), [])]
        return [
            (
                _("File"),
                [
                    [
                        (_("file name"), revision.file_name),
                        (_("revision"), revision.number),
                        ("SHA-256", revision.sha256),
                    ]
                ],
            )
        ]

    def authors(self, document):
        return content_authors(document.history.all()) | file_uploaders(document)

    def submitter_id(self, document):
        record = (
            document.history.filter(status=Status.SUBMITTED)
            .order_by("-history_date", "-history_id")
            .first()
        )
        return record.history_user_id if record else None

    def subject_owner_ids(self, document):
        return {document.owner_id} - {None}

    def four_eyes(self, user):
        history = ControlledDocument.history
        uploads = EvidenceRevision.objects.filter(uploaded_by=user).values("pk")
        return (
            Q(owner=user)
            | Q(pk__in=authored_by(history, user))
            | Q(pk__in=history.filter(revision_id__in=uploads).values("id"))
            | Q(pk__in=last_submitted_by(ControlledDocument, user, Status.SUBMITTED))
        )

    def apply(self, document, user, data):
        if data.get("outcome") == "reject":
            if not data.get("comment", "").strip():
                raise ValidationError(_("Give the reasons for the rejection."))
            document.status = Status.DRAFT
            workflow_save(document, user)
            return document
        frozen = snapshot(document)
        today = timezone.localdate()
        document.approved_by, document.approved_on = user, today
        document.approved_snapshot = frozen
        document.approved_sha256 = canonical_sha256(frozen)
        document.next_review = add_months(today, document.review_months)
        return make_current(
            document,
            status=Status.APPROVED,
            retired=Status.RETIRED,
            user=user,
            clash=_("Another version was approved at the same moment. Reload and check."),
            scope={"reference": document.reference},
        )


DOCUMENT = approvals.register(ControlledDocumentApproval())
