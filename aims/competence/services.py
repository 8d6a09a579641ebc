"""State changes of competence records: a training record saved with its certificate (kept as
evidence with its SHA-256) and the requirements it meets, and the records that run out soon."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, DateField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.competence.matrix import EXPIRING, cell, with_records, with_scope
from aims.competence.models import CompetenceRequirement, Person, TrainingRecord
from aims.core.notifications import always_in
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


def expiring_records(records):
    """Records through which alone a person holds a requirement that runs out within
    EXPIRING_DAYS, each with the last day it counts there (`runs_out`; the earliest, for a
    record that serves several requirements): the due date of training the reminder engine
    sweeps (aims/competence/registers.py). Computed as the matrix computes it, since a record
    may run out by its requirement's validity, not only by its own date."""
    today = timezone.localdate()
    requirements = list(with_scope(CompetenceRequirement.objects.all()))
    runs_out = {}
    for person in with_records(Person.objects.all()):
        for requirement in requirements:
            state = cell(person, requirement, today)
            if state.state == EXPIRING:
                known = runs_out.get(state.record.pk, state.until)
                runs_out[state.record.pk] = min(known, state.until)
    cases = (When(pk=pk, then=Value(until)) for pk, until in runs_out.items())
    return (
        records.filter(pk__in=always_in(runs_out))  # a query also when nothing runs out
        .annotate(runs_out=Case(*cases, output_field=DateField()))
        .select_related("person__manager")
    )


def training_reminder_recipients(record):
    """The person's manager, or else the compliance officers (their role, which the reminder
    sweep has read once)."""
    manager = record.person.manager
    if manager is not None and manager.is_active:
        return [manager]
    return COMPLIANCE_OFFICER
