"""AI incidents: the form, who records and reads them, the officers told of a serious one, the
report log, the deployer's duty, the one-step nonconformity and risk, and where the countdown
shows."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aims.core.dates import add_months, short_datetime
from aims.core.models import Notification, OutgoingMail
from aims.core.reminders import sweep
from audits.models import AIIncident, IncidentReport, Nonconformity
from controls.models import Evidence
from risks.models import Risk
from tests.factories import AIIncidentFactory, AISystemFactory, UserFactory

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script>'


def local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def payload(system, **changes):
    now = timezone.now()
    data = {
        "ai_system": system.pk,
        "title": "Chatbot gave wrong coverage answers",
        "occurred_at": local(now - timedelta(hours=5)),
        "aware_at": local(now - timedelta(hours=2)),
        "description": "Several customers were told water damage is covered.",
        "status": "open",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def add(client, system, **changes):
    return client.post(reverse("audits:aiincident_add"), payload(system, **changes))


def edit(client, incident, **changes):
    incident.refresh_from_db()
    data = payload(
        incident.ai_system, reference=incident.reference, loaded_version=incident.version, **changes
    )
    return client.post(reverse("audits:aiincident_edit", args=[incident.pk]), data)


@pytest.fixture
def officer(client):
    user = UserFactory(role="Compliance Officer")
    client.force_login(user)
    return user


# The form ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"aware_at": "2026-01-01T10:00", "occurred_at": "2026-01-02T10:00"},
            "aware_at",
            "You cannot have become aware before the incident occurred.",
        ),
        ({"occurred_at": "2099-01-01T10:00"}, "occurred_at", "cannot have occurred in the future"),
        ({"aware_at": "2099-01-01T10:00"}, "aware_at", "cannot have become aware in the future"),
        ({"aware_at": "yesterday"}, "aware_at", "Enter a valid date/time."),
    ],
)
def test_impossible_times_are_refused_at_the_field_and_nothing_is_saved(
    client, officer, changes, field, message
):
    response = add(client, AISystemFactory(), **changes)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert not AIIncident.objects.exists()


def test_times_are_entered_and_shown_in_the_portals_time_zone(client, officer):
    page = client.get(reverse("audits:aiincident_add")).content.decode()
    assert 'type="datetime-local"' in page
    add(client, AISystemFactory(), occurred_at="2026-07-01T08:15", aware_at="2026-07-01T09:30")
    incident = AIIncident.objects.get()
    assert incident.aware_at.astimezone(timezone.get_current_timezone()).hour == 9
    assert incident.aware_at.utcoffset() is not None and incident.aware_at.hour == 7  # UTC
    edit = client.get(reverse("audits:aiincident_edit", args=[incident.pk])).content.decode()
    assert 'value="2026-07-01T09:30"' in edit


def test_our_role_left_blank_comes_from_the_systems_eu_ai_act_role(client, officer):
    add(client, AISystemFactory(ai_act_roles=["provider", "deployer"]), title="As provider")
    add(client, AISystemFactory(ai_act_roles=["deployer"]), title="As deployer")
    add(client, AISystemFactory(ai_act_roles=["provider"]), title="Chosen", our_role="deployer")
    roles = dict(AIIncident.objects.values_list("title", "our_role"))
    assert roles == {"As provider": "provider", "As deployer": "deployer", "Chosen": "deployer"}


def test_a_provider_has_no_provider_to_inform(client, officer):
    system = AISystemFactory(ai_act_roles=["provider"])
    response = add(client, system, provider_informed_at=local(timezone.now()))
    assert "there is no provider to inform" in response.content.decode()
    add(client, system)
    incident = AIIncident.objects.get()
    edit = client.get(reverse("audits:aiincident_edit", args=[incident.pk])).content.decode()
    assert "provider_informed_at" not in edit


def test_the_serious_incident_test_is_set_by_the_service_not_the_form(client, officer):
    add(client, AISystemFactory(), serious="on", report_due_at="2030-01-01T00:00")
    incident = AIIncident.objects.get()
    assert not incident.serious and incident.report_due_at is None
    assert incident.reported_by == officer


def test_html_in_the_description_is_shown_as_text(client, officer):
    add(client, AISystemFactory(), title=SCRIPT, description=SCRIPT, harm=SCRIPT)
    incident = AIIncident.objects.get()
    assert incident.description == SCRIPT
    for address in (incident.get_absolute_url(), reverse("audits:aiincident_list")):
        page = client.get(address).content.decode()
        assert "<script>alert" not in page
        assert "&lt;script&gt;" in page


# Who records and reads incidents ------------------------------------------------------------


def test_a_system_owner_records_incidents_of_their_own_system(client):
    owner = UserFactory(role="System Owner")
    own, other = AISystemFactory(owner=owner), AISystemFactory()
    client.force_login(owner)
    form = client.get(reverse("audits:aiincident_add")).context["form"]
    assert list(form.fields["ai_system"].queryset) == [own]
    assert add(client, own).status_code == 302
    refused = add(client, other, title="Someone else's")
    assert refused.status_code == 200 and "ai_system" in refused.context["form"].errors
    incident = AIIncident.objects.get()
    assert incident.ai_system == own and incident.reported_by == owner
    edit = reverse("audits:aiincident_edit", args=[incident.pk])
    assert client.get(edit).status_code == 200


def test_a_system_owner_who_reads_an_incident_of_another_system_gets_403_changing_it(client):
    owner = UserFactory(role="System Owner")
    AISystemFactory(owner=owner)
    theirs = AIIncidentFactory()
    client.force_login(owner)
    for action in ("edit", "delete"):
        address = reverse(f"audits:aiincident_{action}", args=[theirs.pk])
        assert client.get(theirs.get_absolute_url()).status_code == 200
        assert client.get(address).status_code == 403
        assert client.post(address, payload(theirs.ai_system)).status_code == 403
    for step in ("aiincident_raise_nonconformity", "aiincident_create_risk"):
        assert client.post(reverse(f"audits:{step}", args=[theirs.pk])).status_code == 403
    theirs.refresh_from_db()
    assert theirs.version == 1
    assert not Nonconformity.objects.exists() and not Risk.objects.exists()


def test_a_system_owner_logs_a_report_for_an_incident_of_their_system(client):
    owner = UserFactory(role="System Owner")
    incident = AIIncidentFactory(ai_system=AISystemFactory(owner=owner))
    other = AIIncidentFactory()
    client.force_login(owner)
    add_url = reverse("audits:incidentreport_add")
    form = client.get(add_url).context["form"]
    assert list(form.fields["incident"].queryset) == [incident]
    response = client.post(add_url, report_payload(other))
    assert response.status_code == 200 and not IncidentReport.objects.exists()
    assert client.post(add_url, report_payload(incident)).status_code == 302
    assert IncidentReport.objects.get().incident == incident


@pytest.mark.parametrize("role", ["Auditor", "Internal Auditor"])
def test_auditors_read_incidents_and_change_nothing(client, role):
    incident = AIIncidentFactory(death=True)
    client.force_login(UserFactory(role=role))
    assert client.get(incident.get_absolute_url()).status_code == 200
    assert client.get(reverse("audits:aiincident_list")).status_code == 200
    assert client.get(reverse("audits:aiincident_add")).status_code == 403
    assert (
        client.post(reverse("audits:incidentreport_add"), report_payload(incident)).status_code
        == 403
    )
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Open a nonconformity" not in page and "Create a risk" not in page
    assert "Log a report" not in page
    for action in ("edit", "delete"):
        assert (
            client.get(reverse(f"audits:aiincident_{action}", args=[incident.pk])).status_code
            == 403
        )
    for step in ("aiincident_raise_nonconformity", "aiincident_create_risk"):
        assert client.post(reverse(f"audits:{step}", args=[incident.pk])).status_code == 403
    assert not Nonconformity.objects.exists() and not Risk.objects.exists()
    assert not IncidentReport.objects.exists()


# Serious incidents tell the officers ----------------------------------------------------------


def test_a_new_serious_incident_tells_the_ai_and_compliance_officers_once(client, officer):
    ai_officer = UserFactory(role="AI Officer")
    other_officer = UserFactory(role="Compliance Officer")
    UserFactory(role="AI Officer", is_active=False)
    bystanders = [UserFactory(role=r) for r in ("System Owner", "Auditor", "Administrator")]
    add(client, AISystemFactory(), fundamental_rights="on")
    incident = AIIncident.objects.get()
    told = {officer, ai_officer, other_officer}
    assert {n.recipient for n in Notification.objects.all()} == told
    assert {m.recipient for m in OutgoingMail.objects.all()} == told
    assert all(n.url == incident.get_absolute_url() for n in Notification.objects.all())
    assert incident.reference in Notification.objects.first().message

    assert (
        edit(client, incident, title="Edited", fundamental_rights="on", death="on").status_code
        == 302
    )
    assert Notification.objects.count() == 3 and OutgoingMail.objects.count() == 3
    assert not any(Notification.objects.filter(recipient=b).exists() for b in bystanders)


def test_an_incident_that_becomes_serious_tells_the_officers_then(client, officer):
    add(client, AISystemFactory())
    incident = AIIncident.objects.get()
    assert not Notification.objects.exists()
    assert edit(client, incident, health_harm="on").status_code == 302
    assert Notification.objects.filter(recipient=officer).count() == 1
    incident.refresh_from_db()
    # No longer serious, then serious again: told once only.
    for flags in ({}, {"health_harm": "on"}):
        assert edit(client, incident, **flags).status_code == 302
        incident.refresh_from_db()
    assert incident.serious
    assert Notification.objects.filter(recipient=officer).count() == 1


def test_the_e_mail_goes_out_through_the_worker_after_the_commit(
    client, officer, django_capture_on_commit_callbacks, mailoutbox, tasks_in_process
):
    with django_capture_on_commit_callbacks(execute=True):
        add(client, AISystemFactory(), death="on")
    assert [mail.to for mail in mailoutbox] == [[officer.email]]
    assert "Serious incident INC-0001" in mailoutbox[0].subject


# The report log ---------------------------------------------------------------------------


def report_payload(incident, **changes):
    data = {
        "incident": incident.pk,
        "kind": "initial",
        "sent_at": local(timezone.now() - timedelta(minutes=5)),
        "authority": "Bundesnetzagentur",
        "authority_reference": "MSA-2026-17",
        "summary": "Initial report.",
    }
    data.update(changes)
    return data


def test_a_report_file_is_kept_as_private_evidence_with_its_sha256(client, officer):
    incident = AIIncidentFactory(fundamental_rights=True, serious=True)
    content = b"%PDF-1.4 initial report"
    upload = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    response = client.post(
        reverse("audits:incidentreport_add"), {**report_payload(incident), "file": upload}
    )
    assert response.status_code == 302
    report = IncidentReport.objects.get()
    evidence = report.document
    revision = evidence.revisions.get()
    assert revision.sha256 == hashlib.sha256(content).hexdigest()
    assert list(evidence.ai_systems.all()) == [incident.ai_system]
    assert [c.code for c in evidence.controls.all()] == ["A.8.4"]
    download = client.get(reverse("controls:evidence_download", args=[evidence.pk, 1]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    client.force_login(UserFactory(role=None))
    download = client.get(reverse("controls:evidence_download", args=[evidence.pk, 1]))
    assert download.status_code == 404


def test_a_report_file_of_a_refused_type_is_refused_at_the_field(client, officer):
    incident = AIIncidentFactory()
    upload = SimpleUploadedFile("report.exe", b"MZ....", content_type="application/octet-stream")
    response = client.post(
        reverse("audits:incidentreport_add"), {**report_payload(incident), "file": upload}
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not IncidentReport.objects.exists() and not Evidence.objects.exists()


def test_a_report_cannot_be_sent_before_becoming_aware_or_in_the_future(client, officer):
    incident = AIIncidentFactory()
    before = local(incident.aware_at - timedelta(hours=1))
    for sent in (before, "2099-01-01T10:00"):
        response = client.post(
            reverse("audits:incidentreport_add"), report_payload(incident, sent_at=sent)
        )
        assert "sent_at" in response.context["form"].errors
    assert not IncidentReport.objects.exists()


def test_the_initial_report_stops_the_clock_and_the_final_one_marks_the_incident(client, officer):
    incident = AIIncidentFactory()
    assert edit(client, incident, fundamental_rights="on").status_code == 302
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "left" in page and "Initial report due by" in page
    client.post(reverse("audits:incidentreport_add"), report_payload(incident))
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Reported in time" in page and "MSA-2026-17" in page
    client.post(reverse("audits:incidentreport_add"), report_payload(incident, kind="final"))
    incident.refresh_from_db()
    assert incident.status == AIIncident.Status.REPORTED
    assert incident.history.first().history_user == officer


# What the page, the list and the dashboard show ---------------------------------------------


def overdue_incident(**kwargs):
    aware = timezone.now() - timedelta(days=20)
    return AIIncidentFactory(
        occurred_at=aware - timedelta(hours=1),
        aware_at=aware,
        serious=True,
        fundamental_rights=True,
        report_due_at=aware + timedelta(days=15),
        **kwargs,
    )


def test_a_serious_deployer_incident_without_the_provider_informed_is_flagged(client, officer):
    incident = overdue_incident(our_role="deployer")
    page = client.get(incident.get_absolute_url()).content.decode()
    assert "Duty to inform the provider (Art. 26(5))" in page
    assert 'id="provider-not-informed"' in page
    assert "Overdue by 5 days" in page
    incident.provider_informed_at = incident.aware_at + timedelta(hours=1)
    incident.save()
    page = client.get(incident.get_absolute_url()).content.decode()
    assert 'id="provider-not-informed"' not in page and "Provider informed at" in page
    provider = overdue_incident(our_role="provider")
    assert "Art. 26(5)" not in client.get(provider.get_absolute_url()).content.decode()


def test_the_list_shows_the_deadline_and_its_state(client, officer):
    overdue_incident()
    AIIncidentFactory(title="Ordinary")
    page = client.get(reverse("audits:aiincident_list")).content.decode()
    assert "Overdue by 5 days" in page and "Not reportable" in page
    waiting = client.get(reverse("audits:aiincident_list"), {"awaiting_report": "yes"})
    assert "Ordinary" not in waiting.content.decode()


def test_the_dashboard_lists_incidents_awaiting_a_report_nearest_deadline_first(client, officer):
    later = overdue_incident(title="Later one")
    later.report_due_at = timezone.now() + timedelta(days=3)
    later.save()
    overdue_incident(title="Overdue one")
    reported = overdue_incident(title="Reported one")
    IncidentReport.objects.create(
        incident=reported, kind="initial", sent_at=timezone.now(), authority="BNetzA"
    )
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Serious incidents awaiting a report" in page
    assert page.index("Overdue one") < page.index("Later one")
    assert "Reported one" not in page
    assert "2 serious incidents await their report to the authority." in page
    assert "1 serious incident is overdue for its report." in page


def test_my_work_asks_the_officers_to_report(client, officer):
    incident = overdue_incident()
    page = client.get(reverse("core:my_work")).content.decode()
    assert f"Report the serious incident {incident}" in page
    client.force_login(UserFactory(role="Auditor"))
    assert "Report the serious incident" not in client.get(reverse("core:my_work")).content.decode()


def test_the_ai_system_page_lists_its_incidents(client, officer):
    incident = AIIncidentFactory(title="Wrong ranking")
    AIIncidentFactory(title="Elsewhere")
    page = client.get(incident.ai_system.get_absolute_url()).content.decode()
    assert "Wrong ranking" in page and "Elsewhere" not in page
    assert f"{reverse('audits:aiincident_add')}?ai_system={incident.ai_system.pk}" in page


# One step to a nonconformity or a risk ------------------------------------------------------


@pytest.mark.parametrize(("flags", "grade"), [({"death": True}, "major"), ({}, "minor")])
def test_open_a_nonconformity_from_an_incident(client, officer, flags, grade):
    incident = AIIncidentFactory(serious=bool(flags), **flags)
    response = client.post(reverse("audits:aiincident_raise_nonconformity", args=[incident.pk]))
    nonconformity = Nonconformity.objects.get()
    assert response.status_code == 302
    assert nonconformity.incident == incident and nonconformity.grade == grade
    assert nonconformity.source == Nonconformity.Source.INCIDENT
    assert list(nonconformity.ai_systems.all()) == [incident.ai_system]
    assert nonconformity.title == incident.title
    page = client.get(incident.get_absolute_url()).content.decode()
    assert nonconformity.reference in page


def test_a_system_owner_opens_a_nonconformity_from_an_incident_of_their_system(client):
    owner = UserFactory(role="System Owner")
    incident = AIIncidentFactory(ai_system=AISystemFactory(owner=owner))
    client.force_login(owner)
    client.post(reverse("audits:aiincident_raise_nonconformity", args=[incident.pk]))
    assert Nonconformity.objects.get().incident == incident


def test_create_a_risk_from_an_incident(client, officer):
    incident = AIIncidentFactory(fundamental_rights=True, harm="Applicants ranked down.")
    response = client.post(reverse("audits:aiincident_create_risk", args=[incident.pk]))
    risk = Risk.objects.get()
    assert response["Location"] == reverse("risks:risk_edit", args=[risk.pk])
    assert risk.title == incident.title and "Applicants ranked down." in risk.description
    assert list(risk.ai_systems.all()) == [incident.ai_system]
    assert list(incident.risks.all()) == [risk]
    assert risk.owner == officer
    assert risk.next_review == add_months(timezone.localdate(), risk.review_cadence_months)
    assert risk.reference in client.get(incident.get_absolute_url()).content.decode()


def test_the_one_step_buttons_answer_only_to_post(client, officer):
    incident = AIIncidentFactory()
    for step in ("aiincident_raise_nonconformity", "aiincident_create_risk"):
        assert client.get(reverse(f"audits:{step}", args=[incident.pk])).status_code == 405
    assert client.post(reverse("audits:aiincident_create_risk", args=[999999])).status_code == 404


# Reminders before the deadline ---------------------------------------------------------------


def test_the_sweep_reminds_the_officers_once_before_the_deadline_and_once_when_overdue(
    mailoutbox,
):
    officer = UserFactory(role="Compliance Officer")
    ai_officer = UserFactory(role="AI Officer")
    UserFactory(role="System Owner")
    incident = overdue_incident()
    incident.report_due_at = timezone.now() + timedelta(hours=20)
    incident.save()
    AIIncidentFactory(serious=True, death=True, report_due_at=timezone.now() + timedelta(days=5))

    def deadline_mails(stage):
        return [m for m in mailoutbox if m.subject.startswith(stage)]

    sweep()
    sweep()
    (due_soon,) = {m.subject for m in deadline_mails("Due soon")}
    assert {tuple(m.to) for m in deadline_mails("Due soon")} == {
        (officer.email,),
        (ai_officer.email,),
    }
    assert incident.reference in due_soon
    assert short_datetime(incident.report_due_at) in due_soon
    assert len(deadline_mails("Due soon")) == 2
    # Overdue from the hour the deadline passes, not from the next day.
    with time_machine.travel(timezone.now() + timedelta(hours=21), tick=False):
        sweep()
        sweep()
        assert len(deadline_mails("Overdue")) == 2
        IncidentReport.objects.create(
            incident=incident, kind="initial", sent_at=timezone.now(), authority="BNetzA"
        )
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        sweep()
    assert len(deadline_mails("Due soon")) == len(deadline_mails("Overdue")) == 2
