"""The whole AIMS exported, imported into a fresh database, exported again: both archives hold
the same rows, files, history and hashes; archives that are tampered with, from another
schema, with unsafe names, or meant for an instance holding data are refused.

The fresh database is a second SQLite file, or on PostgreSQL (DATABASE_URL) a database
aims_archive_<pid> on the same server, created and dropped here; migrate, import and export run
in it as separate processes, as on a new machine."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from aims.core.archive import MANIFEST
from aims.core.archive.restore import ArchiveRefused, import_archive
from aims.core.models import RoleChange

VOLATILE = ("exported_at", "exported_by")

VERIFY_HASHES = """
import json
from django.core.management import call_command
from aims.core.digests import canonical_sha256
from aims.impact.models import AssessmentDecision
from aims.inventory.models import AISystem
from controls.models import SoAVersion

versions = [v for v in SoAVersion.objects.all() if v.sha256]
decisions = list(AssessmentDecision.objects.all())
owned = [s for s in AISystem.objects.select_related("owner") if s.owner_id]
call_command("verify_evidence")
print("RESULT " + json.dumps({
    "soa_versions": len(versions),
    "soa_intact": all(v.intact for v in versions),
    "decisions": len(decisions),
    "decisions_intact": all(
        canonical_sha256(d.snapshot) == d.snapshot_sha256 for d in decisions
    ),
    "owned_systems": len(owned),
    "owners_see_their_systems": all(
        s.owner.has_perm("inventory.change_aisystem", s)
        and AISystem.objects.restrict(s.owner, "change").filter(pk=s.pk).exists()
        for s in owned
    ),
}))
"""


@contextmanager
def fresh_database(tmp_path):
    """The URL of an empty database beside the test database; dropped afterwards."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    params = connection.settings_dict
    name = f"aims_archive_{os.getpid()}"
    server = {
        "host": params["HOST"] or "127.0.0.1",
        "port": params["PORT"] or 5432,
        "user": params["USER"],
        "password": params["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    credentials = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    try:
        yield f"postgres://{credentials}@{server['host']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database_url, private_files, *args):
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "AIMS_PRIVATE_FILES": str(private_files),
        "DJANGO_SETTINGS_MODULE": "aims.settings",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def entries(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows_of(data):
    return json.loads(data)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def archive(demo, tmp_path):
    path = tmp_path / "aims.zip"
    call_command("export_aims", str(path), stdout=io.StringIO())
    return path


def rewrite(source, target, *, change=None, manifest=None, extra=()):
    """A copy of the archive with entries changed, the manifest changed, entries added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = old.read(name)
            if name == MANIFEST and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif change and name in change:
                data = change[name](data)
            new.writestr(name, data)
        for name, data in extra:
            new.writestr(name, data)
    return target


def test_a_round_trip_into_a_fresh_database_keeps_everything(archive, tmp_path):
    first = entries(archive)
    manifest = json.loads(first[MANIFEST])
    # The archive holds what the database holds, model by model.
    for entry in manifest["models"]:
        assert apps.get_model(entry["model"])._base_manager.count() == entry["rows"], entry
    assert manifest["files"], "the demo data has evidence files"
    for stored in manifest["files"]:
        assert sha256(settings.MEDIA_ROOT / stored["name"]) == stored["sha256"]

    fresh_files = tmp_path / "fresh-private"
    again = tmp_path / "again.zip"
    with fresh_database(tmp_path) as url:
        manage(url, fresh_files, "migrate", "-v", "0")
        imported = manage(url, fresh_files, "import_aims", str(archive))
        manage(url, fresh_files, "export_aims", str(again))
        checks = manage(url, fresh_files, "shell", "-v", "0", "-c", VERIFY_HASHES)
    second = entries(again)

    assert "Imported" in imported
    assert sorted(first) == sorted(second)
    rows = history_rows = with_user = 0
    for entry in manifest["models"]:
        before, after = rows_of(first[entry["path"]]), rows_of(second[entry["path"]])
        assert before == after, entry["model"]
        rows += len(before)
        if before and "history_date" in before[0]["fields"]:
            history_rows += len(before)
            assert all(row["fields"]["history_date"] for row in before)
            with_user += sum(1 for row in before if row["fields"]["history_user"])
    for stored in manifest["files"]:
        assert first[stored["path"]] == second[stored["path"]]
        assert sha256(fresh_files / stored["name"]) == stored["sha256"]
    restored = json.loads(second[MANIFEST])
    for key in VOLATILE:
        manifest.pop(key), restored.pop(key)
    assert manifest == restored

    verified = json.loads(checks.split("RESULT ", 1)[1])
    assert verified["soa_versions"] and verified["soa_intact"], verified
    assert verified["decisions"] and verified["decisions_intact"], verified
    assert verified["owned_systems"] and verified["owners_see_their_systems"], verified
    assert history_rows and rows > history_rows and with_user
    print(
        f"\nRound trip ({connection.vendor}): {len(manifest['models'])} models compared, "
        f"{rows} rows, {history_rows} history rows, {len(manifest['files'])} files, "
        f"{verified['soa_versions']} SoA versions and {verified['decisions']} impact decisions "
        f"with intact hashes, {verified['owned_systems']} owned systems still their owners'."
    )


def test_an_instance_holding_data_is_refused(archive):
    with pytest.raises(CommandError, match="already holds data"):
        call_command("import_aims", str(archive))


def test_forced_import_replaces_the_data_and_fires_no_side_effects(archive):
    get_user_model().objects.create_user("intruder")
    role_changes = RoleChange.objects.count()

    summary = import_archive(archive, force=True)

    manifest = json.loads(entries(archive)[MANIFEST])
    assert not get_user_model().objects.filter(username="intruder").exists()
    for entry in manifest["models"]:
        assert apps.get_model(entry["model"])._base_manager.count() == entry["rows"], entry
    assert RoleChange.objects.count() == role_changes
    assert summary.rows == sum(entry["rows"] for entry in manifest["models"])
    new_user = get_user_model().objects.create_user("after-import")
    assert new_user.pk > max(
        get_user_model().objects.exclude(pk=new_user.pk).values_list("pk", flat=True)
    )


def test_a_tampered_file_is_refused_naming_it(archive, tmp_path):
    manifest = json.loads(entries(archive)[MANIFEST])
    victim = manifest["files"][0]["path"]
    tampered = rewrite(archive, tmp_path / "t.zip", change={victim: lambda data: data + b"!"})

    with pytest.raises(ArchiveRefused, match=victim.replace(".", r"\.")):
        import_archive(tampered, force=True)


def test_a_tampered_register_is_refused_naming_it(archive, tmp_path):
    name = "data/risks.Risk.json"
    tampered = rewrite(
        archive, tmp_path / "t.zip", change={name: lambda data: data.replace(b"e", b"E", 1)}
    )
    with pytest.raises(CommandError, match=r"data/risks\.Risk\.json"):
        call_command("import_aims", str(tampered), force=True)


def test_an_archive_of_another_schema_is_refused(archive, tmp_path):
    def older(manifest):
        manifest["migrations"]["controls"] = ["0001_initial"]
        return manifest

    other = rewrite(archive, tmp_path / "o.zip", manifest=older)
    with pytest.raises(ArchiveRefused, match="different database schema.*controls"):
        import_archive(other, force=True)


@pytest.mark.parametrize("name", ["../../escape", "{absolute}", "evidence/../../escape"])
def test_unsafe_file_names_never_reach_the_storage(archive, tmp_path, name):
    name = name.format(absolute=tmp_path / "absolute-escape")
    payload = b"outside"
    path = f"files/controls.EvidenceRevision.file/{name}"

    def with_unsafe_file(manifest):
        manifest["files"].append(
            {
                "path": path,
                "model": "controls.EvidenceRevision",
                "pk": 1,
                "field": "file",
                "name": name,
                "sha256": hashlib.sha256(payload).hexdigest(),
                "size": len(payload),
            }
        )
        return manifest

    unsafe = rewrite(
        archive, tmp_path / "u.zip", manifest=with_unsafe_file, extra=[(path, payload)]
    )
    with pytest.raises(ArchiveRefused, match="unsafe"):
        import_archive(unsafe, force=True)
    media = Path(settings.MEDIA_ROOT)
    outside = (media.parent.parent / "escape", tmp_path / "absolute-escape", tmp_path / "escape")
    for escaped in outside:
        assert not escaped.exists()


def test_an_entry_the_manifest_does_not_list_is_refused(archive, tmp_path):
    extended = rewrite(archive, tmp_path / "e.zip", extra=[("files/unlisted", b"x")])
    with pytest.raises(ArchiveRefused, match="files/unlisted"):
        import_archive(extended, force=True)


def test_a_file_that_is_no_archive_is_refused(db, tmp_path):
    path = tmp_path / "not.zip"
    path.write_text("hello")
    with pytest.raises(CommandError, match="no ZIP archive"):
        call_command("import_aims", str(path))


def test_a_failed_import_leaves_no_files_behind(archive, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "empty-storage"
    manifest = json.loads(entries(archive)[MANIFEST])

    def short_by_one(manifest):
        manifest["models"][0]["rows"] += 1
        return manifest

    broken = rewrite(archive, tmp_path / "b.zip", manifest=short_by_one)
    with pytest.raises(ArchiveRefused, match="rows"):
        import_archive(broken, force=True)
    assert manifest["files"]
    left = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert left == []
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
