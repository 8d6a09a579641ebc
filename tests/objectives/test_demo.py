"""The demo objectives: three objectives, eight KPIs (three computed) with a year of monthly
measurements, one KPI off target; seeding again changes nothing."""

import pytest

from aims.core import roles
from aims.objectives import demo
from aims.objectives.models import KPI, AIObjective, Measurement, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return {role: UserFactory(role=role) for role in roles.ROLES}


def test_the_demo_has_three_objectives_and_eight_kpis_with_a_year_of_measurements(users):
    demo.seed(users)
    assert AIObjective.objects.count() == 3
    assert KPI.objects.count() == 8
    assert KPI.objects.computed().count() == 3
    for kpi in KPI.objects.all():
        assert kpi.measurements.count() == 12
        assert not kpi.measurement_due()
        assert kpi.objectives.exists()
    assert [kpi.reference for kpi in KPI.objects.off_target()] == ["KPI-02"]
    assert KPI.objects.get(reference="KPI-02").current_status == Status.OFF_TARGET


def test_seeding_the_demo_again_changes_nothing(users):
    demo.seed(users)
    before = [
        list(model.objects.order_by("pk").values()) for model in (AIObjective, KPI, Measurement)
    ]
    demo.seed(users)
    after = [
        list(model.objects.order_by("pk").values()) for model in (AIObjective, KPI, Measurement)
    ]
    assert before == after
