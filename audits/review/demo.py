"""The demo management review of 2026: held after the demo audit, its nonconformities and the
incidents, so that its compiled inputs show them; prepared by the compliance officer, approved
by the AI officer as chair (top management's representative in the demo), with decisions and
actions. A draft for the next review gives the dashboard its date. Running it again changes
nothing."""

from datetime import date

from django.utils import timezone

from aims.core.approvals import decide
from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, INTERNAL_AUDITOR, SYSTEM_OWNER
from aims.core.seeding import ensure
from audits.models import Improvement, ManagementReview, ReviewAction, ReviewDecision
from audits.review.approvals import REVIEW
from audits.review.services import managementreview_submit

TITLE = "Management review 2026"
NEXT_TITLE = "Management review 2027"


def seed(users):
    officer, chair = users[COMPLIANCE_OFFICER], users[AI_OFFICER]
    # Held on the day the demo is seeded: the inputs it compiles are the records seeded just
    # before, whenever that is.
    held = timezone.localdate()
    review = ensure(
        ManagementReview,
        {"title": TITLE},
        {
            "reference": "MR-2026-1",  # the review of 2026, even when seeded later
            "date": held,
            "period_start": date(2026, 1, 1),
            "chair": chair,
            "minute_taker": officer,
            "other_attendees": "Dr. Jana Weber, Board member for operations",
            "notes": "First management review of the AIMS after the internal audit.",
        },
        author=officer,
    )
    if review.status == ManagementReview.Status.DRAFT and not review.attendees.exists():
        review.attendees.set([users[SYSTEM_OWNER], users[INTERNAL_AUDITOR]])
    improvement = Improvement.objects.filter(source=Improvement.Source.AUDIT).first()
    decisions = (
        (
            ReviewDecision.Category.IMPROVEMENT,
            "Adopt the audit's improvement: show the risk owner on every SoA entry.",
            improvement,
        ),
        (
            ReviewDecision.Category.CHANGE,
            "Extend the incident procedure: every serious incident is reviewed by the AI "
            "officer within five working days.",
            None,
        ),
        (
            ReviewDecision.Category.RESOURCES,
            "Fund a second model validator for the claims triage model from Q1 2027.",
            None,
        ),
    )
    for category, text, linked in decisions:
        ensure(
            ReviewDecision,
            {"review": review, "text": text},
            {"category": category, "improvement": linked},
            author=officer,
        )
    actions = (
        ("Hire the second model validator", users[AI_OFFICER], date(2027, 3, 31)),
        ("Update the incident procedure", officer, date(2027, 1, 31)),
    )
    for title, owner, due in actions:
        ensure(
            ReviewAction,
            {"review": review, "title": title},
            {"owner": owner, "due_date": due},
            author=officer,
        )
    if review.status == ManagementReview.Status.DRAFT:
        review = managementreview_submit(review=review, user=officer)
    if review.status == ManagementReview.Status.SUBMITTED:
        decide(REVIEW, review, user=chair, data={"outcome": "approve", "comment": ""})
    ensure(
        ManagementReview,
        {"title": NEXT_TITLE},
        {"date": date(2027, 6, 15), "chair": chair, "minute_taker": officer},
        author=officer,
    )
