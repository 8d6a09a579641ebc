"""The audits app's Celery tasks, declared by area (autodiscovered by Celery)."""

from audits.incidents.tasks import *  # noqa: F403
from audits.packs.tasks import *  # noqa: F403
