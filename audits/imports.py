"""The app's spreadsheet imports, where the import wizard's worker looks for them by their
record model (aims.core.imports.services.spec_of)."""

from audits.internal.imports import CHECKLIST

__all__ = ["CHECKLIST"]
