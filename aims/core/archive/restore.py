"""Reading an archive back into an empty instance, in one transaction.

Before anything is written, the archive must pass every check: its format, the schema it was
made with (the same latest migrations per app as this database), every entry's SHA-256 against
the manifest, every name inside its folder, and an instance without user accounts (unless
forced). Then the rows created by the migrations (role groups, catalogues) are replaced by the
archive's, every row keeps its primary key, files go to the storage of their field, sequences
move past the highest ids and the search index is rebuilt.

Rows are saved as Django loads fixtures (`save_base(raw=True)`): the receivers of the portal
(history, owner permissions, search index, material changes) ignore raw saves, and
many-to-many links arrive as rows of their through tables, so no `m2m_changed` fires.
"""

import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.color import no_style
from django.core.serializers import python as python_serializer
from django.db import connection, transaction
from django.utils.translation import gettext as _

from aims.core import search_index
from aims.core.archive import FORMAT, FORMAT_VERSION, MANIFEST
from aims.core.archive.contents import (
    DISCARDED_ON_IMPORT,
    NaturalKeys,
    archived_models,
    chunks,
    file_fields,
    file_path,
    resolve_natural_keys,
    safe_name,
    schema_state,
)

CHUNK_ROWS = 500
CHUNK_BYTES = 1024 * 1024


class ArchiveRefused(Exception):
    """The archive cannot be imported here; the message says why."""


@dataclass
class ImportSummary:
    models: int = 0
    rows: int = 0
    history_rows: int = 0
    files: int = 0


def read_manifest(archive):
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise ArchiveRefused(_("The file is no AIMS archive: it has no manifest.json.")) from None
    except ValueError:
        raise ArchiveRefused(_("The archive's manifest.json is not valid JSON.")) from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveRefused(
            _("The archive's format (%(format)s, version %(version)s) is unknown to this portal.")
            % {"format": manifest.get("format"), "version": manifest.get("format_version")}
        )
    return manifest


def check_schema(manifest):
    here = schema_state()
    there = manifest.get("migrations") or {}
    differing = sorted(app for app in set(here) | set(there) if here.get(app) != there.get(app))
    if differing:
        details = "; ".join(
            _("%(app)s: archive %(there)s, this database %(here)s")
            % {
                "app": app,
                "there": ", ".join(there.get(app, [])) or "-",
                "here": ", ".join(here.get(app, [])) or "-",
            }
            for app in differing
        )
        raise ArchiveRefused(
            _(
                "The archive was made with a different database schema (%(details)s). Import it "
                "into a portal of the version that made it (%(version)s), migrated with "
                "`manage.py migrate`."
            )
            % {"details": details, "version": manifest.get("portal_version")}
        )


def listed_entries(manifest):
    """{entry name: SHA-256} of every data and file entry the manifest declares."""
    entries = {}
    for entry in [*manifest.get("models", []), *manifest.get("files", [])]:
        path = entry.get("path", "")
        if not safe_name(path) or not path.startswith(("data/", "files/")):
            raise ArchiveRefused(_("The archive names an unsafe entry: %(name)s") % {"name": path})
        entries[path] = entry.get("sha256")
    return entries


def check_entries(archive, manifest):
    """Every entry present, listed and unchanged: a tampered or damaged archive is refused
    with the entry named, before anything is written."""
    expected = listed_entries(manifest)
    for name in archive.namelist():
        if name != MANIFEST and name not in expected:
            raise ArchiveRefused(
                _("The archive holds an entry its manifest does not list: %(name)s")
                % {"name": name}
            )
    for name, sha256 in sorted(expected.items()):
        try:
            source = archive.open(name)
        except KeyError:
            raise ArchiveRefused(
                _("The archive lacks an entry its manifest lists: %(name)s") % {"name": name}
            ) from None
        digest = hashlib.sha256()
        with source:
            for data in chunks(source):
                digest.update(data)
        if digest.hexdigest() != sha256:
            raise ArchiveRefused(
                _("The archive's entry %(name)s does not match its SHA-256 in the manifest.")
                % {"name": name}
            )
    for entry in manifest.get("files", []):
        model = known_model(entry.get("model"))
        stored = next((f for f in file_fields(model) if f.name == entry.get("field")), None)
        name = entry.get("name", "")
        if stored is None or not safe_name(name) or entry["path"] != file_path(model, stored, name):
            raise ArchiveRefused(
                _("The archive names an unsafe file: %(name)s") % {"name": name or entry["path"]}
            )


def known_model(label):
    try:
        return apps.get_model(label or "")
    except (LookupError, ValueError):
        raise ArchiveRefused(
            _("The archive holds a model this portal does not know: %(model)s") % {"model": label}
        ) from None


def check_empty(force):
    users = get_user_model()._base_manager.count()
    if users and not force:
        raise ArchiveRefused(
            _(
                "This instance already holds data (%(count)s user accounts). An import replaces "
                "everything: import into a freshly migrated database, or confirm the "
                "replacement with --force."
            )
            % {"count": users}
        )


def import_archive(source, *, force=False):
    """Import the archive at `source` (a path or a file); answers an ImportSummary."""
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        message = _("The file is no ZIP archive: %(error)s") % {"error": error}
        raise ArchiveRefused(message) from None
    with archive:
        manifest = read_manifest(archive)
        check_schema(manifest)
        check_entries(archive, manifest)
        check_empty(force)
        written = []
        try:
            with transaction.atomic():
                summary = load(archive, manifest, written)
        except BaseException:
            for storage, name in written:
                storage.delete(name)
            raise
    return summary


def load(archive, manifest, written):
    names = restore_files(archive, manifest, written)
    loaded = [known_model(entry["model"]) for entry in manifest.get("models", [])]
    discard(set(archived_models()) | set(loaded))
    natural_keys = NaturalKeys()
    summary = ImportSummary()
    for entry, model in zip(manifest.get("models", []), loaded, strict=True):
        count = load_rows(archive, entry, model, natural_keys, names)
        summary.models += 1
        summary.rows += count
        if is_history(model):
            summary.history_rows += count
    summary.files = len({entry["path"] for entry in manifest.get("files", [])})
    connection.check_constraints(table_names=[model._meta.db_table for model in loaded])
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
            cursor.execute(statement)
    search_index.rebuild()
    return summary


def is_history(model):
    return any(f.name == "history_date" for f in model._meta.local_fields)


def discard(models):
    """Empty the tables the archive fills (and what belongs to the replaced data): the rows
    the migrations created give way to the archive's. Foreign keys are checked at commit."""
    models = models | {apps.get_model(label) for label in DISCARDED_ON_IMPORT}
    with connection.cursor() as cursor:
        for model in sorted(models, key=lambda m: m._meta.label):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a model's own table name)


def restore_files(archive, manifest, written):
    """Put every file into its field's storage; answers {(model, pk, field): stored name} for
    the names the storage changed (a file of that name was there already, with other bytes)."""
    names = {}
    for entry in manifest.get("files", []):
        model = known_model(entry["model"])
        storage = model._meta.get_field(entry["field"]).storage
        name = entry["name"]
        if storage.exists(name) and same_bytes(storage, name, entry["sha256"]):
            continue
        # Copied out first: storages (S3) ask for the size and seek, which archive entries do
        # not answer reliably.
        with archive.open(entry["path"]) as content, tempfile.TemporaryFile() as spool:
            shutil.copyfileobj(content, spool, CHUNK_BYTES)
            spool.seek(0)
            stored = storage.save(name, File(spool, name=name))
        written.append((storage, stored))
        if stored != name:
            names[(entry["model"], str(entry["pk"]), entry["field"])] = stored
    return names


def same_bytes(storage, name, sha256):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stored:
        for data in chunks(stored):
            digest.update(data)
    return digest.hexdigest() == sha256


def rows_of(archive, path):
    """The rows of a data entry, one a line, read a line at a time."""
    with archive.open(path) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            line = line.strip().rstrip(",")
            if line not in ("", "[", "]"):
                yield json.loads(line)


def load_rows(archive, entry, model, natural_keys, names):
    label = model._meta.label
    expected = label.lower()
    stored_fields = file_fields(model)
    count = 0
    chunk = []
    for row in rows_of(archive, entry["path"]):
        if row.get("model") != expected:
            raise ArchiveRefused(
                _("The archive's entry %(name)s holds a row of another model.")
                % {"name": entry["path"]}
            )
        missing = resolve_natural_keys(model, row, natural_keys)
        if missing:
            raise ArchiveRefused(
                _("The archive refers to permissions or types this portal lacks: %(keys)s")
                % {"keys": ", ".join(missing)}
            )
        for stored_field in stored_fields:
            stored = names.get((label, str(row["pk"]), stored_field.name))
            if stored:
                row["fields"][stored_field.name] = stored
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            count += save_rows(chunk)
            chunk = []
    count += save_rows(chunk)
    if count != entry.get("rows"):
        raise ArchiveRefused(
            _("The archive's entry %(name)s holds %(count)s rows, its manifest says %(rows)s.")
            % {"name": entry["path"], "count": count, "rows": entry.get("rows")}
        )
    return count


def save_rows(rows):
    for deserialized in python_serializer.Deserializer(rows):
        deserialized.save(force_insert=True)
    return len(rows)
