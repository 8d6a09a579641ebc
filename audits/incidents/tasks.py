"""Periodic sweeps of this area (Celery)."""

from celery import shared_task

from audits.incidents.services import incident_deadline_reminders


@shared_task
def send_incident_deadline_reminders():
    return incident_deadline_reminders()
