"""Checklists kept in a spreadsheet, imported into one audit's checklist through the import
wizard (audits/internal/imports.py): the import record and the rows it read."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from aims.core.models import ImportRecord, TrackedModel
from audits.models.audits import AuditResult

__all__ = ["ChecklistImport", "ChecklistImportRow"]


class ChecklistImport(ImportRecord):
    """One spreadsheet checklist imported into an audit's checklist."""

    # Null only for the moment between the upload and its attachment to the audit.
    audit = models.ForeignKey(
        "audits.Audit",
        verbose_name=_("audit"),
        on_delete=models.CASCADE,
        null=True,
        related_name="checklist_imports",
    )

    class Meta(ImportRecord.Meta):
        verbose_name = _("checklist import")
        verbose_name_plural = _("checklist imports")


class ChecklistImportRow(TrackedModel):
    """A row of an imported checklist as it was read, and the checklist item it created or
    updated: the wizard creates these rows, and the import applies them to the checklist."""

    scope_parent = "audit"

    class Outcome(models.TextChoices):
        CREATED = "created", _("New checklist item")
        UPDATED = "updated", _("Updates the item on the checklist")

    source_import = models.ForeignKey(
        ChecklistImport,
        verbose_name=_("import"),
        on_delete=models.CASCADE,
        related_name="rows",
    )
    # Both blank in a row that could not be read: its errors then say why, not "required".
    audit = models.ForeignKey(
        "audits.Audit",
        verbose_name=_("audit"),
        on_delete=models.CASCADE,
        blank=True,
        related_name="+",
    )
    reference = models.CharField(_("clause or control"), max_length=20, blank=True)
    clause = models.ForeignKey(
        "audits.Clause", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    control = models.ForeignKey(
        "controls.Control", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    question = models.CharField(_("what is checked"), max_length=500, blank=True)
    result = models.CharField(_("result"), max_length=15, choices=AuditResult.choices, blank=True)
    notes = models.TextField(_("audit notes"), max_length=10_000, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    checklist_item = models.ForeignKey(
        "audits.ChecklistItem",
        verbose_name=_("checklist item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("checklist row")
        verbose_name_plural = _("checklist rows")
        ordering = ["source_import", "pk"]

    def __str__(self):
        return f"{self.reference} {self.question}".strip()
