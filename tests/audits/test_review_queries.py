"""The compiled inputs of a management review cost the same number of queries however many
records each section holds (aggregate queries, no query a row)."""

import datetime

import pytest
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


def seed(count, earlier):
    for _ in range(count):
        ContextIssueFactory()
        InterestedPartyFactory()
        NonconformityFactory()
        ImprovementFactory()
        AIIncidentFactory()
        TreatmentActionFactory(due_date=datetime.date(2020, 1, 1))
        MeasurementFactory(
            kpi=KPIFactory(),
            period_start=datetime.date(2026, 11, 1),
            period_end=datetime.date(2026, 11, 30),
        )
        ReviewActionFactory(review=earlier)


def queries(review):
    with CaptureQueriesContext(connection) as captured:
        compile_inputs(review)
    return len(captured)


@pytest.mark.django_db
def test_compiling_the_inputs_costs_the_same_queries_for_one_record_and_for_ten():
    earlier = ManagementReviewFactory(date=datetime.date(2026, 1, 10))
    review = ManagementReviewFactory(date=datetime.date(2026, 12, 31))
    seed(1, earlier)
    one = queries(review)
    seed(9, earlier)
    assert queries(review) == one
