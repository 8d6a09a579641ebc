"""The bench's two organisations, each in a database of its own: "scaled" (seed_scale at the
bench's sizes) and "small" (seed_scale at SMALL), for the query-count comparison.

With DATABASE_URL naming PostgreSQL, the databases are `<name>_bench_scaled` and
`<name>_bench_small` on that server, made from a migrated template; otherwise SQLite files under
var/bench/. Each organisation has its own AIMS_VAR_DIR (evidence files). Children of the bench
(seeding, gunicorn, probes) get the environment of one organisation from `env()`.
"""

import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import dj_database_url

from aims.core.scale import Sizes

BASE_DIR = Path(__file__).resolve().parent.parent
# Three audits with 30 checklist items: enough for findings, so that the small organisation
# has nonconformities too and their pages are compared.
SMALL = Sizes(
    systems=10, risks=50, controls=10, evidence=10, soa=10, audits=3, checklist=30, history=50
)
NAMES = ("scaled", "small")


class Databases:
    def __init__(self, folder, reuse=False):
        self.folder = Path(folder)
        self.url = os.environ.get("DATABASE_URL", "")
        self.postgres = self.url.startswith(("postgres://", "postgresql://"))
        self.reuse = reuse
        secret = self.folder / "secret"
        self.folder.mkdir(parents=True, exist_ok=True)
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(50))
        self.secret = secret.read_text()

    def database_url(self, name):
        if self.postgres:
            parsed = dj_database_url.parse(self.url)
            return self.url.rsplit("/", 1)[0] + f"/{parsed['NAME']}_bench_{name}"
        return f"sqlite:///{self.folder / name}.sqlite3"

    def env(self, name):
        """The environment of a child working on organisation `name`: production settings
        (no DEBUG, so nothing keeps every query), on plain HTTP, mail kept in memory."""
        return {
            **os.environ,
            "DATABASE_URL": self.database_url(name),
            "AIMS_VAR_DIR": str(self.folder / f"{name}-var"),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": self.secret,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }

    def exists(self, name):
        if self.postgres:
            return self._database_exists(self._name(name))
        return (self.folder / f"{name}.sqlite3").exists()

    def prepare(self, sizes, log):
        """Migrates an empty template once, copies it for each organisation and seeds them;
        returns the seconds of seeding each (None: reused)."""
        if self.reuse and all(self.exists(name) for name in NAMES):
            return {name: None for name in NAMES}
        self.drop()
        self.run(["manage.py", "migrate", "--no-input", "-v0"], "template", log)
        seconds = {}
        for name, scale in (("small", SMALL), ("scaled", sizes)):
            self._copy_template(name)
            options = [f"--{field}={getattr(scale, field)}" for field in Sizes.names()]
            start = time.perf_counter()
            self.run(["manage.py", "seed_scale", *options], name, log)
            seconds[name] = time.perf_counter() - start
        self._drop_one("template")
        return seconds

    def drop(self):
        for name in (*NAMES, "template"):
            self._drop_one(name)

    def run(self, arguments, name, log):
        """`manage.py` (or another script of the project) in organisation `name`."""
        with open(log, "ab") as output:
            subprocess.run(  # noqa: S603 - our own interpreter and manage.py
                [sys.executable, *arguments],
                cwd=BASE_DIR,
                env=self.env(name),
                stdout=output,
                stderr=output,
                check=True,
            )

    def _copy_template(self, name):
        if self.postgres:
            self._execute(
                f'CREATE DATABASE "{self._name(name)}" TEMPLATE "{self._name("template")}"'
            )
        else:
            shutil.copyfile(self.folder / "template.sqlite3", self.folder / f"{name}.sqlite3")

    def _drop_one(self, name):
        if self.postgres:
            self._execute(f'DROP DATABASE IF EXISTS "{self._name(name)}" WITH (FORCE)')
        else:
            (self.folder / f"{name}.sqlite3").unlink(missing_ok=True)
            shutil.rmtree(self.folder / f"{name}-var", ignore_errors=True)

    def _name(self, name):
        return dj_database_url.parse(self.database_url(name))["NAME"]

    def _connect(self):
        import psycopg

        settings = dj_database_url.parse(self.url)
        return psycopg.connect(
            dbname="postgres",
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            autocommit=True,
        )

    def _execute(self, statement):
        with self._connect() as connection:
            connection.execute(statement)

    def _database_exists(self, database):
        with self._connect() as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [database]
            ).fetchone()
        return found is not None
