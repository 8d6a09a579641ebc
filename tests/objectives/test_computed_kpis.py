"""Each computed KPI against hand-built data: figures with a date count as they stood on the
period's last day; the registry holds each function once under its code."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from aims.impact.models import AssessmentDecision
from aims.inventory.models import AISystem
from aims.objectives.computed import computed_kpis, share
from audits.models import Nonconformity
from controls.models import Framework, ImplementationStatus, SoAEntry
from risks.models import Risk
from tests.factories import (
    AIIncidentFactory,
    AISystemFactory,
    CorrectiveActionFactory,
    ImpactAssessmentFactory,
    NonconformityFactory,
    RiskFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)


def compute(code):
    return computed_kpis()[code](START, END)


def aware(day, hour=12):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_registry_holds_the_figures_of_the_existing_registers():
    assert {
        "annex_a_controls_implemented",
        "ai_systems_impact_approved",
        "reviews_overdue",
        "nonconformities_open_major",
        "nonconformities_open_minor",
        "corrective_actions_overdue",
        "serious_incidents",
    } <= set(computed_kpis())


def test_counts_run_lower_is_better_and_shares_higher_is_better():
    registry = computed_kpis()
    assert registry["serious_incidents"].higher_is_better is False
    assert registry["serious_incidents"].unit == ""
    assert registry["annex_a_controls_implemented"].higher_is_better is True
    assert registry["annex_a_controls_implemented"].unit == "%"


def test_a_share_of_nothing_is_zero_and_rounds_to_one_decimal():
    assert share(0, 0) == Decimal(0)
    assert share(1, 3) == Decimal("33.3")
    assert share(2, 3) == Decimal("66.7")


def test_the_annex_a_share_counts_applicable_organization_wide_entries_implemented():
    entries = SoAEntry.objects.organization_wide().filter(control__framework=Framework.ISO42001)
    total = entries.count()
    entries.update(applicable=True, status=ImplementationStatus.PLANNED)
    implemented = list(entries.order_by("pk")[:10])
    SoAEntry.objects.filter(pk__in=[e.pk for e in implemented]).update(
        status=ImplementationStatus.IMPLEMENTED
    )
    excluded = entries.exclude(pk__in=[e.pk for e in implemented]).order_by("pk")[:4]
    SoAEntry.objects.filter(pk__in=[e.pk for e in excluded]).update(
        applicable=False, exclusion_justification="No such activity."
    )
    assert compute("annex_a_controls_implemented") == share(10, total - 4)


def test_the_impact_share_counts_approvals_decided_by_the_periods_end():
    approved, later, rejected, _none = AISystemFactory.create_batch(4)
    AISystemFactory(status=AISystem.Status.DECOMMISSIONED)
    AISystemFactory(in_scope=False)
    AISystem.objects.update(created_at=aware(START))
    AISystemFactory()  # added after the period
    officer = UserFactory()
    for system, outcome, day in (
        (approved, AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS, END),
        (later, AssessmentDecision.Outcome.APPROVED, END + datetime.timedelta(days=1)),
        (rejected, AssessmentDecision.Outcome.REJECTED, START),
    ):
        decision = AssessmentDecision.objects.create(
            assessment=ImpactAssessmentFactory(system=system),
            outcome=outcome,
            decided_by=officer,
            snapshot={},
            snapshot_sha256="0" * 64,
        )
        AssessmentDecision.objects.filter(pk=decision.pk).update(decided_at=aware(day))
    assert compute("ai_systems_impact_approved") == Decimal("25.0")


def test_overdue_reviews_count_open_risks_and_systems_due_before_the_periods_end():
    RiskFactory(next_review=END - datetime.timedelta(days=1))
    RiskFactory(next_review=END - datetime.timedelta(days=40))
    RiskFactory(next_review=END - datetime.timedelta(days=1), status=Risk.Status.CLOSED)
    RiskFactory(next_review=END)
    AISystemFactory(next_review=START)
    AISystemFactory(next_review=END + datetime.timedelta(days=10))
    AISystem.objects.update(created_at=aware(START))
    assert compute("reviews_overdue") == Decimal(3)


def test_open_nonconformities_count_by_grade_as_they_stood_on_the_last_day():
    major = Nonconformity.Grade.MAJOR
    NonconformityFactory(grade=major)
    NonconformityFactory(grade=major)
    closed_after = NonconformityFactory(grade=major)
    closed_within = NonconformityFactory(grade=major)
    raised_after = NonconformityFactory(grade=major)
    NonconformityFactory()  # minor
    Nonconformity.objects.update(created_at=aware(START))
    Nonconformity.objects.filter(pk=closed_after.pk).update(
        status=Nonconformity.Status.CLOSED, closed_on=END + datetime.timedelta(days=2)
    )
    Nonconformity.objects.filter(pk=closed_within.pk).update(
        status=Nonconformity.Status.CLOSED, closed_on=END
    )
    Nonconformity.objects.filter(pk=raised_after.pk).update(
        created_at=aware(END + datetime.timedelta(days=1))
    )
    assert compute("nonconformities_open_major") == Decimal(3)
    assert compute("nonconformities_open_minor") == Decimal(1)


def test_overdue_corrective_actions_count_those_open_past_due_on_the_last_day():
    before = END - datetime.timedelta(days=5)
    CorrectiveActionFactory(due_date=before)
    CorrectiveActionFactory(due_date=before, status="in_progress")
    CorrectiveActionFactory(due_date=before, status="done", done_on=END + datetime.timedelta(2))
    CorrectiveActionFactory(due_date=before, status="done", done_on=END)
    CorrectiveActionFactory(due_date=before, status="cancelled")
    CorrectiveActionFactory(due_date=END)
    assert compute("corrective_actions_overdue") == Decimal(3)


def test_serious_incidents_count_those_the_organization_became_aware_of_in_the_period():
    AIIncidentFactory(serious=True, occurred_at=aware(START), aware_at=aware(START, 0))
    AIIncidentFactory(serious=True, occurred_at=aware(END), aware_at=aware(END, 23))
    AIIncidentFactory(serious=False, occurred_at=aware(END), aware_at=aware(END))
    AIIncidentFactory(
        serious=True,
        occurred_at=aware(END),
        aware_at=aware(END + datetime.timedelta(days=1), 1),
    )
    assert compute("serious_incidents") == Decimal(2)
