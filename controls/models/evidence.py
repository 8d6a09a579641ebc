"""Evidence: files and links that show a control operates, attached to controls, risks, AI
systems and SoA entries. Files are private, hashed at upload and never overwritten: a new file
is a new revision."""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.core.signals import setting_changed
from django.core.validators import URLValidator
from django.db import models
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _

from aims.core.models import ReferencedModel, object_permission_models
from aims.core.permissions import RestrictedQuerySet
from controls.models.catalogue import LONG_TEXT, SHORT_TEXT


class EvidenceStorage(LazyObject):
    """The storage named "evidence" in settings.STORAGES (the private folder or an object
    store), looked up again when the setting changes, as Django does for its default storage."""

    def _setup(self):
        self._wrapped = storages["evidence"]


STORAGE = EvidenceStorage()


def evidence_storage():
    return STORAGE


@receiver(setting_changed)
def storage_setting_changed(*, setting, **kwargs):
    if setting in ("STORAGES", "MEDIA_ROOT"):
        STORAGE._wrapped = empty


def revision_file_name(revision, filename):
    # The stored name is never the uploader's: no path or extension of theirs reaches storage.
    return f"evidence/{revision.evidence_id}/{uuid.uuid4().hex}"


class EvidenceQuerySet(RestrictedQuerySet):
    def expired(self, today=None):
        return self.filter(valid_until__lt=today or timezone.localdate())


class Evidence(ReferencedModel):
    reference_prefix = "EV"
    reference_digits = 4
    owner_field = "uploaded_by"  # whoever adds evidence may see and change it
    _history_m2m_fields = ["controls", "soa_entries", "risks", "ai_systems"]

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    description = models.TextField(_("description"), max_length=LONG_TEXT, blank=True)
    link = models.URLField(
        _("link"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=("https", "http"))],
        help_text=_("Where the evidence lives, e.g. a ticket or a wiki page (https://…)."),
    )
    evidence_date = models.DateField(
        _("evidence date"),
        default=timezone.localdate,
        help_text=_("When the evidence was valid, e.g. the day a test ran; not the upload."),
    )
    valid_until = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_(
            "After this day the evidence no longer counts; leave empty if it does not expire."
        ),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    controls = models.ManyToManyField(
        "controls.Control", verbose_name=_("controls"), blank=True, related_name="evidence"
    )
    risks = models.ManyToManyField(
        "risks.Risk", verbose_name=_("risks"), blank=True, related_name="evidence"
    )
    ai_systems = models.ManyToManyField(
        "inventory.AISystem", verbose_name=_("AI systems"), blank=True, related_name="evidence"
    )
    soa_entries = models.ManyToManyField(
        "controls.SoAEntry", verbose_name=_("SoA entries"), blank=True, related_name="evidence"
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    @property
    def expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def current_revision(self):
        return max(self.revisions.all(), key=lambda r: r.number, default=None)


EvidenceUserObjectPermission, EvidenceGroupObjectPermission = object_permission_models(Evidence)


class EvidenceRevision(models.Model):
    """One uploaded file of an evidence item; never changed after upload."""

    evidence = models.ForeignKey(
        Evidence, verbose_name=_("evidence"), on_delete=models.PROTECT, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    file = models.FileField(
        _("file"), storage=evidence_storage, upload_to=revision_file_name, max_length=200
    )
    file_name = models.CharField(_("file name"), max_length=SHORT_TEXT)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("what changed"), max_length=SHORT_TEXT, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["evidence", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "number"], name="evidence_revision_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.evidence.reference} r{self.number} {self.file_name}"
