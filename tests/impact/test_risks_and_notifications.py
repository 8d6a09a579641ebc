"""Impacts that become risks in the register, the notifications of the workflow (in the portal
and by e-mail through the worker, also with the broker down), and the printable assessment."""

import io
import logging
import re
import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.timezone import localdate
from pypdf import PdfReader

from aims import celery_app
from aims.core import roles
from aims.core.dates import add_months
from aims.core.models import Notification, ReminderLog
from aims.impact import services
from aims.impact.models import AssessmentDecision, ImpactAssessment
from risks.models import Risk
from tests.factories import (
    AISystemFactory,
    ImpactAssessmentFactory,
    ImpactFactory,
    UserFactory,
)
from tests.impact.test_workflow import (
    add_impact,
    client_of,
    decide_url,
    decision_payload,
    draft_by,
    edit_assessment,
    in_days,
    messages_of,
    saved_by,
    submitted_by,
)

Outcome = AssessmentDecision.Outcome
BROKER_DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1
PASSWD = "root:x:0:0"
HOSTILE = '<img src="file:///etc/passwd">'
OWNER_FOUR_EYES = (
    "You own this impact assessment or what it is about; someone else must decide on it "
    "(four-eyes)."
)


def to_risk(client, impact):
    return client.post(reverse("impact:impact_to_risk", args=[impact.pk]))


# Impact to risk --------------------------------------------------------------------------------


@pytest.mark.parametrize("severity", ["high", "critical"])
def test_a_severe_impact_becomes_a_linked_risk_in_one_step(compliance_officer, severity):
    system = AISystemFactory(name="Claims triage")
    assessment = draft_by(compliance_officer, system)
    impact = assessment.impacts.get()
    impact.severity = severity
    saved_by(impact, compliance_officer)
    client = client_of(compliance_officer)

    response = to_risk(client, impact)

    risk = Risk.objects.get()
    assert response.status_code == 302
    assert response["Location"] == risk.get_absolute_url()
    assert list(risk.ai_systems.all()) == [system]
    assert risk.title == "Fairness: Older policy holders"
    assert risk.description == "Claims of older customers may be ranked lower."
    assert risk.owner == compliance_officer
    assert risk.next_review == add_months(localdate(), risk.review_cadence_months)
    impact.refresh_from_db()
    assert impact.risk == risk
    assert not impact.may_become_risk

    assessment_page = client.get(assessment.get_absolute_url()).content.decode()
    assert risk.get_absolute_url() in assessment_page
    assert risk.reference in assessment_page
    assert reverse("impact:impact_to_risk", args=[impact.pk]) not in assessment_page

    risk_page = client.get(risk.get_absolute_url()).content.decode()
    assert "Raised from the impact" in risk_page
    assert f'href="{assessment.get_absolute_url()}"' in risk_page
    assert assessment.reference in risk_page


def test_the_assessment_page_offers_the_step_only_for_a_severe_negative_impact(
    compliance_officer,
):
    assessment = draft_by(compliance_officer)
    severe = assessment.impacts.get()
    mild = saved_by(ImpactFactory.build(assessment=assessment, severity="low"), compliance_officer)
    page = client_of(compliance_officer).get(assessment.get_absolute_url()).content.decode()
    assert reverse("impact:impact_to_risk", args=[severe.pk]) in page
    assert reverse("impact:impact_to_risk", args=[mild.pk]) not in page


@pytest.mark.parametrize(
    "fields",
    [{"severity": "low"}, {"severity": "medium"}, {"severity": "critical", "positive": True}],
    ids=["low", "medium", "positive"],
)
def test_a_mild_or_positive_impact_does_not_become_a_risk(compliance_officer, fields):
    assessment = draft_by(compliance_officer)
    impact = saved_by(ImpactFactory.build(assessment=assessment, **fields), compliance_officer)
    response = to_risk(client_of(compliance_officer), impact)
    assert response.status_code == 302
    assert response["Location"] == assessment.get_absolute_url()
    assert any("high or critical severity" in m for m in messages_of(response))
    assert not Risk.objects.exists()
    impact.refresh_from_db()
    assert impact.risk is None


def test_an_impact_with_a_risk_does_not_get_a_second_one(compliance_officer):
    impact = draft_by(compliance_officer).impacts.get()
    client = client_of(compliance_officer)
    to_risk(client, impact)
    first = Risk.objects.get()
    response = to_risk(client, impact)
    assert any("without a risk" in m for m in messages_of(response))
    assert list(Risk.objects.all()) == [first]
    impact.refresh_from_db()
    assert impact.risk == first


@pytest.mark.parametrize("persona", ["auditor", "ai_officer", "system_owner"])
def test_a_user_who_may_not_add_risks_gets_403(make_user, compliance_officer, persona):
    impact = draft_by(compliance_officer).impacts.get()
    response = to_risk(client_of(make_user(persona)), impact)
    assert response.status_code == 403
    assert not Risk.objects.exists()
    impact.refresh_from_db()
    assert impact.risk is None


def test_turning_an_impact_into_a_risk_makes_no_one_an_author(ai_officer):
    assessment = submitted_by(UserFactory(role=roles.COMPLIANCE_OFFICER))
    impact = assessment.impacts.get()
    officer = UserFactory(role=roles.COMPLIANCE_OFFICER)
    assert to_risk(client_of(officer), impact).status_code == 302
    assert officer.pk not in services.content_editors(assessment)


# Notifications in the portal -------------------------------------------------------------------


def recipients_of(message_part):
    return sorted(
        Notification.objects.filter(message__contains=message_part).values_list(
            "recipient__username", flat=True
        )
    )


def test_a_submission_tells_every_active_ai_officer_but_the_submitter(db):
    officers = [UserFactory(username=f"officer{n}", role=roles.AI_OFFICER) for n in (1, 2)]
    UserFactory(username="retired_officer", role=roles.AI_OFFICER, is_active=False)
    submitter = UserFactory(username="submitter", role=roles.COMPLIANCE_OFFICER)
    roles_held_by_both = UserFactory(username="officer_and_author", role=roles.AI_OFFICER)
    roles_held_by_both.groups.add(*submitter.groups.all())
    UserFactory(username="bystander", role=roles.COMPLIANCE_OFFICER)

    first = submitted_by(submitter)
    second = draft_by(roles_held_by_both)
    client_of(roles_held_by_both).post(reverse("impact:submit", args=[second.pk]))

    assert recipients_of(str(first)) == ["officer1", "officer2", "officer_and_author"]
    assert recipients_of(str(second)) == ["officer1", "officer2"]
    (notice,) = Notification.objects.filter(recipient=officers[0], message__contains=str(first))
    assert notice.message == f"{first} awaits your decision."
    assert notice.url == decide_url(first)
    assert notice.read_at is None


def test_a_decision_tells_the_authors_and_the_owner_but_not_the_decider(db):
    writer = UserFactory(username="writer", role=roles.COMPLIANCE_OFFICER)
    editor = UserFactory(username="editor", role=roles.COMPLIANCE_OFFICER)
    impact_author = UserFactory(username="impact_author", role=roles.COMPLIANCE_OFFICER)
    owner = UserFactory(username="owner", role=roles.SYSTEM_OWNER)
    decider = UserFactory(username="decider", role=roles.AI_OFFICER)
    UserFactory(username="bystander", role=roles.COMPLIANCE_OFFICER)
    assessment = draft_by(writer, owner=owner)
    edit_assessment(client_of(editor), assessment, editor, recommendation="Monitor monthly.")
    add_impact(client_of(impact_author), assessment)
    services.impact_assessment_submit(assessment=assessment, user=writer)

    response = client_of(decider).post(
        decide_url(assessment),
        decision_payload(assessment, Outcome.REJECTED, comment="The misuse section is empty."),
    )

    assert response.status_code == 302
    assert recipients_of(f"{assessment}: Rejected by {decider}.") == [
        "editor",
        "impact_author",
        "owner",
        "writer",
    ]


def test_an_ai_officer_who_owns_the_assessment_may_not_decide_on_it(db):
    writer = UserFactory(username="writer", role=roles.COMPLIANCE_OFFICER)
    owning_officer = UserFactory(username="owning_officer", role=roles.AI_OFFICER)
    UserFactory(username="decider", role=roles.AI_OFFICER)
    assessment = submitted_by(writer, owner=owning_officer)
    with pytest.raises(ValidationError, match=re.escape(OWNER_FOUR_EYES)):
        services.impact_assessment_decide(
            assessment=assessment, user=owning_officer, outcome=Outcome.APPROVED
        )
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.SUBMITTED
    assert not Notification.objects.filter(message__contains=f"{assessment}: ").exists()


def test_a_decider_who_owns_a_condition_is_not_told_of_their_own_decision(db):
    writer = UserFactory(username="writer", role=roles.COMPLIANCE_OFFICER)
    decider = UserFactory(username="decider", role=roles.AI_OFFICER)
    assessment = submitted_by(writer)
    services.impact_assessment_decide(
        assessment=assessment,
        user=decider,
        outcome=Outcome.APPROVED_WITH_CONDITIONS,
        conditions=[("Report the ranking by age group every month.", decider, in_days(30))],
    )
    assert recipients_of(f"{assessment}: Approved with conditions by {decider}.") == ["writer"]


def test_the_bell_counts_the_unread_notifications_until_they_are_read(ai_officer):
    client = client_of(ai_officer)
    assert 'aria-label="Notifications, 0 unread"' in client.get("/").content.decode()

    for _n in range(2):
        submitted_by(UserFactory(role=roles.COMPLIANCE_OFFICER))
    page = client.get("/").content.decode()
    assert 'aria-label="Notifications, 2 unread"' in page
    assert '<span class="badge text-bg-warning">2</span>' in page

    response = client.post(reverse("core:notifications_read"))
    assert response.status_code == 302
    assert response["Location"] == reverse("core:notifications")
    assert not ai_officer.notifications.filter(read_at__isnull=True).exists()
    page = client.get(reverse("core:notifications")).content.decode()
    assert 'aria-label="Notifications, 0 unread"' in page
    assert "Mark all as read" not in page


def test_the_notification_list_shows_only_the_users_own(ai_officer):
    own = submitted_by(UserFactory(role=roles.COMPLIANCE_OFFICER))
    someone_else = UserFactory(role=roles.SYSTEM_OWNER)
    Notification.objects.create(recipient=someone_else, message="Only for someone else.", url="/")
    page = client_of(ai_officer).get(reverse("core:notifications")).content.decode()
    assert f"{own} awaits your decision." in page
    assert f'href="{decide_url(own)}"' in page
    assert "Only for someone else." not in page
    assert "Mark all as read" in page


def test_reading_ones_notifications_leaves_the_others_unread(ai_officer):
    other = UserFactory(role=roles.AI_OFFICER)
    submitted_by(UserFactory(role=roles.COMPLIANCE_OFFICER))
    assert other.notifications.count() == 1
    client_of(ai_officer).post(reverse("core:notifications_read"))
    assert other.notifications.filter(read_at__isnull=True).count() == 1


# E-mail through the worker ---------------------------------------------------------------------


def wait_until(condition, timeout=30):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_worker_sends_the_ai_officer_one_e_mail_for_one_submission(worker):
    officer = UserFactory(role=roles.AI_OFFICER)
    submitter = UserFactory(role=roles.COMPLIANCE_OFFICER)
    assessment = submitted_by(submitter)

    wait_until(lambda: len(mail.outbox) >= 1)
    # Let the worker finish whatever else is queued before counting.
    celery_app.send_task("aims.core.tasks.send_pending_mail", ignore_result=False).get(timeout=30)

    assert [message.to for message in mail.outbox] == [[officer.email]]
    message = mail.outbox[0]
    assert message.subject == f"{assessment} awaits your decision."
    assert decide_url(assessment) in message.body
    assert ReminderLog.objects.filter(recipient=officer).count() == 1


@pytest.fixture
def broker_down(settings):
    """The broker is unreachable: settings and the Celery app point at a closed port, and the
    app's producer pool (which keeps its first connection) starts afresh."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, celery_app._pool)
    saved_producers = celery_app.amqp._producer_pool
    settings.CELERY_BROKER_URL = BROKER_DOWN
    conf.broker_url, conf.broker_transport_options = BROKER_DOWN, {}
    celery_app._pool = celery_app.amqp._producer_pool = None
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options, celery_app._pool = saved
        celery_app.amqp._producer_pool = saved_producers


def test_with_the_broker_down_a_submission_still_succeeds_and_tells_the_ai_officer(
    broker_down, django_capture_on_commit_callbacks, caplog, compliance_officer, ai_officer
):
    assessment = draft_by(compliance_officer)
    client = client_of(compliance_officer)
    with (
        caplog.at_level(logging.ERROR, logger="aims.core.notifications"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = client.post(reverse("impact:submit", args=[assessment.pk]))

    assert response.status_code == 302
    assert "Submitted; the AI officer has been told." in messages_of(response)
    assessment.refresh_from_db()
    assert assessment.status == ImpactAssessment.Status.SUBMITTED
    assert ai_officer.notifications.filter(message__contains=str(assessment)).count() == 1
    # The e-mail was tried and could not be queued; the failure is logged, not raised.
    assert len(callbacks) == 1
    assert any("not queued" in record.getMessage() for record in caplog.records)
    assert mail.outbox == []


# The printable assessment ----------------------------------------------------------------------


def pdf_text(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_the_printed_assessment_holds_the_system_the_decision_its_conditions_and_the_hash(
    client, compliance_officer, ai_officer, auditor
):
    system = AISystemFactory(name="Claims triage")
    assessment = submitted_by(compliance_officer, system)
    condition = "Report the ranking by age group every month."
    decision = services.impact_assessment_decide(
        assessment=assessment,
        user=ai_officer,
        outcome=Outcome.APPROVED_WITH_CONDITIONS,
        comment="Fine with monitoring.",
        conditions=[(condition, compliance_officer, in_days(30))],
    )
    client.force_login(auditor)

    response = client.get(reverse("impact:pdf", args=[assessment.pk]))

    filename = f"{assessment.reference}-v{assessment.number}"
    assert filename in response["Content-Disposition"]
    text = pdf_text(response)
    assert "Claims triage" in text
    assert "Approved with conditions" in text
    assert condition in text
    assert "Fine with monitoring." in text
    assert "Older policy holders" in text
    # Long hashes may wrap across lines.
    assert decision.snapshot_sha256 in re.sub(r"\s", "", text)


def test_the_printed_assessment_shows_hostile_input_as_text_and_reads_no_file(
    client, compliance_officer, ai_officer
):
    assessment = draft_by(
        compliance_officer, intended_use=f"Claims {HOSTILE}", recommendation=HOSTILE
    )
    impact = assessment.impacts.get()
    impact.description = f"Impact {HOSTILE}"
    saved_by(impact, compliance_officer)
    services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    services.impact_assessment_decide(
        assessment=assessment,
        user=ai_officer,
        outcome=Outcome.APPROVED_WITH_CONDITIONS,
        comment=HOSTILE,
        conditions=[(HOSTILE, compliance_officer, in_days(30))],
    )
    client.force_login(compliance_officer)

    text = pdf_text(client.get(reverse("impact:pdf", args=[assessment.pk])))

    assert PASSWD not in text
    assert "root:" not in text
    # Shown as typed, in the fields, the impact, the comment and the condition.
    assert text.count("file:///etc/passwd") >= 5


def test_the_pdf_is_not_served_outside_the_users_scope(client, compliance_officer, make_user):
    assessment = draft_by(compliance_officer)
    client.force_login(make_user("no_role"))
    assert client.get(reverse("impact:pdf", args=[assessment.pk])).status_code == 404


def test_the_dashboard_counts_only_assessments_the_ai_officer_may_decide(client, make_user):
    officer = make_user("ai_officer")
    UserFactory(role=roles.AI_OFFICER)  # who may decide on what the officer changed
    own = ImpactAssessmentFactory()
    own._history_user = officer
    own.intended_use = "Changed by the officer."
    own.save()
    services.impact_assessment_submit(
        assessment=own, user=UserFactory(role=roles.COMPLIANCE_OFFICER)
    )
    client.force_login(officer)
    response = client.get("/")
    assert response.status_code == 200
    assert "Impact assessments awaiting your decision" not in response.content.decode()
    other = ImpactAssessmentFactory()
    services.impact_assessment_submit(
        assessment=other, user=UserFactory(role=roles.COMPLIANCE_OFFICER)
    )
    assert "Impact assessments awaiting your decision: 1" in client.get("/").content.decode()
