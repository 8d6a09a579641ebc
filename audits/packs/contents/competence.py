"""Pack section of competence (7.2): the required competences, each person with the state of
every requirement that applies to them and their training records, and the coverage."""

from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from aims.competence.matrix import EXPIRING, HELD, matrix
from aims.competence.models import CompetenceRequirement, Person, TrainingRecord
from audits.packs.sections import section


@section("competence", _("Competence"), order=550, model=CompetenceRequirement)
def competence(scope):
    requirements = list(
        scope.for_systems(scope.visible(CompetenceRequirement), "ai_systems")
        .prefetch_related("roles", "ai_systems")
        .order_by("reference")
    )
    records = scope.visible(TrainingRecord).prefetch_related("requirements")
    people = list(
        scope.for_systems(scope.visible(Person), "ai_systems")
        .select_related("manager")
        .prefetch_related("roles", "ai_systems", Prefetch("records", queryset=records))
        .order_by("name", "pk")
    )
    if not requirements and not people:
        return None
    for requirement in requirements:
        requirement.required_of = [role.name for role in requirement.roles.all()] + [
            gettext("operators of %(system)s") % {"system": system.reference}
            for system in requirement.ai_systems.all()
        ]
    rows = [
        (person, [cell for cell in cells if cell.state])
        for person, cells in matrix(people, requirements)
    ]
    applicable = sum(len(cells) for _person, cells in rows)
    held = sum(1 for _person, cells in rows for cell in cells if cell.state in (HELD, EXPIRING))
    return {
        "requirements": requirements,
        "rows": rows,
        "applicable": applicable,
        "held": held,
        "coverage": round(100 * held / applicable) if applicable else None,
    }
