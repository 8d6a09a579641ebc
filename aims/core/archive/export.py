"""Writing an archive: row by row and file by file, so that no register is held in memory.

`ArchiveWriter(out, by=...).steps()` yields after every chunk written; the command runs it
through, the download view sends what each step wrote. `out` needs no `seek`: a response can
be the target.
"""

import datetime
import hashlib
import json
import zipfile
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from aims.core.archive import FORMAT, FORMAT_VERSION, MANIFEST
from aims.core.archive.contents import (
    EXCLUDED,
    REBUILT,
    NaturalKeys,
    RowSerializer,
    archived_models,
    chunks,
    data_path,
    file_fields,
    file_path,
    schema_state,
)

CHUNK_ROWS = 1000


class LosslessEncoder(DjangoJSONEncoder):
    """Times with their microseconds (Django's encoder keeps milliseconds only): history dates
    and decision times come back exactly."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def portal_version():
    try:
        return version("aims-portal")
    except PackageNotFoundError:
        return "unknown"


class HashingWriter:
    """Writes through to an archive entry, counting bytes and hashing them."""

    def __init__(self, target):
        self.target = target
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.sha256.update(data)
        self.size += len(data)
        self.target.write(data)


@contextmanager
def consistent_reads():
    """On PostgreSQL, every model read from one snapshot (inside a transaction already, its
    snapshot). SQLite (development) reads without a transaction: the portal's IMMEDIATE
    transactions would lock out every writer meanwhile."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class ArchiveWriter:
    def __init__(self, out, *, by):
        self.out = out
        self.by = by
        self.manifest = None

    def steps(self):
        with consistent_reads(), zipfile.ZipFile(self.out, "w", zipfile.ZIP_DEFLATED) as archive:
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "portal_version": portal_version(),
                "exported_at": timezone.now().isoformat(),
                "exported_by": self.by,
                "database": connection.vendor,
                "migrations": schema_state(),
                "excluded": EXCLUDED,
                "rebuilt_on_import": list(REBUILT),
                "models": [],
                "files": [],
                "missing_files": [],
            }
            natural_keys = NaturalKeys()
            for model in archived_models():
                yield from self.write_rows(archive, model, natural_keys, manifest)
            for model in archived_models():
                for field in file_fields(model):
                    yield from self.write_files(archive, model, field, manifest)
            archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
        self.manifest = manifest
        yield

    def write_rows(self, archive, model, natural_keys, manifest):
        path = data_path(model)
        serializer = RowSerializer(natural_keys)
        rows = model._base_manager.order_by("pk").iterator(chunk_size=CHUNK_ROWS)
        count = 0
        with archive.open(path, "w", force_zip64=True) as entry:
            writer = HashingWriter(entry)
            writer.write(b"[")
            chunk = []
            for obj in rows:
                chunk.append(obj)
                if len(chunk) == CHUNK_ROWS:
                    count = self.write_chunk(writer, serializer, chunk, count)
                    chunk = []
                    yield
            count = self.write_chunk(writer, serializer, chunk, count)
            writer.write(b"\n]\n")
        manifest["models"].append(
            {
                "model": model._meta.label,
                "path": path,
                "rows": count,
                "sha256": writer.sha256.hexdigest(),
                "size": writer.size,
            }
        )
        yield

    @staticmethod
    def write_chunk(writer, serializer, chunk, count):
        """One row a line, so that the import reads a line at a time."""
        for row in serializer.serialize(chunk):
            line = json.dumps(row, cls=LosslessEncoder, ensure_ascii=False, sort_keys=True)
            writer.write((",\n" if count else "\n").encode() + line.encode())
            count += 1
        return count

    def write_files(self, archive, model, field, manifest):
        stored = model._base_manager.exclude(**{field.name: ""}).exclude(**{field.name: None})
        written = {}  # rows sharing a stored file share its entry
        for pk, name in stored.order_by("pk").values_list("pk", field.name).iterator():
            path = file_path(model, field, name)
            entry = {"path": path, "model": model._meta.label, "pk": pk, "field": field.name}
            if path in written:
                manifest["files"].append({**entry, **written[path]})
                continue
            try:
                source = field.storage.open(name, "rb")
            except OSError:
                manifest["missing_files"].append(
                    {"model": model._meta.label, "pk": pk, "field": field.name, "name": name}
                )
                continue
            with source, archive.open(path, "w", force_zip64=True) as target:
                writer = HashingWriter(target)
                for data in chunks(source):
                    writer.write(data)
                    yield
            written[path] = {
                "name": name,
                "sha256": writer.sha256.hexdigest(),
                "size": writer.size,
            }
            manifest["files"].append({**entry, **written[path]})
            yield


def write_archive(out, *, by):
    """Write the whole archive to `out`; answers the manifest."""
    writer = ArchiveWriter(out, by=by)
    for _step in writer.steps():
        pass
    return writer.manifest
