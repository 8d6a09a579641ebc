"""Periodic sweeps of the risk register."""

from celery import shared_task

from risks.services import expired_acceptances_to_review


@shared_task
def send_expired_acceptances_to_review():
    return expired_acceptances_to_review()
