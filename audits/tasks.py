"""The audits app's Celery tasks, declared by area (autodiscovered by Celery)."""

from audits.packs.tasks import *  # noqa: F403
