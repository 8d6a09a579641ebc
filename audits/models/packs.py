"""Audit packs: one PDF (or a ZIP with the evidence files) of the AIMS for an auditor, requested
on a page and rendered by the worker. The record keeps who asked for what, how far the render
got, and the file with its size and SHA-256.

The same record is the worker's job for any other printed document too large to render within a
request (a Statement of Applicability, an audit report of many checklist items): its `document`
names which, and `parameters` what the document's builder needs (audits/packs/documents.py)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aims.core.models import ReferencedModel
from controls.models.evidence import evidence_storage

__all__ = ["AuditPack"]


def pack_file_name(pack, filename):
    # The pack's own reference, never a name typed by someone.
    return f"packs/{pack.reference}{filename[filename.rfind('.') :]}"


class AuditPack(ReferencedModel):
    reference_prefix = "PACK"
    reference_digits = 4

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Document(models.TextChoices):
        PACK = "pack", _("Audit pack")
        SOA = "soa", _("Statement of Applicability")
        AUDIT_REPORT = "audit_report", _("Audit report")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    document = models.CharField(
        _("document"), max_length=20, choices=Document.choices, default=Document.PACK
    )
    # A printed document's: which one (a version, an audit), its title and file name as the
    # requester asked for it.
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    # Parameters: what the pack covers.
    systems = models.ManyToManyField(
        "inventory.AISystem",
        verbose_name=_("AI systems"),
        blank=True,
        related_name="+",
        help_text=_("None chosen: the whole AIMS."),
    )
    since = models.DateField(_("from"))
    until = models.DateField(_("to"))
    sections = models.JSONField(_("sections"), default=list)
    include_evidence = models.BooleanField(_("include the evidence files"), default=False)
    archival = models.BooleanField(
        _("PDF/A-3b with the evidence files embedded"),
        default=False,
        help_text=_("The archival PDF format, each evidence file attached to the PDF itself."),
    )
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    # What the worker reports.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    reason = models.TextField(_("reason"), blank=True)
    section_number = models.PositiveSmallIntegerField(_("section"), default=0)
    section_count = models.PositiveSmallIntegerField(_("sections in all"), default=0)
    section_title = models.CharField(_("current section"), max_length=200, blank=True)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    file = models.FileField(
        _("file"), storage=evidence_storage, upload_to=pack_file_name, max_length=200, blank=True
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit pack")
        verbose_name_plural = _("audit packs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("audits:pack_detail", args=[self.pk])

    @property
    def running(self):
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    @property
    def percent(self):
        if self.status == self.Status.READY:
            return 100
        if not self.section_count:
            return 0
        # The last tenth is the layout of the PDF after the last section.
        return int(90 * self.section_number / self.section_count)

    @property
    def is_pack(self):
        return self.document == self.Document.PACK

    @property
    def file_extension(self):
        return "zip" if self.include_evidence else "pdf"

    @property
    def download_name(self):
        return f"{self.file_name or self.reference}.{self.file_extension}"

    @property
    def lock_reason(self):
        return _("Audit packs are records and are not edited.")
