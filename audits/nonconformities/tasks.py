"""Periodic sweeps of this area (Celery)."""

from celery import shared_task

from audits.nonconformities.reminders import nonconformity_reminders


@shared_task
def send_nonconformity_reminders():
    return nonconformity_reminders()
