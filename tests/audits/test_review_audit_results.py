"""The management review's audit input counts the checklist results of the audits that ended
in the period, and only of those."""

import datetime

import pytest

from audits.models import Audit, AuditResult
from audits.review.inputs import audits
from tests.factories import AuditFactory, ChecklistItemFactory

pytestmark = pytest.mark.django_db

START, END = datetime.date(2027, 1, 1), datetime.date(2027, 6, 30)


def audit_with(results, **fields):
    audit = AuditFactory(status=Audit.Status.REPORTED, **fields)
    for result in results:
        ChecklistItemFactory(audit=audit, result=result)
    return audit


def counts(user):
    return {row["result"]: row["count"] for row in audits(START, END, user)["results"]}


def test_results_of_the_audits_ended_in_the_period_are_counted(compliance_officer):
    audit_with(["conforming", "conforming", "minor", ""], actual_end=datetime.date(2027, 3, 5))
    audit_with(["major", "conforming"])  # planned to end in the period, not ended otherwise
    audit_with(["major"], actual_end=datetime.date(2027, 8, 1))  # ended after the period
    AuditFactory(status=Audit.Status.PLANNED)  # not reported
    found = counts(compliance_officer)
    assert found == {
        str(AuditResult.CONFORMING.label): 3,
        str(AuditResult.MAJOR.label): 1,
        str(AuditResult.MINOR.label): 1,
        str(AuditResult.OBSERVATION.label): 0,
        str(AuditResult.IMPROVEMENT.label): 0,
        str(AuditResult.NOT_AUDITED.label): 0,
    }
    assert len(audits(START, END, compliance_officer)["audits"]) == 2


def test_no_audit_in_the_period_counts_nothing(compliance_officer):
    audit_with(["major"], actual_end=datetime.date(2026, 3, 5))
    assert set(counts(compliance_officer).values()) == {0}
