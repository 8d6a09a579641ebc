"""What goes into an archive: which models, how a row is written, the schema it belongs to."""

import posixpath

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.serializers import python as python_serializer
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

# Left out of the archive, each for a reason. Every other model of every installed app is in it,
# so a model added later is exported without a change here.
EXCLUDED = {
    # Created by `migrate` on every instance; rows refer to them by natural key instead.
    "contenttypes.ContentType": "created by migrate, referred to by natural key",
    "auth.Permission": "created by migrate, referred to by natural key",
    # Derived from the registers: rebuilt after an import (aims/core/search_index.py).
    "core.SearchEntry": "derived, rebuilt after the import",
    # Log-ins of the machine that served them: a restored instance starts without sessions.
    "sessions.Session": "log-ins of the exporting machine",
    # Log-in throttling (django-axes) counts attempts seen by one machine.
    "axes.AccessAttempt": "log-in throttling of the exporting machine",
    "axes.AccessAttemptExpiration": "log-in throttling of the exporting machine",
    "axes.AccessFailureLog": "log-in throttling of the exporting machine",
    "axes.AccessLog": "log-in throttling of the exporting machine",
    # Celery keeps no results in the database (CELERY_TASK_IGNORE_RESULT): nothing to exclude.
}
# Emptied on import besides the archived models: they belong to the replaced data.
DISCARDED_ON_IMPORT = ("sessions.Session",)
REBUILT = ("core.SearchEntry",)
# Referred to by natural key: their ids are assigned by each database's `migrate`.
NATURAL = (ContentType, Permission)


def archived_models():
    """Every model with a table of its own, except EXCLUDED, in a stable order."""
    return sorted(
        (
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy and model._meta.label not in EXCLUDED
        ),
        key=lambda model: model._meta.label,
    )


def chunks(source, size=1024 * 1024):
    """A file's bytes, a megabyte at a time."""
    while data := source.read(size):
        yield data


def file_fields(model):
    return [field for field in model._meta.local_fields if isinstance(field, models.FileField)]


def data_path(model):
    return f"data/{model._meta.label}.json"


def file_path(model, field, name):
    return f"files/{model._meta.label}.{field.name}/{name}"


def safe_name(name):
    """Whether a stored file's name (or an archive entry's) stays inside its folder."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in name:
        return False
    normal = posixpath.normpath(name)
    return normal == name and not normal.startswith("..") and ".." not in normal.split("/")


class NaturalKeys:
    """Natural keys of content types and permissions, both ways, read once."""

    def __init__(self):
        types = {ct.pk: ct.natural_key() for ct in ContentType.objects.all()}
        permissions = {
            pk: (codename, *types[type_id])
            for pk, codename, type_id in Permission.objects.values_list(
                "pk", "codename", "content_type_id"
            )
        }
        self.keys = {ContentType: types, Permission: permissions}
        self.ids = {
            model: {key: pk for pk, key in keys.items()} for model, keys in self.keys.items()
        }

    def key(self, model, pk):
        return list(self.keys[model][pk])

    def id(self, model, key):
        return self.ids[model].get(tuple(key))


class RowSerializer(python_serializer.Serializer):
    """Django's serializer with content types and permissions written by natural key, and
    many-to-many links left to their through tables (archived as models of their own, so
    loading them sends no `m2m_changed`)."""

    def __init__(self, natural_keys):
        super().__init__()
        self.natural_keys = natural_keys

    def handle_fk_field(self, obj, field):
        related = field.related_model
        value = getattr(obj, field.attname)
        if related in NATURAL and value is not None and value in self.natural_keys.keys[related]:
            self._current[field.name] = self.natural_keys.key(related, value)
        else:
            super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        pass


def resolve_natural_keys(model, row, natural_keys):
    """Replace the row's natural keys by this database's ids (None where unknown here); the
    natural keys not found."""
    missing = []
    for field in model._meta.local_fields:
        value = row["fields"].get(field.name)
        if field.related_model in NATURAL and isinstance(value, list):
            pk = natural_keys.id(field.related_model, value)
            if pk is None:
                missing.append(".".join(map(str, value)))
            row["fields"][field.name] = pk
    return missing


def schema_state():
    """The latest applied migrations of each app: {app label: [names]}."""
    applied = set(MigrationRecorder(connection).applied_migrations())
    graph = MigrationLoader(connection, ignore_no_migrations=True).graph
    state = {}
    for app_label, name in sorted(applied):
        node = (app_label, name)
        children = graph.node_map[node].children if node in graph.node_map else ()
        if not any(child.key in applied and child.key[0] == app_label for child in children):
            state.setdefault(app_label, []).append(name)
    return state
