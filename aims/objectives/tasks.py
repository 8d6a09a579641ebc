"""Periodic sweep of the computed KPIs."""

from celery import shared_task

from aims.objectives.services import computed_kpis_measure


@shared_task
def measure_computed_kpis():
    return computed_kpis_measure()
