"""What an audit programme covers (9.2.2): the leaf clauses 4–10 and the ISO/IEC 42001 Annex A
controls that its audits have in scope, and the gaps no audit covers. An auditor asks for full
coverage over the certification cycle."""

from dataclasses import dataclass

from audits.models import Audit, Clause
from controls.models import Control


@dataclass
class Coverage:
    covered_clauses: list
    uncovered_clauses: list
    covered_controls: list
    uncovered_controls: list

    @property
    def clause_count(self):
        return len(self.covered_clauses) + len(self.uncovered_clauses)

    @property
    def control_count(self):
        return len(self.covered_controls) + len(self.uncovered_controls)

    @property
    def complete(self):
        return not self.uncovered_clauses and not self.uncovered_controls


def annex_a_controls():
    return Control.objects.filter(framework="iso42001").order_by("position", "code")


def programme_coverage(programme):
    """Coverage of the programme's audits, in catalogue order."""
    audits = Audit.objects.filter(programme=programme)
    clause_ids = set(audits.values_list("clauses", flat=True))
    control_ids = set(audits.values_list("controls", flat=True))
    clauses = list(Clause.objects.leaves().order_by("position"))
    controls = list(annex_a_controls())
    return Coverage(
        covered_clauses=[c for c in clauses if c.pk in clause_ids],
        uncovered_clauses=[c for c in clauses if c.pk not in clause_ids],
        covered_controls=[c for c in controls if c.pk in control_ids],
        uncovered_controls=[c for c in controls if c.pk not in control_ids],
    )
