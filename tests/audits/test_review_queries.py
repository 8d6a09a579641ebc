"""The compiled inputs of a management review cost the same number of queries however many
records each section holds (aggregate queries, no query a row)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.review.inputs import compile_inputs
from tests.factories import (
    AIIncidentFactory,
    ContextIssueFactory,
    ImprovementFactory,
    InterestedPartyFactory,
    KPIFactory,
    ManagementReviewFactory,
    MeasurementFactory,
    NonconformityFactory,
    ReviewActionFactory,
    TreatmentActionFactory,
)


def seed(count, earlier, owner):
    for _ in range(count):
        ContextIssueFactory(owner=owner)
        InterestedPartyFactory()
        NonconformityFactory(owner=owner)
        ImprovementFactory()
        AIIncidentFactory()
        TreatmentActionFactory(due_date=datetime.date(2020, 1, 1))
        MeasurementFactory(
            kpi=KPIFactory(),
            period_start=datetime.date(2026, 11, 1),
            period_end=datetime.date(2026, 11, 30),
        )
        ReviewActionFactory(review=earlier)


def queries(review, reader):
    # A fresh user object: the permissions it caches would make the second count smaller.
    reader = type(reader).objects.get(pk=reader.pk)
    with CaptureQueriesContext(connection) as captured:
        compile_inputs(review, reader)
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["compliance_officer", "reader_of_own_records"])
def test_compiling_the_inputs_costs_the_same_queries_for_one_record_and_for_ten(persona, make_user):
    """For a reader of every register and for one who sees only the records they own."""
    if persona == "reader_of_own_records":
        reader = make_user("no_role")
        reader.user_permissions.add(Permission.objects.get(codename="view_managementreview"))
    else:
        reader = make_user(persona)
    earlier = ManagementReviewFactory(date=datetime.date(2026, 1, 10))
    review = ManagementReviewFactory(date=datetime.date(2026, 12, 31))
    seed(1, earlier, reader)
    queries(review, reader)  # warms the process-wide caches (content types, permissions)
    one = queries(review, reader)
    seed(9, earlier, reader)
    assert queries(review, reader) == one
