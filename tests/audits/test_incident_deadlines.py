"""The Art. 73 reporting deadline of a serious incident: the shortest period that applies,
counted in local calendar days from becoming aware, with periods an administrator changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audits.incidents import deadlines
from audits.models import AIIncident, ReportingPeriod
from tests.factories import AIIncidentFactory, IncidentReportFactory, UserFactory

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args):
    return datetime(*args, tzinfo=BERLIN)


def incident(**flags):
    return AIIncident(aware_at=berlin(2027, 5, 3, 10, 0), **flags)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("flags", "days"),
    [
        ({"death": True}, 10),
        ({"critical_infrastructure": True}, 2),
        ({"widespread": True}, 2),
        ({"fundamental_rights": True}, 15),
        ({"health_harm": True}, 15),
        ({"property_or_environment": True}, 15),
        ({"death": True, "fundamental_rights": True}, 10),
        ({"death": True, "critical_infrastructure": True}, 2),
        ({"health_harm": True, "widespread": True, "property_or_environment": True}, 2),
    ],
)
def test_a_serious_incident_is_due_after_the_shortest_period_that_applies(flags, days):
    due = deadlines.reporting_deadline(incident(**flags))
    assert deadlines.reporting_days(incident(**flags)) == days
    assert due == berlin(2027, 5, 3 + days, 10, 0)


@pytest.mark.django_db
def test_an_incident_that_is_not_serious_has_no_deadline():
    assert not deadlines.is_serious(incident())
    assert deadlines.reporting_deadline(incident()) is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("aware", "flags", "due"),
    [
        # Friday before the spring change (last Sunday of March 2027: 28 March).
        (
            berlin(2027, 3, 26, 22, 30),
            {"critical_infrastructure": True},
            berlin(2027, 3, 28, 22, 30),
        ),
        (berlin(2027, 3, 26, 22, 30), {"death": True}, berlin(2027, 4, 5, 22, 30)),
        (berlin(2027, 3, 26, 22, 30), {"fundamental_rights": True}, berlin(2027, 4, 10, 22, 30)),
        # Friday before the autumn change (31 October 2027).
        (berlin(2027, 10, 29, 22, 30), {"widespread": True}, berlin(2027, 10, 31, 22, 30)),
        (berlin(2027, 10, 29, 22, 30), {"death": True}, berlin(2027, 11, 8, 22, 30)),
        (berlin(2027, 10, 29, 23, 45), {"health_harm": True}, berlin(2027, 11, 13, 23, 45)),
    ],
)
def test_the_deadline_keeps_the_local_time_across_a_daylight_saving_change(aware, flags, due):
    # As stored: in UTC. Compared in UTC too (datetimes of one zone compare by wall clock).
    computed = deadlines.reporting_deadline(AIIncident(aware_at=aware.astimezone(UTC), **flags))
    assert computed.astimezone(UTC) == due.astimezone(UTC)
    local = computed.astimezone(BERLIN)
    assert (local.hour, local.minute) == (aware.hour, aware.minute)


@pytest.mark.django_db
def test_the_spring_change_shortens_the_two_days_by_an_hour_of_real_time():
    aware = berlin(2027, 3, 26, 22, 30)
    due = deadlines.reporting_deadline(AIIncident(aware_at=aware, widespread=True))
    assert (due.astimezone(UTC) - aware.astimezone(UTC)).total_seconds() == 47 * 3600


@pytest.mark.django_db
def test_the_autumn_change_lengthens_the_two_days_by_an_hour_of_real_time():
    aware = berlin(2027, 10, 29, 22, 30)
    due = deadlines.reporting_deadline(AIIncident(aware_at=aware, widespread=True))
    assert (due.astimezone(UTC) - aware.astimezone(UTC)).total_seconds() == 49 * 3600


@pytest.mark.django_db
def test_an_incident_saved_through_the_form_gets_its_deadline_in_local_time(client):
    officer = UserFactory(role="Compliance Officer")
    client.force_login(officer)
    system = AIIncidentFactory().ai_system
    response = client.post(
        reverse("audits:aiincident_add"),
        {
            "ai_system": system.pk,
            "title": "Outage of the grid forecast",
            "occurred_at": "2026-10-23T21:00",
            "aware_at": "2026-10-23T22:30",
            "description": "Forecasts stopped.",
            "critical_infrastructure": "on",
            "status": "open",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = AIIncident.objects.get(title="Outage of the grid forecast")
    assert saved.serious
    assert saved.report_due_at == berlin(2026, 10, 25, 22, 30)
    assert saved.reported_by == officer
    assert saved.our_role == AIIncident.Role.DEPLOYER  # the factory's system is deployed


def edit_period(client, case, days):
    period = ReportingPeriod.objects.get(case=case)
    return client.post(
        reverse("audits:reportingperiod_edit", args=[period.pk]),
        {"days": days, "legal_source": period.legal_source, "loaded_version": period.version},
    )


@pytest.mark.django_db
def test_an_administrator_changing_a_period_moves_the_deadlines_still_waiting(client):
    admin = UserFactory(role="Administrator")
    aware = berlin(2027, 5, 3, 10, 0)
    waiting = AIIncidentFactory(aware_at=aware, fundamental_rights=True, serious=True)
    waiting.report_due_at = deadlines.reporting_deadline(waiting)
    waiting.save()
    reported = AIIncidentFactory(aware_at=aware, fundamental_rights=True, serious=True)
    reported.report_due_at = deadlines.reporting_deadline(reported)
    reported.save()
    IncidentReportFactory(incident=reported, sent_at=berlin(2027, 5, 10, 9, 0))
    ordinary = AIIncidentFactory(aware_at=aware)

    client.force_login(admin)
    assert edit_period(client, ReportingPeriod.Case.OTHER, 12).status_code == 302

    waiting.refresh_from_db()
    reported.refresh_from_db()
    ordinary.refresh_from_db()
    assert waiting.report_due_at == berlin(2027, 5, 15, 10, 0)
    assert reported.report_due_at == berlin(2027, 5, 18, 10, 0)  # the report went out
    assert ordinary.report_due_at is None
    assert [h.report_due_at for h in waiting.history.order_by("history_date")][-2:] == [
        berlin(2027, 5, 18, 10, 0),
        berlin(2027, 5, 15, 10, 0),
    ]
    assert ReportingPeriod.objects.get(case="other").history.first().history_user == admin


@pytest.mark.django_db
def test_a_changed_period_is_used_for_new_incidents_and_in_the_help_text(client):
    admin = UserFactory(role="Administrator")
    client.force_login(admin)
    edit_period(client, ReportingPeriod.Case.DEATH, 7)
    assert deadlines.reporting_days(incident(death=True)) == 7
    officer = UserFactory(role="Compliance Officer")
    client.force_login(officer)
    page = client.get(reverse("audits:aiincident_add")).content.decode()
    assert "Report within 7 days." in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [("Compliance Officer", 403), ("AI Officer", 403), ("System Owner", 403)],
)
def test_only_an_administrator_changes_a_period(client, persona, status):
    client.force_login(UserFactory(role=persona))
    assert edit_period(client, ReportingPeriod.Case.OTHER, 1).status_code == status
    assert ReportingPeriod.objects.get(case="other").days == 15


@pytest.mark.django_db
def test_nobody_adds_or_deletes_a_reporting_case(client):
    client.force_login(UserFactory(role="Administrator"))
    period = ReportingPeriod.objects.get(case="death")
    assert client.get(reverse("audits:reportingperiod_add")).status_code == 403
    assert (
        client.post(reverse("audits:reportingperiod_delete", args=[period.pk])).status_code == 403
    )
    assert ReportingPeriod.objects.count() == 4


@pytest.mark.django_db
def test_a_period_of_zero_days_is_refused_at_the_field(client):
    client.force_login(UserFactory(role="Administrator"))
    response = edit_period(client, ReportingPeriod.Case.WIDESPREAD, 0)
    assert response.status_code == 200
    assert "at least one day" in response.content.decode()
    assert ReportingPeriod.objects.get(case="widespread").days == 2
