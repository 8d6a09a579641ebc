"""State changes of competence records: a training record saved with its certificate (kept as
evidence with its SHA-256) and the requirements it meets, and the reminders of records that run
out soon."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.competence.matrix import EXPIRING, cell, with_records, with_scope
from aims.competence.models import CompetenceRequirement, Person, TrainingRecord
from aims.core.approvals import users_with_role
from aims.core.notifications import remind_once
from aims.core.permissions import can
from aims.core.roles import COMPLIANCE_OFFICER
from controls.models import Evidence
from controls.services import evidence_revision_add


def requirements_accepting(course):
    """The requirements that name the course or qualification under "satisfied by"."""
    name = course.strip().casefold()
    return [r for r in CompetenceRequirement.objects.all() if name in r.accepted_names]


def training_record_save(*, record, user, requirements=None, upload=None):
    """Save a training record; without requirements chosen, link those that accept its course.
    A certificate file becomes evidence (private, SHA-256) linked to the record."""
    with transaction.atomic():
        if record.pk:
            TrainingRecord.objects.select_for_update().get(pk=record.pk)
        if upload is not None:
            record.certificate = certificate_evidence(record=record, user=user)
            evidence_revision_add(evidence=record.certificate, upload=upload, user=user)
        record._history_user = user
        record.save()
        if requirements is not None:
            record.requirements.set(requirements or requirements_accepting(record.course))
    return record


def certificate_evidence(*, record, user):
    if not can(user, "add", Evidence):
        raise PermissionDenied
    evidence = Evidence(
        title=_("Certificate: %(course)s, %(person)s")
        % {"course": record.course, "person": record.person},
        description=record.provider,
        evidence_date=record.completed_on,
        valid_until=record.valid_until,
        uploaded_by=user,
    )
    evidence._history_user = user
    evidence.save()
    return evidence


def training_records_link(records):
    """Link imported records to the requirements that accept their courses."""
    requirements = list(CompetenceRequirement.objects.all())
    for record in records:
        name = record.course.strip().casefold()
        matching = [r for r in requirements if name in r.accepted_names]
        if matching:
            record.requirements.set(matching)


def reminder_recipients(person, officers):
    """The person's manager, or else the compliance officers."""
    if person.manager is not None and person.manager.is_active:
        return [person.manager]
    return officers


def training_expiry_reminders(today=None):
    """Daily sweep: for each requirement a person holds only through a record that runs out
    within EXPIRING_DAYS, remind their manager (or the compliance officers) once per record
    and end date. Returns how many reminders went out now."""
    today = today or timezone.localdate()
    officers = list(users_with_role(COMPLIANCE_OFFICER))
    # Every person: a record may run out by its requirement's validity, not only its own date.
    people = with_records(Person.objects.all())
    requirements = list(with_scope(CompetenceRequirement.objects.all()))
    sent = 0
    for person in people:
        for requirement in requirements:
            state = cell(person, requirement, today)
            if state.state != EXPIRING:
                continue
            sent += remind_once(
                key=f"training-expiring:{state.record.pk}:{requirement.pk}:{state.until}",
                recipients=reminder_recipients(person, officers),
                subject=_("Training runs out: %(person)s, %(requirement)s")
                % {"person": person, "requirement": requirement.title},
                body=_(
                    "The training “%(course)s” of %(person)s counts for “%(requirement)s” "
                    "until %(date)s. Please plan a refresher.\n\n%(url)s"
                )
                % {
                    "course": state.record.course,
                    "person": person,
                    "requirement": requirement.title,
                    "date": state.until,
                    "url": settings.PORTAL_URL + person.get_absolute_url(),
                },
            )
    return sent
