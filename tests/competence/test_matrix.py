"""The competence matrix: for each person and each requirement that applies to them, held,
expiring within 30 days, expired or missing; the gaps listed below, filtered by role, AI
system and unit, and exported as CSV; the dashboard counts the gaps."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.competence.literacy import ai_literacy_share
from aims.competence.matrix import EXPIRED, EXPIRING, HELD, MISSING, cell, with_records
from aims.competence.models import Person
from tests.factories import (
    AIMSRoleFactory,
    AISystemFactory,
    CompetenceRequirementFactory,
    PersonFactory,
    TrainingRecordFactory,
)

TODAY = date(2026, 6, 15)


def state(person, requirement, today=TODAY):
    return cell(with_records(Person.objects.filter(pk=person.pk)).get(), requirement, today).state


@pytest.fixture
def operators_training(db):
    """Operators of the claims model need human-oversight training, valid two years."""
    system = AISystemFactory()
    requirement = CompetenceRequirementFactory(
        title="Human oversight of AIS", satisfied_by="Oversight course\nOversight refresher"
    )
    requirement.ai_systems.add(system)
    return requirement, system


@pytest.fixture
def operator(operators_training):
    _requirement, system = operators_training
    person = PersonFactory(name="Bernd Maier", email="", unit="Claims")
    person.ai_systems.add(system)
    return person


@pytest.mark.django_db
def test_a_current_record_of_an_accepted_course_holds_the_requirement(operators_training, operator):
    requirement, _system = operators_training
    TrainingRecordFactory(person=operator, course="oversight COURSE", completed_on=date(2026, 1, 5))
    assert state(operator, requirement) == HELD


@pytest.mark.django_db
def test_without_a_record_the_requirement_is_missing(operators_training, operator):
    requirement, _system = operators_training
    TrainingRecordFactory(person=operator, course="Something else", completed_on=date(2026, 1, 5))
    assert state(operator, requirement) == MISSING


@pytest.mark.django_db
def test_a_record_past_its_valid_until_is_expired(operators_training, operator):
    requirement, _system = operators_training
    TrainingRecordFactory(
        person=operator,
        course="Oversight course",
        completed_on=date(2025, 1, 5),
        valid_until=date(2026, 6, 14),
    )
    assert state(operator, requirement) == EXPIRED


@pytest.mark.django_db
def test_the_requirement_validity_expires_a_record_without_its_own_end(
    operators_training, operator
):
    requirement, _system = operators_training  # 24 months
    TrainingRecordFactory(person=operator, course="Oversight course", completed_on=date(2024, 6, 1))
    assert state(operator, requirement) == EXPIRED
    assert state(operator, requirement, today=date(2026, 5, 31)) == EXPIRING


@pytest.mark.django_db
def test_a_record_ending_within_thirty_days_is_expiring_then_held_after_a_refresher(
    operators_training, operator
):
    requirement, _system = operators_training
    TrainingRecordFactory(
        person=operator,
        course="Oversight course",
        completed_on=date(2025, 7, 1),
        valid_until=TODAY + timedelta(days=30),
    )
    assert state(operator, requirement) == EXPIRING
    assert state(operator, requirement, today=TODAY - timedelta(days=1)) == HELD
    TrainingRecordFactory(person=operator, course="Oversight refresher", completed_on=TODAY)
    assert state(operator, requirement) == HELD


@pytest.mark.django_db
def test_a_requirement_applies_only_to_its_roles_and_operators(operators_training):
    requirement, _system = operators_training
    outsider = PersonFactory()
    assert state(outsider, requirement) == ""
    officer_role = AIMSRoleFactory()
    by_role = CompetenceRequirementFactory()
    by_role.roles.add(officer_role)
    holder = PersonFactory()
    holder.roles.add(officer_role)
    assert state(holder, by_role) == MISSING
    assert state(outsider, by_role) == ""
    everyone = CompetenceRequirementFactory(ai_literacy=True)
    assert state(outsider, everyone) == MISSING


@pytest.mark.django_db
def test_the_matrix_page_shows_each_state_and_lists_the_gaps(
    client, auditor, operators_training, operator
):
    requirement, system = operators_training
    expired_person = PersonFactory(name="Clara Expired", unit="IT")
    expired_person.ai_systems.add(system)
    TrainingRecordFactory(
        person=expired_person,
        course="Oversight course",
        completed_on=date(2023, 1, 1),
        valid_until=date(2024, 1, 1),
    )
    held = PersonFactory(name="Anna Held", unit="Claims")
    held.ai_systems.add(system)
    TrainingRecordFactory(person=held, course="Oversight course")
    client.force_login(auditor)
    response = client.get(reverse("competence:matrix"))
    assert response.status_code == 200
    gaps = {(c.person.name, c.state) for c in response.context["gaps"]}
    assert gaps == {("Bernd Maier", MISSING), ("Clara Expired", EXPIRED)}
    page = response.content.decode()
    assert 'data-state="held"' in page
    assert 'data-state="expired"' in page
    assert 'style="' not in page

    response = client.get(reverse("competence:matrix"), {"unit": "IT"})
    assert [p.name for p, _cells in response.context["rows"]] == ["Clara Expired"]

    csv = client.get(reverse("competence:gaps_csv")).content.decode("utf-8-sig")
    assert "Bernd Maier" in csv and "Clara Expired" in csv and "Anna Held" not in csv


@pytest.mark.django_db
def test_the_matrix_costs_the_same_queries_for_one_and_many_people(
    client, compliance_officer, operators_training
):
    requirement, system = operators_training
    client.force_login(compliance_officer)

    def add_people(count):
        for person in PersonFactory.create_batch(count):
            person.ai_systems.add(system)
            TrainingRecordFactory(person=person, course="Oversight course").requirements.add(
                requirement
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("competence:matrix")).status_code == 200
        return len(captured)

    add_people(1)
    one = queries()
    add_people(30)
    assert queries() == one


@pytest.mark.django_db
def test_the_dashboard_counts_the_training_gaps(client, compliance_officer, operator):
    client.force_login(compliance_officer)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "1 training gap" in page


@pytest.mark.django_db
def test_the_ai_literacy_share_counts_people_holding_every_literacy_requirement():
    literacy = CompetenceRequirementFactory(satisfied_by="AI literacy basics", ai_literacy=True)
    today = timezone.localdate()
    trained, untrained = PersonFactory.create_batch(2)
    TrainingRecordFactory(person=trained, course="AI literacy basics", completed_on=today)
    assert str(ai_literacy_share(today)) == "50.0"
    assert literacy.records.count() == 0  # counted by the course name, no link needed
    TrainingRecordFactory(person=untrained, course="AI literacy basics", completed_on=today)
    assert str(ai_literacy_share(today)) == "100.0"
