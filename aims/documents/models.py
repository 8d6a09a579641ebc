"""Controlled documents of the AIMS (7.5): procedures, work instructions, templates, policies
other than the AI policy and documents of external origin. Each version is its own row under
the document's reference; its file is an evidence revision with a SHA-256."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.models import ReferencedModel, object_permission_models

SHORT_TEXT = 200
LONG_TEXT = 10_000
OPEN = ("draft", "submitted")


class ControlledDocument(ReferencedModel):
    """One version of a controlled document. A draft is edited and submitted; the AI officer
    approves it and the version approved before it under the same reference retires."""

    reference_prefix = "DOC"
    owner_field = "owner"

    class Type(models.TextChoices):
        POLICY = "policy", _("Policy")
        PROCEDURE = "procedure", _("Procedure")
        WORK_INSTRUCTION = "instruction", _("Work instruction")
        TEMPLATE = "template", _("Template or form")
        EXTERNAL = "external", _("External document")

    class Confidentiality(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")
        CONFIDENTIAL = "confidential", _("Confidential")
        RESTRICTED = "restricted", _("Restricted")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        RETIRED = "retired", _("Retired")

    # Versions share the reference: unique with the version label, not alone.
    reference = models.CharField(
        _("reference"),
        max_length=30,
        blank=True,
        help_text=_("Leave blank to get the next free number."),
    )
    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    doc_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    description = models.TextField(_("purpose and scope"), max_length=LONG_TEXT, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Keeps the document current and reviews it when due."),
    )
    version_label = models.CharField(_("document version"), max_length=20, default="1.0")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=20,
        choices=Confidentiality.choices,
        default=Confidentiality.INTERNAL,
    )
    review_months = models.PositiveSmallIntegerField(
        _("review cycle (months)"), default=12, help_text=_("The next review is set on approval.")
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years)"),
        default=3,
        help_text=_("How long a superseded version is kept after it retires."),
    )
    evidence = models.ForeignKey(
        "controls.Evidence",
        verbose_name=_("file as evidence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    revision = models.ForeignKey(
        "controls.EvidenceRevision",
        verbose_name=_("file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    next_review = models.DateField(_("next review"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)
    # What the approver decided on, frozen: later changes elsewhere do not alter the record.
    approved_snapshot = models.JSONField(_("approved content"), null=True, editable=False)
    approved_sha256 = models.CharField(
        _("SHA-256 of the approved content"), max_length=64, blank=True, editable=False
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("controlled document")
        verbose_name_plural = _("controlled documents")
        ordering = ["reference", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "version_label"], name="document_version_unique"
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(status="approved"),
                name="one_approved_version_per_document",
            ),
            models.UniqueConstraint(
                fields=["reference"],
                condition=Q(status__in=OPEN),
                name="one_open_version_per_document",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title} v{self.version_label}"

    @property
    def lock_reason(self):
        if self.status == self.Status.DRAFT:
            return ""
        if self.status == self.Status.SUBMITTED:
            return _("This version awaits approval; it cannot be changed until it is decided.")
        return _("Only a draft can be changed or deleted. Start a new version of this document.")

    @property
    def review_overdue(self):
        return bool(
            self.status == self.Status.APPROVED
            and self.next_review
            and self.next_review < timezone.localdate()
        )


(
    ControlledDocumentUserObjectPermission,
    ControlledDocumentGroupObjectPermission,
) = object_permission_models(ControlledDocument)
