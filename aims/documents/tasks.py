"""Periodic sweeps of documented information."""

from celery import shared_task

from aims.documents.services import document_review_reminders


@shared_task
def send_document_review_reminders():
    return document_review_reminders()
