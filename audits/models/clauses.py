"""The clauses 4–10 of ISO/IEC 42001, shipped as a data file (audits/data) and loaded by a
migration: what audits are scoped to and what nonconformities are raised against."""

import json
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

from controls.models.catalogue import Localized

__all__ = ["Clause", "load_clauses"]

CLAUSES_FILE = Path(__file__).resolve().parent.parent / "data" / "iso42001_clauses.json"


class ClauseQuerySet(models.QuerySet):
    def leaves(self):
        return self.filter(leaf=True)


class Clause(Localized, models.Model):
    """A clause or sub-clause; `leaf` marks those an audit checks item by item."""

    code = models.CharField(_("clause"), max_length=10, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_de = models.CharField(_("German title"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    leaf = models.BooleanField(_("audited item by item"), default=True)
    position = models.PositiveIntegerField(default=0)

    objects = ClauseQuerySet.as_manager()

    class Meta:
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        ordering = ["position"]

    def __str__(self):
        return f"{self.code} {self.localized_title}"

    @property
    def main_clause(self):
        """ "6" for 6.1.2."""
        return self.code.split(".", 1)[0]


def load_clauses(model):
    """Create or update the shipped clauses (used by the migration, with its historical model)."""
    data = json.loads(CLAUSES_FILE.read_text(encoding="utf-8"))
    by_code = {}
    for position, row in enumerate(data["clauses"]):
        clause, _created = model.objects.update_or_create(
            code=row["code"],
            defaults={
                "title": row["title"],
                "title_de": row["title_de"],
                "leaf": row["leaf"],
                "position": position,
                "parent": by_code.get(row["parent"]),
            },
        )
        by_code[clause.code] = clause
