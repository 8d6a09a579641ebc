"""The reminder engine: what registers declare due becomes reminders at the right stage, once,
and reaches each person in at most one digest a day, as they prefer it."""

import dataclasses
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from aims.core.models import Digest, Notification, OutgoingMail, Reminder
from aims.core.registry import registry
from aims.core.reminders import Due, sweep
from risks.models import Risk, TreatmentAction
from tests.factories import REGISTER_FACTORIES, RiskFactory, TreatmentActionFactory, UserFactory

TODAY = date(2026, 12, 7)  # a Monday
RISK_REVIEW = Due("next_review", to="owner", label="Risk review")


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(date(2026, 12, 7), tick=False):
        yield


@pytest.fixture
def declare():
    """Only these due dates for the test (the registers' own come back after)."""
    before = dict(registry._registers)
    for model, register in before.items():
        registry._registers[model] = dataclasses.replace(register, due=())

    def declare_on(model, *dues):
        registry._registers[model] = dataclasses.replace(registry[model], due=dues)

    yield declare_on
    registry._registers.clear()
    registry._registers.update(before)


@pytest.fixture
def owner(db):
    return UserFactory(role="System Owner", first_name="Olga", last_name="Owner")


@pytest.fixture
def officer(db):
    return UserFactory(role="Compliance Officer")


def risk_due(owner, in_days, **fields):
    return RiskFactory(owner=owner, next_review=TODAY + timedelta(days=in_days), **fields)


def the_digest(user):
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    return message


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


@pytest.mark.parametrize(
    ("in_days", "stage", "shown"),
    [(10, "soon", "due soon"), (0, "today", "due today"), (-3, "overdue", "overdue")],
)
def test_an_entry_is_reminded_at_its_stage(declare, owner, in_days, stage, shown):
    declare(Risk, RISK_REVIEW)
    risk = risk_due(owner, in_days, title="Prompt injection")
    result = sweep()
    assert (result.reminders, result.digests, result.sent) == (1, 1, 1)
    assert Reminder.objects.get().stage == stage
    body = the_digest(owner).body
    assert f"Prompt injection (Risk review): {shown}, due on" in body
    assert f"http://127.0.0.1:8000{risk.get_absolute_url()}" in body


def test_beyond_the_horizon_nothing_is_due(declare, owner, settings):
    settings.REVIEW_REMINDER_DAYS = 30
    declare(Risk, RISK_REVIEW, dataclasses.replace(RISK_REVIEW, name="short", days=5))
    risk_due(owner, 31)
    risk_due(owner, 6)
    assert sweep().reminders == 1  # the second, within 30 days but not within 5
    assert Reminder.objects.get().key == "risks.risk:next_review"


def test_overdue_past_the_grace_period_escalates_to_the_compliance_officers(
    declare, owner, officer, settings
):
    settings.AIMS_REMINDER_GRACE_DAYS = 14
    declare(Risk, RISK_REVIEW)
    within = risk_due(owner, -14, title="Within grace")
    past = risk_due(owner, -15, title="Past grace")
    sweep()
    assert set(Reminder.objects.values_list("object_id", "recipient", "stage")) == {
        (within.pk, owner.pk, "overdue"),
        (past.pk, owner.pk, "overdue"),
        (past.pk, officer.pk, "escalated"),
    }
    assert "Within grace" not in the_digest(officer).body
    assert "Past grace (Risk review): overdue, escalated" in the_digest(officer).body


def test_a_declaration_may_keep_its_overdue_entries_from_escalating(declare, owner, officer):
    declare(Risk, dataclasses.replace(RISK_REVIEW, escalate=False))
    risk_due(owner, -100)
    sweep()
    assert list(Reminder.objects.values_list("recipient", "stage")) == [(owner.pk, "overdue")]


def test_only_the_entries_a_declaration_counts_are_reminded(declare, owner):
    declare(Risk, dataclasses.replace(RISK_REVIEW, only=~Q(status=Risk.Status.CLOSED)))
    risk_due(owner, 1, title="Open one", status=Risk.Status.ASSESSED)
    risk_due(owner, 1, title="Closed one", status=Risk.Status.CLOSED)
    sweep()
    assert [
        title.split(" ", 1)[1] for title in Reminder.objects.values_list("title", flat=True)
    ] == ["Open one"]


def test_two_sweeps_in_a_row_send_once(declare, owner):
    declare(Risk, RISK_REVIEW)
    risk_due(owner, 2)
    first = sweep()
    second = sweep()
    assert (first.reminders, first.digests, first.sent) == (1, 1, 1)
    assert (second.reminders, second.digests, second.sent) == (0, 0, 0)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_at_most_one_digest_a_day_the_next_stage_comes_the_next_day(declare, owner):
    declare(Risk, RISK_REVIEW)
    risk_due(owner, 1, title="Due tomorrow")
    sweep()
    risk_due(owner, 5, title="Added later that day")
    assert sweep().reminders == 1
    assert len(mail.outbox) == 1  # waits for tomorrow's digest
    with time_machine.travel(date(2026, 12, 8), tick=False):
        sweep()
    assert len(mail.outbox) == 2
    tomorrow = mail.outbox[1].body
    assert "Due tomorrow (Risk review): due today" in tomorrow
    assert "Added later that day (Risk review): due soon" in tomorrow
    assert Digest.objects.filter(recipient=owner).count() == 2


def test_ten_items_arrive_in_one_email_grouped_by_register(declare, owner):
    declare(Risk, RISK_REVIEW)
    declare(TreatmentAction, Due("due_date", to="owner", label="Treatment action"))
    risks = [risk_due(owner, days, title=f"Risk {days}") for days in range(6)]
    actions = [
        TreatmentActionFactory(owner=owner, title=f"Action {n}", due_date=TODAY - timedelta(n))
        for n in range(4)
    ]
    sweep()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "10 reminders: due dates in the AI management system"
    body = message.body
    assert body.index("Risks\n") < body.index("Risk 0") < body.index("Treatment actions\n")
    assert body.index("Treatment actions\n") < body.index("Action 0")
    for entry in [*risks, *actions]:
        assert f"http://127.0.0.1:8000{entry.get_absolute_url()}" in body
    assert body.count("\n- ") == 10
    [notification] = Notification.objects.filter(recipient=owner)
    assert notification.message == message.subject
    assert notification.url == reverse("core:my_work")


def test_a_child_model_reminds_with_a_link_to_its_register_entry(declare, owner):
    declare(
        Risk,
        Due("due_date", model=TreatmentAction, parent="risk", to="owner", label="Action due"),
    )
    action = TreatmentActionFactory(owner=owner, title="Filter e-mails", due_date=TODAY)
    sweep()
    assert Reminder.objects.get().key == "risks.risk:treatmentaction.due_date"
    body = the_digest(owner).body
    assert f"Risks\n- {action} (Action due): due today" in body
    assert f"http://127.0.0.1:8000{action.risk.get_absolute_url()}" in body


def test_recipients_by_role_by_callable_and_by_several(declare, owner, officer):
    auditor = UserFactory(role="Auditor")
    declare(
        Risk,
        dataclasses.replace(RISK_REVIEW, to=("owner", "Compliance Officer", lambda r: [auditor])),
    )
    risk_due(owner, 1)
    UserFactory(role="Compliance Officer", is_active=False)
    sweep()
    assert set(Reminder.objects.values_list("recipient", flat=True)) == {
        owner.pk,
        officer.pk,
        auditor.pk,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [owner.email, officer.email, auditor.email]
    )


def test_with_email_off_the_reminder_arrives_in_the_portal_only(declare, owner, client):
    owner.email_reminders = False
    owner.save()
    declare(Risk, RISK_REVIEW)
    risk_due(owner, 1)
    assert sweep().digests == 1
    assert mail.outbox == []
    assert not OutgoingMail.objects.exists()
    client.force_login(owner)
    page = client.get(reverse("core:notifications")).content.decode()
    assert "1 reminder: due dates in the AI management system" in page


def test_a_weekly_digest_comes_only_on_the_chosen_weekday(declare, owner):
    owner.digest_frequency = owner.DigestFrequency.WEEKLY
    owner.digest_weekday = owner.Weekday.WEDNESDAY
    owner.save()
    declare(Risk, RISK_REVIEW)
    risk_due(owner, 10, title="First")
    assert sweep().digests == 0  # Monday
    with time_machine.travel(date(2026, 12, 8), tick=False):
        risk_due(owner, 10, title="Second")
        assert sweep().digests == 0  # Tuesday
    assert mail.outbox == []
    assert not Notification.objects.exists()
    with time_machine.travel(date(2026, 12, 9), tick=False):
        assert sweep().digests == 1  # Wednesday
        assert sweep().digests == 0
    [message] = mail.outbox
    assert "First" in message.body and "Second" in message.body
    assert message.subject.startswith("2 reminders")


def test_the_email_has_an_html_part_that_escapes_titles(declare, owner):
    declare(Risk, RISK_REVIEW)
    risk = risk_due(owner, 1, title="<script>alert(1)</script> & <b>bold</b>")
    sweep()
    message = the_digest(owner)
    assert "<script>alert(1)</script> & <b>bold</b>" in message.body  # plain text as written
    html = html_of(message)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>" not in html and "<b>bold" not in html
    assert f'<a href="http://127.0.0.1:8000{risk.get_absolute_url()}">' in html


def test_a_german_user_gets_the_digest_in_german(declare, owner):
    owner.language = "de"
    owner.save()
    english = UserFactory(role="System Owner")
    declare(Risk, RISK_REVIEW)
    verzerrung = risk_due(owner, -2, title="Verzerrung")
    bias = risk_due(english, -2, title="Bias")
    sweep()
    german, plain = the_digest(owner), the_digest(english)
    assert german.subject == "1 Erinnerung: Termine im KI-Managementsystem"
    assert f"Risiken\n- {verzerrung} (Risk review): überfällig, fällig am 05.12.2026" in german.body
    assert "Hallo Olga Owner," in german.body
    assert '<html lang="de">' in html_of(german)
    assert "überfällig" in html_of(german)
    assert '<html lang="en">' in html_of(plain)
    assert plain.subject == "1 reminder: due dates in the AI management system"
    assert f"Risks\n- {bias} (Risk review): overdue, due on 5 Dec 2026" in plain.body


def test_the_command_runs_the_sweep_and_prints_its_counts(declare, owner, capsys):
    declare(Risk, RISK_REVIEW)
    risk_due(owner, 1)
    call_command("send_review_reminders")
    assert capsys.readouterr().out == "1 due, 1 new reminders, 1 digests, 1 e-mails sent\n"
    call_command("send_review_reminders", "--today", "2026-12-07")
    assert capsys.readouterr().out == "1 due, 0 new reminders, 0 digests, 0 e-mails sent\n"
    assert len(mail.outbox) == 1


def test_the_schedule_runs_the_sweep_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["review-reminders"]
    assert entry["task"] == "aims.core.tasks.send_review_reminders"
    assert entry["schedule"].hour == set(range(24))
    for moved in ("ai-policy-review-reminders", "risk-acceptance-expiry"):
        assert moved not in settings.CELERY_BEAT_SCHEDULE


def test_every_declared_due_date_is_swept_over_an_entry_of_every_register(db, caplog):
    """The registers' own declarations run as written (a wrong field path would be logged)."""
    for make in REGISTER_FACTORIES.values():
        make()
    assert sum(len(register.due) for register in registry) >= 2
    sweep()
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


def test_a_failing_hook_or_declaration_keeps_no_other_reminder_waiting(declare, owner, caplog):
    def refuse_the_first(risk, today):
        if risk.title.endswith("first"):
            raise ValueError("refused")
        risk.status = Risk.Status.CLOSED
        risk.save()

    declare(
        Risk,
        Due("no_such_field", to="owner", label="Broken"),
        dataclasses.replace(RISK_REVIEW, on_due=refuse_the_first),
    )
    first, second = risk_due(owner, -1, title="first"), risk_due(owner, -1, title="second")
    result = sweep()
    assert (result.reminders, result.digests) == (2, 1)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status != Risk.Status.CLOSED
    assert second.status == Risk.Status.CLOSED
    assert "Reminders of risks.risk:no_such_field failed" in caplog.text
    assert "risks.risk:next_review: on_due of" in caplog.text
