"""`insert_new` writes all its rows in one statement, however many (more than a statement's
parameters could carry one by one), keeps the rows already there as they are, and stores
every kind of value as saving the model would."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aims.core.models import OutgoingMail, Reminder
from aims.core.notifications import insert_new
from tests.factories import UserFactory

ROWS = 12_000  # ten columns each: 120,000 values
TEXT = 'Ü\'s "review" <b>&amp;</b> 100% ? %s \\ 🤖'
BERLIN = ZoneInfo("Europe/Berlin")


def counted_insert(model, objects):
    with CaptureQueriesContext(connection) as queries:
        insert_new(model, objects)
    return len(queries)


@pytest.mark.django_db
def test_many_rows_go_in_one_statement_and_rows_already_there_stay():
    user = UserFactory()
    content_type = ContentType.objects.get_for_model(Reminder)
    day = date(2026, 2, 28)

    def reminder(n, title):
        return Reminder(
            key="risks.risk:next_review",
            content_type=content_type,
            object_id=n,
            due_on=day + timedelta(days=n % 3),
            stage=Reminder.Stage.SOON,
            recipient=user,
            title=f"{title} {n}",
            url=f"/risks/{n}/",
        )

    assert counted_insert(Reminder, [reminder(n, "before") for n in range(0, ROWS, 2)]) == 1
    kept = {row.object_id: (row.title, row.created_at) for row in Reminder.objects.all()}
    assert counted_insert(Reminder, [reminder(n, TEXT) for n in range(ROWS)]) == 1
    rows = {row.object_id: row for row in Reminder.objects.all()}
    assert set(rows) == set(range(ROWS))
    for n, row in rows.items():
        if n in kept:
            assert (row.title, row.created_at) == kept[n]
        else:
            assert row.title == f"{TEXT} {n}"
        assert row.due_on == day + timedelta(days=n % 3)
        assert (row.key, row.stage, row.url, row.digest) == (
            "risks.risk:next_review",
            Reminder.Stage.SOON,
            f"/risks/{n}/",
            None,
        )


@pytest.mark.django_db
def test_values_come_back_as_saved():
    moment = datetime(2026, 3, 29, 3, 30, 15, 123456, tzinfo=BERLIN)  # summer time since 2:00
    before = timezone.now()
    assert (
        counted_insert(
            get_user_model(),
            [
                get_user_model()(
                    username="ünïcode",
                    first_name=TEXT[:150],
                    password="!",
                    is_active=False,
                    email_reminders=True,
                    is_staff=True,
                    date_joined=moment,
                    last_login=None,
                    digest_weekday=3,
                )
            ],
        )
        == 1
    )
    user = get_user_model().objects.get(username="ünïcode")
    assert (user.first_name, user.is_active, user.email_reminders, user.is_staff) == (
        TEXT[:150],
        False,
        True,
        True,
    )
    assert (user.date_joined, user.last_login, user.digest_weekday) == (moment, None, 3)
    assert user.date_joined.utcoffset() is not None
    mail = OutgoingMail(
        key="k", recipient=user, subject=TEXT, body=TEXT, html_body=f"<p>{TEXT}</p>"
    )
    mail.claimed_at = moment
    assert counted_insert(OutgoingMail, [mail]) == 1
    stored = OutgoingMail.objects.get()
    assert (stored.subject, stored.body, stored.html_body) == (TEXT, TEXT, f"<p>{TEXT}</p>")
    assert (stored.claimed_at, stored.sent_at, stored.attempts) == (moment, None, 0)
    assert before <= stored.created_at <= timezone.now()  # set on insert, as saving does
    # Conflicts are left out: the same key to the same person stays as it was.
    assert counted_insert(OutgoingMail, [OutgoingMail(key="k", recipient=user, body="new")]) == 1
    assert OutgoingMail.objects.get().body == TEXT


@pytest.mark.django_db
def test_no_rows_cost_the_statement_too():
    assert counted_insert(Reminder, []) == 1
    assert not Reminder.objects.exists()
