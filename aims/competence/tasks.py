"""Periodic sweeps of the competence records (Celery)."""

from celery import shared_task

from aims.competence.services import training_expiry_reminders


@shared_task
def send_training_expiry_reminders():
    return training_expiry_reminders()
