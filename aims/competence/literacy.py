"""The share of people with current AI-literacy training (EU AI Act Art. 4), for the KPI."""

from decimal import Decimal

from aims.competence.matrix import EXPIRING, HELD, cell, with_records, with_scope
from aims.competence.models import CompetenceRequirement, Person


def ai_literacy_share(on):
    """Among the people an AI-literacy requirement applies to on the day, the share in percent
    who hold every such requirement then; 0 when it applies to nobody."""
    requirements = list(with_scope(CompetenceRequirement.objects.filter(ai_literacy=True)))
    concerned = current = 0
    for person in with_records(Person.objects.filter(created_at__date__lte=on)):
        cells = [cell(person, r, on) for r in requirements if r.applies_to(person)]
        if not cells:
            continue
        concerned += 1
        current += all(c.state in (HELD, EXPIRING) for c in cells)
    if not concerned:
        return Decimal("0")
    return (Decimal(current) * 100 / concerned).quantize(Decimal("0.1"))
