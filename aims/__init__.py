"""AIMS governance portal: the project package and the AIMS core apps."""

from .celery import app as celery_app

__all__ = ["celery_app"]
