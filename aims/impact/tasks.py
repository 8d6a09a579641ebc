"""Periodic sweep of the impact assessments."""

from celery import shared_task

from aims.impact.services import impact_reviews_due


@shared_task
def flag_due_impact_assessments():
    return impact_reviews_due()
