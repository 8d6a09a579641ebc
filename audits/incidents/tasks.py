"""Periodic sweeps of this area (Celery)."""
