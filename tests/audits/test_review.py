"""Management review (9.3): the inputs compiled for each review's period, the chair's approval
on the core approval machinery, the frozen record, and the minutes PDF."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from aims.core import approvals as machinery
from aims.core.digests import canonical_sha256
from audits.models import ManagementReview, Nonconformity, ReviewAction, ReviewDecision
from audits.review.approvals import REVIEW
from audits.review.inputs import compile_inputs
from audits.review.services import managementreview_approve, managementreview_submit
from tests.factories import (
    ContextIssueFactory,
    InterestedPartyFactory,
    KPIFactory,
    ManagementReviewFactory,
    MeasurementFactory,
    NonconformityFactory,
    PartyRequirementFactory,
    ReviewActionFactory,
    ReviewDecisionFactory,
    UserFactory,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
DECISION = "Fund a second model validator for the claims triage model"


def at(day):
    """Noon of a day: the records made then fall clearly into that day's period."""
    return time_machine.travel(datetime.datetime(*day, 12, tzinfo=BERLIN), tick=False)


@pytest.fixture
def chair(make_user):
    return make_user("ai_officer", first_name="Clara", last_name="Chair")


@pytest.fixture
def minute_taker(compliance_officer):
    return compliance_officer


@pytest.fixture
def two_periods(chair, minute_taker):
    """Review 1 covers the first half of 2026, review 2 the second half; each period has its
    own changes, findings and measurements; one action of review 1 stays open."""
    kpi = KPIFactory(name="Triage accuracy")
    with at((2026, 3, 10)):
        issue = ContextIssueFactory(title="Supervisory guidance on model risk")
        InterestedPartyFactory(name="Works council")
        NonconformityFactory(title="Risk owner missing")
        MeasurementFactory(
            kpi=kpi,
            period_start=datetime.date(2026, 2, 1),
            period_end=datetime.date(2026, 2, 28),
            value=97,
        )
        first = ManagementReviewFactory(
            title="First review",
            date=datetime.date(2026, 6, 30),
            period_start=datetime.date(2026, 1, 1),
            chair=chair,
            minute_taker=minute_taker,
        )
        left_open = ReviewActionFactory(review=first, title="Train the claims operators")
        closed_early = ReviewActionFactory(review=first, title="Publish the AI policy")
    with at((2026, 6, 20)):
        closed_early.status = ReviewAction.Status.DONE
        closed_early.save()
    with at((2026, 9, 15)):
        issue.title = "Supervisory guidance on model risk, revised"
        issue.save()
        ContextIssueFactory(title="New claims platform")
        PartyRequirementFactory(title="Explain rejected claims")
        NonconformityFactory(title="Oversight log incomplete")
        MeasurementFactory(
            kpi=kpi,
            period_start=datetime.date(2026, 8, 1),
            period_end=datetime.date(2026, 8, 31),
            value=88,
        )
    second = ManagementReviewFactory(
        title="Second review",
        date=datetime.date(2026, 12, 31),
        chair=chair,
        minute_taker=minute_taker,
    )
    return first, second, left_open, closed_early


@pytest.mark.django_db
def test_each_review_compiles_exactly_the_changes_findings_and_measurements_of_its_period(
    two_periods, chair
):
    first, second, _open, _closed = two_periods
    one, two = compile_inputs(first, chair), compile_inputs(second, chair)

    assert one["period"] == {"start": "2026-01-01", "end": "2026-06-30"}
    assert two["period"] == {"start": "2026-07-01", "end": "2026-12-31"}
    assert [(r["record"], r["change"]) for r in one["issues"]] == [
        ("CTX-001 Supervisory guidance on model risk", "created")
    ]
    assert [(r["record"], r["change"]) for r in two["issues"]] == [
        ("CTX-001 Supervisory guidance on model risk, revised", "changed"),
        ("CTX-002 New claims platform", "created"),
    ]
    assert [(r["record"], r["change"]) for r in one["parties"]] == [
        ("IP-001 Works council", "created")
    ]
    # The requirement's factory brings its own party, created in the second period too.
    assert [(r["kind"], r["change"]) for r in two["parties"]] == [
        ("interested party", "created"),
        ("requirement of an interested party", "created"),
    ]
    assert "REQ-001 Explain rejected claims" in [r["record"] for r in two["parties"]]

    def opened(inputs):
        return [nc["title"] for nc in inputs["performance"]["nonconformities"]["opened"]]

    assert opened(one) == ["Risk owner missing"]
    assert opened(two) == ["Oversight log incomplete"]

    def values(inputs):
        (kpi,) = inputs["performance"]["kpis"]
        return [m["value"] for m in kpi["measurements"]], kpi["status"]

    def plain(numbers):
        return [float(n) for n in numbers]

    assert (plain(values(one)[0]), values(one)[1]) == ([97.0], "on_target")
    assert (plain(values(two)[0]), values(two)[1]) == ([88.0], "off_target")
    assert "<svg" in two["performance"]["kpis"][0]["chart"]


@pytest.mark.django_db
def test_an_action_left_open_in_the_first_review_appears_under_a_in_the_second(two_periods, chair):
    first, second, left_open, _closed = two_periods
    assert compile_inputs(first, chair)["actions"] == []
    actions = compile_inputs(second, chair)["actions"]
    assert [(a["review"], a["title"], a["status"]) for a in actions] == [
        (first.reference, "Train the claims operators", "open")
    ]
    assert actions[0]["url"] == left_open.get_absolute_url()


@pytest.mark.django_db
def test_an_action_closed_in_the_second_period_is_reported_there_as_closed(two_periods, chair):
    first, second, left_open, _closed = two_periods
    with at((2026, 10, 1)):
        left_open.status = ReviewAction.Status.DONE
        left_open.save()
    actions = compile_inputs(second, chair)["actions"]
    assert [(a["title"], a["status"]) for a in actions] == [("Train the claims operators", "done")]


@pytest.mark.django_db
def test_the_trend_counts_nonconformities_over_four_periods_of_the_same_length(two_periods, chair):
    _first, second, _open, _closed = two_periods
    trend = compile_inputs(second, chair)["performance"]["nonconformities"]["trend"]
    assert [(t["start"], t["end"], t["opened"]) for t in trend][-2:] == [
        # 184 days each: the period before starts three days before New Year.
        ("2025-12-29", "2026-06-30", 1),
        ("2026-07-01", "2026-12-31", 1),
    ]
    assert len(trend) == 4


def test_the_reference_counts_per_year_of_the_review(db, chair, minute_taker):
    first = ManagementReviewFactory(date=datetime.date(2027, 3, 1))
    second = ManagementReviewFactory(date=datetime.date(2027, 9, 1))
    other_year = ManagementReviewFactory(date=datetime.date(2028, 3, 1))
    assert (first.reference, second.reference, other_year.reference) == (
        "MR-2027-1",
        "MR-2027-2",
        "MR-2028-1",
    )


@pytest.mark.django_db
def test_the_chair_approves_and_the_record_stays_as_approved_when_the_registers_change(
    two_periods, chair, minute_taker
):
    _first, second, _open, _closed = two_periods
    ReviewDecisionFactory(review=second, text=DECISION)
    managementreview_submit(review=second, user=minute_taker)
    managementreview_approve(review=second, user=chair)
    second.refresh_from_db()
    assert second.status == ManagementReview.Status.CLOSED
    assert second.approved_by == chair
    frozen, digest = second.snapshot, second.snapshot_sha256
    assert digest == canonical_sha256(frozen)
    assert frozen["results"]["decisions"][0]["text"] == DECISION

    nc = Nonconformity.objects.get(title="Oversight log incomplete")
    nc.title = "Renamed afterwards"
    nc.save()
    with at((2026, 11, 1)):
        NonconformityFactory(title="Found after the approval")
    second.refresh_from_db()
    assert second.snapshot == frozen
    assert second.snapshot_sha256 == digest
    assert canonical_sha256(second.snapshot) == digest


@pytest.mark.django_db
def test_the_closed_review_page_shows_the_snapshot_not_live_data(
    client, two_periods, chair, minute_taker
):
    _first, second, _open, _closed = two_periods
    managementreview_submit(review=second, user=minute_taker)
    managementreview_approve(review=second, user=chair)
    nc = Nonconformity.objects.get(title="Oversight log incomplete")
    nc.title = "Renamed afterwards"
    nc.save()
    client.force_login(minute_taker)
    page = client.get(second.get_absolute_url()).content.decode()
    assert "Oversight log incomplete" in page
    assert "Renamed afterwards" not in page
    assert second.reference in page


@pytest.mark.django_db
def test_the_minute_taker_may_not_approve_the_minutes(chair, minute_taker):
    review = ManagementReviewFactory(chair=chair, minute_taker=minute_taker)
    managementreview_submit(review=review, user=minute_taker)
    with pytest.raises(ValidationError):
        machinery.decide(REVIEW, review, user=minute_taker, data={"outcome": "approve"})


@pytest.mark.django_db
def test_only_the_chair_decides(chair, minute_taker, make_user):
    other = make_user("administrator")
    review = ManagementReviewFactory(chair=chair, minute_taker=minute_taker)
    managementreview_submit(review=review, user=minute_taker)
    assert machinery.refusal(REVIEW, other, review) == str(REVIEW.role_refusal)
    assert machinery.eligible_deciders(REVIEW, review) == [chair]


@pytest.mark.django_db
def test_a_chair_who_wrote_a_decision_may_not_approve_and_submitting_is_refused(
    chair, minute_taker
):
    """Four-eyes: the chair is an author of the review's content, so no one may decide."""
    review = ManagementReviewFactory(chair=chair, minute_taker=minute_taker)
    decision = ReviewDecision(review=review, category="resources", text=DECISION)
    decision._history_user = chair
    decision.save()
    with pytest.raises(ValidationError, match="No one may decide"):
        managementreview_submit(review=review, user=minute_taker)
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.DRAFT


@pytest.mark.django_db
def test_a_chair_who_is_the_minute_taker_leaves_no_eligible_decider(chair):
    review = ManagementReviewFactory(chair=chair, minute_taker=chair)
    with pytest.raises(ValidationError, match="No one may decide"):
        managementreview_submit(review=review, user=chair)


@pytest.mark.django_db
def test_only_the_minute_taker_submits(client, chair, minute_taker):
    review = ManagementReviewFactory(chair=chair, minute_taker=minute_taker)
    client.force_login(chair)
    client.post(reverse("audits:managementreview_submit", args=[review.pk]))
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.DRAFT
    client.force_login(minute_taker)
    client.post(reverse("audits:managementreview_submit", args=[review.pk]))
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.SUBMITTED


@pytest.mark.django_db
def test_the_chair_approves_on_the_decide_page(client, chair, minute_taker):
    review = ManagementReviewFactory(chair=chair, minute_taker=minute_taker)
    managementreview_submit(review=review, user=minute_taker)
    client.force_login(chair)
    url = reverse("core:decide", args=[REVIEW.key, review.pk])
    page = client.get(url)
    assert page.status_code == 200
    seen = machinery.content_sha256(REVIEW, review)
    client.post(url, {"seen": seen, "outcome": "approve", "comment": ""})
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.CLOSED
    assert len(review.snapshot_sha256) == 64


@pytest.mark.django_db
def test_returning_the_minutes_needs_reasons_and_reopens_the_draft(chair, minute_taker):
    review = ManagementReviewFactory(chair=chair, minute_taker=minute_taker)
    managementreview_submit(review=review, user=minute_taker)
    machinery.decide(REVIEW, review, user=chair, data={"outcome": "return", "comment": "Add KPIs"})
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.DRAFT
    assert review.snapshot is None


def text_of(content):
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text(extraction_mode="layout") for page in reader.pages)
    return " ".join(text.split())


@pytest.fixture
def closed_review(two_periods, chair, minute_taker):
    _first, second, _open, _closed = two_periods
    ReviewDecisionFactory(review=second, text=DECISION)
    ReviewActionFactory(review=second, title="Hire the validator")
    managementreview_submit(review=second, user=minute_taker)
    managementreview_approve(review=second, user=chair)
    second.refresh_from_db()
    return second


def download(client, review, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("audits:managementreview_minutes_pdf", args=[review.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return text_of(response.content)


@pytest.mark.django_db
def test_the_minutes_pdf_holds_the_decision_actions_inputs_and_hash_in_english(
    client, auditor, closed_review
):
    client.force_login(auditor)
    text = download(client, closed_review, "en")
    for expected in (
        closed_review.reference,
        DECISION,
        "Hire the validator",
        "Train the claims operators",
        "Oversight log incomplete",
        "Triage accuracy",
        closed_review.snapshot_sha256[:16],
        "Decisions",
    ):
        assert expected in text, expected


@pytest.mark.django_db
def test_the_minutes_pdf_in_german_holds_the_decision(client, auditor, closed_review):
    client.force_login(auditor)
    text = download(client, closed_review, "de")
    assert DECISION in text
    assert "Entscheidungen" in text
    assert "Decisions" not in text


@pytest.mark.django_db
def test_someone_without_access_gets_404_for_the_minutes_and_anonymous_is_sent_to_log_in(
    client, chair, minute_taker
):
    review = ManagementReviewFactory(chair=chair, minute_taker=minute_taker)
    url = reverse("audits:managementreview_minutes_pdf", args=[review.pk])
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code in (403, 404)


@pytest.mark.django_db
def test_the_dashboard_shows_overdue_review_actions_and_the_next_review(
    client, chair, minute_taker
):
    past = ManagementReviewFactory(
        date=datetime.date(2026, 1, 15), chair=chair, minute_taker=minute_taker
    )
    ReviewActionFactory(review=past, due_date=datetime.date(2026, 2, 1))
    ManagementReviewFactory(date=datetime.date(2099, 5, 4), chair=chair, minute_taker=minute_taker)
    client.force_login(minute_taker)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Review actions overdue" in page
    assert "Next management review" in page
