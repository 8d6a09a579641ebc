"""The competence matrix: for each person and each requirement that applies to them, whether
the competence is held, runs out soon, has run out or is missing. Read in a fixed number of
queries, whatever the number of people and records."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.competence.models import EXPIRING_DAYS, CompetenceRequirement, Person, TrainingRecord

HELD, EXPIRING, EXPIRED, MISSING = "held", "expiring", "expired", "missing"
LABELS = {
    HELD: _("held"),
    EXPIRING: _("expires soon"),
    EXPIRED: _("expired"),
    MISSING: _("missing"),
}
GAPS = (EXPIRED, MISSING)


@dataclass(frozen=True)
class Cell:
    person: Person
    requirement: CompetenceRequirement
    state: str  # "" when the requirement does not apply to the person
    record: TrainingRecord | None = None  # the record that counts longest
    until: object = None  # the last day it counts

    @property
    def label(self):
        return LABELS.get(self.state, "")

    @property
    def gap(self):
        return self.state in GAPS


def with_records(people):
    """People with what the matrix reads of them, prefetched."""
    records = TrainingRecord.objects.prefetch_related("requirements")
    return people.select_related("manager").prefetch_related(
        "roles", "ai_systems", Prefetch("records", queryset=records)
    )


def with_scope(requirements):
    """Requirements with the roles and systems that say whom they apply to, prefetched."""
    return requirements.prefetch_related("roles", "ai_systems")


def cell(person, requirement, today=None):
    """The state of one requirement for one person, from their prefetched records."""
    if not requirement.applies_to(person):
        return Cell(person, requirement, "")
    today = today or timezone.localdate()
    best, best_until, expired = None, None, False
    for record in person.records.all():
        if not record.meets(requirement) or record.completed_on > today:
            continue
        until = record.expires_for(requirement)
        if until is not None and until < today:
            expired = True
            continue
        if best is None or best_until is not None and (until is None or until > best_until):
            best, best_until = record, until
    if best is None:
        return Cell(person, requirement, EXPIRED if expired else MISSING)
    soon = best_until is not None and best_until <= today + timedelta(days=EXPIRING_DAYS)
    return Cell(person, requirement, EXPIRING if soon else HELD, best, best_until)


def matrix(people, requirements, today=None):
    """Rows of cells, one row per person, one cell per requirement (in the given order)."""
    return [(person, [cell(person, r, today) for r in requirements]) for person in people]


def gaps(rows):
    """The cells that are missing or expired, person by person."""
    return [c for _person, cells in rows for c in cells if c.gap]


def all_gaps(user, today=None):
    """Every gap among the people and requirements the user may see."""
    people = with_records(Person.objects.restrict(user))
    requirements = list(with_scope(CompetenceRequirement.objects.restrict(user)))
    return gaps(matrix(people, requirements, today))
