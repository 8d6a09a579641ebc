"""Training records: a certificate kept as private evidence with its SHA-256, downloaded only
through the evidence view and its permission checks; the requirements a course meets filled
in; the auditor reads and changes nothing; a record that runs out soon reminds the person's
manager, or else the compliance officers, once."""

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aims.competence.models import TrainingRecord
from aims.core.models import Reminder
from aims.core.reminders import sweep
from controls.models import Evidence
from tests.factories import (
    CompetenceRequirementFactory,
    PersonFactory,
    TrainingRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def record_payload(person, **changes):
    today = timezone.localdate()
    data = {
        "person": person.pk,
        "course": "Oversight course",
        "kind": "training",
        "completed_on": (today - timedelta(days=10)).isoformat(),
        "valid_until": (today + timedelta(days=700)).isoformat(),
        "provider": "Academy",
        "loaded_version": 1,
    }
    data.update(changes)
    return data


def test_a_certificate_is_kept_as_evidence_and_the_course_meets_its_requirements(
    client, compliance_officer
):
    requirement = CompetenceRequirementFactory(satisfied_by="Oversight course")
    CompetenceRequirementFactory(satisfied_by="Another course")
    person = PersonFactory()
    content = b"%PDF-1.4 certificate"
    client.force_login(compliance_officer)
    response = client.post(
        reverse("competence:trainingrecord_add"),
        {
            **record_payload(person),
            "file": SimpleUploadedFile("cert.pdf", content, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = TrainingRecord.objects.get()
    assert list(record.requirements.all()) == [requirement]
    revision = record.certificate.revisions.get()
    assert revision.sha256 == hashlib.sha256(content).hexdigest()
    page = client.get(record.get_absolute_url()).content.decode()
    download_url = reverse("controls:evidence_download", args=[record.certificate.pk, 1])
    assert download_url in page and revision.sha256 in page


def test_the_certificate_downloads_only_through_the_evidence_view_with_its_checks(
    client, compliance_officer, auditor
):
    person = PersonFactory()
    client.force_login(compliance_officer)
    content = b"%PDF-1.4 certificate"
    client.post(
        reverse("competence:trainingrecord_add"),
        {**record_payload(person), "file": SimpleUploadedFile("cert.pdf", content)},
    )
    evidence = TrainingRecord.objects.get().certificate
    url = reverse("controls:evidence_download", args=[evidence.pk, 1])
    client.force_login(auditor)
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert download["Content-Disposition"].startswith("attachment")
    client.force_login(UserFactory(role=None))
    assert client.get(url).status_code == 404


def test_a_certificate_of_a_refused_type_is_refused_at_the_field(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.post(
        reverse("competence:trainingrecord_add"),
        {**record_payload(PersonFactory()), "file": SimpleUploadedFile("cert.exe", b"MZ....")},
    )
    assert response.status_code == 200 and "file" in response.context["form"].errors
    assert not TrainingRecord.objects.exists() and not Evidence.objects.exists()


def test_valid_until_before_the_date_is_refused_at_the_field(client, compliance_officer):
    client.force_login(compliance_officer)
    today = timezone.localdate()
    response = client.post(
        reverse("competence:trainingrecord_add"),
        record_payload(
            PersonFactory(),
            completed_on=today.isoformat(),
            valid_until=(today - timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 200
    assert "valid_until" in response.context["form"].errors


def test_the_auditor_reads_the_matrix_and_records_but_changes_nothing(client, auditor):
    record = TrainingRecordFactory()
    client.force_login(auditor)
    assert client.get(reverse("competence:matrix")).status_code == 200
    assert client.get(record.get_absolute_url()).status_code == 200
    assert client.get(reverse("competence:trainingrecord_add")).status_code == 403
    response = client.post(reverse("competence:trainingrecord_add"), record_payload(record.person))
    assert response.status_code == 403
    delete_url = reverse("competence:trainingrecord_delete", args=[record.pk])
    assert client.post(delete_url).status_code == 403  # nothing the auditor may delete
    assert TrainingRecord.objects.count() == 1


def test_someone_without_a_role_sees_no_matrix(client):
    client.force_login(UserFactory(role=None))
    assert client.get(reverse("competence:matrix")).status_code == 403
    assert client.get(reverse("competence:gaps_csv")).status_code == 403


def expiring_record(person, days=20):
    requirement = CompetenceRequirementFactory(satisfied_by="Oversight course")
    today = timezone.localdate()
    return TrainingRecordFactory(
        person=person,
        course="Oversight course",
        completed_on=today - timedelta(days=300),
        valid_until=today + timedelta(days=days),
    ), requirement


def digests():
    return [m for m in mail.outbox if "due dates in the AI management system" in m.subject]


def reminded_records():
    return set(
        Reminder.objects.filter(key="competence.trainingrecord:runs_out").values_list(
            "object_id", flat=True
        )
    )


def test_a_record_running_out_reminds_the_manager_once(settings):
    manager = UserFactory(role=None, email="manager@example.com")
    person = PersonFactory(manager=manager)
    record, _requirement = expiring_record(person)
    sweep()
    sweep()
    assert [m.to for m in digests()] == [["manager@example.com"]]
    assert person.name in digests()[0].body and "Training runs out" in digests()[0].body
    assert person.get_absolute_url() in digests()[0].body
    assert reminded_records() == {record.pk}


def test_without_a_manager_the_compliance_officers_are_reminded(compliance_officer):
    person = PersonFactory(manager=None)
    expiring_record(person)
    sweep()
    assert [m.to for m in digests()] == [[compliance_officer.email]]


def test_a_record_far_from_its_end_or_renewed_reminds_no_one(compliance_officer):
    person = PersonFactory()
    expiring_record(person, days=90)
    sweep()
    renewed = PersonFactory()
    expiring_record(renewed)
    TrainingRecordFactory(person=renewed, course="Oversight course")
    # The renewed person holds the requirement through the new record.
    sweep()
    assert digests() == []
    assert reminded_records() == set()


def test_a_requirement_validity_shorter_than_the_record_sets_the_date(compliance_officer):
    requirement = CompetenceRequirementFactory(satisfied_by="Oversight course", validity_months=12)
    today = timezone.localdate()
    record = TrainingRecordFactory(
        person=PersonFactory(manager=None),
        course="Oversight course",
        completed_on=today - timedelta(days=350),
        valid_until=None,
    )
    assert record.expires_for(requirement) < today + timedelta(days=30)
    sweep()
    (reminder,) = Reminder.objects.filter(object_id=record.pk)
    assert (reminder.due_on, reminder.stage) == (record.expires_for(requirement), "soon")
