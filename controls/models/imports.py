"""Spreadsheet imports of an existing Statement of Applicability onto its entries."""

from django.utils.translation import gettext_lazy as _

from aims.core.models import ImportRecord


class SoAImport(ImportRecord):
    """One spreadsheet SoA mapped onto the entries of the ISO/IEC 42001 Statement of
    Applicability (matched by control ID; nothing is created)."""

    class Meta(ImportRecord.Meta):
        verbose_name = _("SoA import")
        verbose_name_plural = _("SoA imports")
