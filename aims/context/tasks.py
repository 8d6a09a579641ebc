"""Periodic sweeps of the context area."""

from celery import shared_task

from aims.context.services import policy_review_reminders


@shared_task
def send_policy_review_reminders():
    return policy_review_reminders()
