"""The portal's settings plus the bench's baseline pages (bench/urls.py); the bench's only."""

from aims.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Production serves collected static files (a manifest of hashed names); the bench collects
# its own copy here.
STATIC_ROOT = BASE_DIR / "var" / "bench" / "static"  # noqa: F405
