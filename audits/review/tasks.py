"""Periodic sweeps of this area (Celery)."""

from celery import shared_task

from audits.review.attention import remind_overdue_review_actions


@shared_task
def send_review_action_reminders():
    return remind_overdue_review_actions()
