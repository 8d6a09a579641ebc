"""Settings helpers: read the environment, accept secrets from `NAME_FILE`, fail loudly."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key


def env(name, default=None):
    """The value of `name`, or the content of the file named by `name_FILE` (Docker secrets).

    A variable that is set but empty counts as unset, so `FOO=` in an .env file keeps the default.
    """
    path = os.environ.get(f"{name}_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    return os.environ.get(name) or default


def env_bool(name, default):
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")


def env_list(name, default=""):
    return [item.strip() for item in (env(name) or default).split(",") if item.strip()]


def env_required(name):
    value = env(name)
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG=0")
    return value


def local_secret_key(path):
    """A random key kept in `path`, made on first use (development only)."""
    if not path.exists():
        path.write_text(get_random_secret_key(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
