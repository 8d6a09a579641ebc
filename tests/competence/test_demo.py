"""The demo's competence records: requirements for the AIMS roles and the operators of the
high-risk CV screening tool, people with and without an account, a few gaps and one expired
record; seeding twice changes nothing."""

import pytest
from django.core.management import call_command

from aims.competence.matrix import EXPIRED, EXPIRING, MISSING, cell, gaps, matrix, with_records
from aims.competence.models import CompetenceRequirement, Person, TrainingRecord


@pytest.mark.django_db
def test_the_demo_shows_gaps_one_expired_record_and_seeds_once():
    call_command("seed_demo", verbosity=0)
    counts = [m.objects.count() for m in (CompetenceRequirement, Person, TrainingRecord)]
    call_command("seed_demo", verbosity=0)
    assert [m.objects.count() for m in (CompetenceRequirement, Person, TrainingRecord)] == counts

    oversight = CompetenceRequirement.objects.get(reference="CR-005")
    assert [s.reference for s in oversight.ai_systems.all()] == ["AIS-003"]
    assert Person.objects.filter(user=None).count() == 2
    people = with_records(Person.objects.all())
    requirements = list(CompetenceRequirement.objects.all())
    found = {
        (c.person.name, c.requirement.reference, c.state)
        for c in gaps(matrix(people, requirements))
    }
    assert found == {
        ("Martin Huber", "CR-001", MISSING),
        ("Lena Vogt", "CR-005", EXPIRED),
        ("Jonas Becker", "CR-005", MISSING),
    }
    sabine = people.get(name="Sabine Wolff")
    assert cell(sabine, CompetenceRequirement.objects.get(reference="CR-001")).state == EXPIRING
