"""The portal's settings plus the bench's baseline pages (bench/urls.py); the bench's only."""

from aims.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
