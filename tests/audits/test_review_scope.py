"""The compiled inputs of a management review hold only what their reader may see: the review's
page compiles them for whoever reads it; the approval freezes them as compiled for the chair.

Every role reads every register the inputs draw on, so the reader who sees less is a user who
may read management reviews and holds object permissions only on what they own."""

import datetime

import pytest
from django.contrib.auth.models import Permission

from aims.core.related_lists import FirstEntries
from audits.models import AIIncident, Audit
from audits.review.approvals import snapshot
from audits.review.inputs import compile_inputs
from audits.review.services import managementreview_approve, managementreview_submit
from tests.factories import (
    AIIncidentFactory,
    AIObjectiveFactory,
    AuditFactory,
    ContextIssueFactory,
    ImprovementFactory,
    KPIFactory,
    ManagementReviewFactory,
    MeasurementFactory,
    NonconformityFactory,
    RiskFactory,
    TreatmentActionFactory,
)

pytestmark = pytest.mark.django_db

MINE = ("Mine", "KPI mine")
OTHERS = ("Foreign", "KPI foreign")


@pytest.fixture
def reader(make_user):
    user = make_user("no_role", first_name="Rita", last_name="Reader")
    user.user_permissions.add(Permission.objects.get(codename="view_managementreview"))
    return user


@pytest.fixture
def review(make_user, compliance_officer):
    return ManagementReviewFactory(
        date=datetime.date.today(),
        period_start=datetime.date.today() - datetime.timedelta(days=30),
        chair=make_user("ai_officer"),
        minute_taker=compliance_officer,
    )


@pytest.fixture
def records(reader):
    """The same kinds of record twice: owned by the reader and owned by someone else."""
    overdue = datetime.date.today() - datetime.timedelta(days=3)
    for owner, (prefix, kpi_name) in ((reader, MINE), (None, OTHERS)):
        owned = {"owner": owner} if owner else {}
        ContextIssueFactory(title=f"{prefix} issue", **owned)
        NonconformityFactory(title=f"{prefix} nonconformity", **owned)
        ImprovementFactory(title=f"{prefix} improvement", **owned)
        AIObjectiveFactory(title=f"{prefix} objective", **owned)
        TreatmentActionFactory(
            title=f"{prefix} treatment", risk=RiskFactory(**owned), due_date=overdue
        )
        MeasurementFactory(
            kpi=KPIFactory(name=kpi_name, **owned),
            period_start=datetime.date.today() - datetime.timedelta(days=10),
            period_end=datetime.date.today() - datetime.timedelta(days=5),
        )
    AIIncidentFactory(title="Incident nobody granted")
    AuditFactory(
        title="Audit nobody granted",
        status=Audit.Status.REPORTED,
        actual_end=datetime.date.today() - datetime.timedelta(days=2),
    )


def names(inputs):
    """Every title and name the inputs hold, whatever the section."""
    found = []

    def walk(value):
        if isinstance(value, dict):
            found.extend(str(value[key]) for key in ("title", "name", "record") if key in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, FirstEntries)):  # the page's lists: Rows
            for item in value:
                walk(item)

    walk(inputs)
    return " | ".join(found)


def test_a_reader_who_owns_some_records_sees_only_those_in_the_inputs_on_the_page(
    client, reader, review, records
):
    client.force_login(reader)
    response = client.get(review.get_absolute_url())
    assert response.status_code == 200
    shown = names(response.context["record"]["inputs"])
    page = response.content.decode()
    for text in (
        "Mine issue",
        "Mine nonconformity",
        "Mine improvement",
        "Mine objective",
        "Mine treatment",
        "KPI mine",
    ):
        assert text in shown and text in page, text
    for text in (
        "Foreign issue",
        "Foreign nonconformity",
        "Foreign improvement",
        "Foreign objective",
        "Foreign treatment",
        "KPI foreign",
        "Incident nobody granted",
        "Audit nobody granted",
    ):
        assert text not in shown and text not in page, text


def test_counts_in_the_inputs_count_only_what_the_reader_may_see(reader, review, records):
    inputs = compile_inputs(review, reader)
    performance = inputs["performance"]
    assert performance["nonconformities"]["open_now"] == 1
    assert sum(row["count"] for row in performance["risks"]["risks"]) == 1
    assert sum(row["count"] for row in performance["objectives"]["by_status"]) == 1
    assert performance["incidents"] == {"incidents": [], "serious": 0}
    assert AIIncident.objects.count() == 1


def test_a_deleted_entry_shows_only_to_readers_of_the_whole_register(
    reader, review, compliance_officer
):
    ContextIssueFactory(title="Withdrawn issue", owner=reader).delete()
    assert "Withdrawn issue" in names(compile_inputs(review, compliance_officer)["issues"])
    assert "Withdrawn issue" not in names(compile_inputs(review, reader)["issues"])


def test_the_approval_freezes_the_inputs_as_compiled_for_the_chair(
    client, reader, review, records, compliance_officer
):
    chair = review.chair
    managementreview_submit(review=review, user=compliance_officer)
    managementreview_approve(review=review, user=chair)
    review.refresh_from_db()
    assert review.snapshot["inputs"] == snapshot(review, chair)["inputs"]
    assert "Foreign nonconformity" in names(review.snapshot["inputs"])
    # The closed review shows the chair's record as approved, to every reader of the review.
    client.force_login(reader)
    assert "Foreign nonconformity" in client.get(review.get_absolute_url()).content.decode()
