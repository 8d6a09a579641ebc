"""Shared fixtures: one persona per role, plus a user without any role."""

import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction
from django.forms import model_to_dict
from django.utils import translation

from aims import celery_app
from aims.core import roles
from aims.core.registry import registry
from tests.factories import REGISTER_FACTORIES, UserFactory

PERSONAS = {
    "compliance_officer": roles.COMPLIANCE_OFFICER,
    "ai_officer": roles.AI_OFFICER,
    "system_owner": roles.SYSTEM_OWNER,
    "auditor": roles.AUDITOR,
    "internal_auditor": roles.INTERNAL_AUDITOR,
    "administrator": roles.ADMINISTRATOR,
    "no_role": None,
}


def pytest_configure(config):
    """Parallel test processes (pytest-xdist) share one Redis: each keeps its own cache keys
    and its own task queue, so that one process's worker never runs another's tasks."""
    process = os.environ.get("PYTEST_XDIST_WORKER")
    if process:
        django_settings.CACHES["default"]["KEY_PREFIX"] = process
        celery_app.conf.task_default_queue = f"celery-{process}"


@pytest.fixture
def make_user(db):
    def make(persona, **kwargs):
        return UserFactory(username=persona, role=PERSONAS[persona], **kwargs)

    return make


@pytest.fixture
def compliance_officer(make_user):
    return make_user("compliance_officer")


@pytest.fixture
def ai_officer(make_user):
    return make_user("ai_officer")


@pytest.fixture
def system_owner(make_user):
    return make_user("system_owner")


@pytest.fixture
def auditor(make_user):
    return make_user("auditor")


@pytest.fixture
def internal_auditor(make_user):
    return make_user("internal_auditor")


def client_for(client, user):
    client.force_login(user)
    return client


def form_payload(register, obj, user):
    """What a user would post to save `obj` through the register's form."""
    form = register.form(instance=obj, user=user)
    data = model_to_dict(obj, fields=list(form.fields))
    payload = {}
    for name, value in data.items():
        if value is None:
            payload[name] = ""
        elif hasattr(value, "isoformat"):
            payload[name] = value.isoformat()
        elif isinstance(value, list):  # many-to-many: objects → their keys
            payload[name] = [getattr(item, "pk", item) for item in value]
        else:
            payload[name] = value
    # Form fields that are not model fields (a criteria scale's rows) post their initial value.
    for name in form.fields:
        if name not in data and name != "loaded_version":
            value = form[name].value()
            payload[name] = "" if value is None else value
    payload["loaded_version"] = obj.version if obj.pk else ""
    return payload


def new_object_payload(register, user):
    """A valid create payload: built from a factory object that is then removed."""
    obj = REGISTER_FACTORIES[register.model]()
    payload = form_payload(register, obj, user)
    payload["loaded_version"] = ""
    payload.pop("reference", None)
    obj.delete()
    return payload


REGISTERS = list(registry)
REGISTER_IDS = [r.model_name for r in REGISTERS]
# Registers edited through a form (classifications and imports are records of a workflow).
FORM_REGISTERS = [r for r in REGISTERS if r.form is not None]
FORM_REGISTER_IDS = [r.model_name for r in FORM_REGISTERS]
# Registers some role adds entries to; not a fixed set such as the Art. 73 reporting periods,
# whose cases administrators change but nobody adds or deletes.
ADD_REGISTERS = [r for r in FORM_REGISTERS if any("add" in a for a in r.roles.values())]
ADD_REGISTER_IDS = [r.model_name for r in ADD_REGISTERS]


@pytest.fixture
def editor(make_user):
    """Who edits a register: the compliance officer, or the administrator where only they may."""

    def editor_of(register):
        persona = (
            "compliance_officer"
            if "change" in register.roles[roles.COMPLIANCE_OFFICER]
            else "administrator"
        )
        return make_user(persona)

    return editor_of


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The demo organisation, seeded once for a module of read-only tests and rolled back
    after it."""
    with django_db_blocker.unblock(), translation.override("en"), transaction.atomic():
        call_command("seed_demo", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def english_by_default():
    """A request in German leaves German active in its thread: every test starts in English."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Uploads of a test go to its own folder, not to the installation's var/."""
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def no_refused_api_tokens_counted():
    """Refused API token attempts are counted in the cache (Redis in CI), which outlives a
    test's database: every test starts without a count for the test client's address."""
    from aims.core.api.tokens import forget_failures

    forget_failures("127.0.0.1")


@pytest.fixture
def ai_act_obligations(db):
    """The shipped obligations (a migration loads them; transactional tests flush them)."""
    from aims.inventory.models import AIActObligation
    from aims.inventory.obligations import load_obligations

    if not AIActObligation.objects.exists():
        load_obligations(AIActObligation)


@pytest.fixture(scope="session", autouse=True)
def broker_folder(tmp_path_factory):
    """One filesystem queue for the whole session (unless the broker is Redis): what tests
    queue never lands in the installation's var/celery, whose worker would send it. Set
    before anything is queued, since the app's producer pool keeps its first options."""
    folder = tmp_path_factory.mktemp("broker")
    (folder / "queue").mkdir()
    if not django_settings.REDIS_URL:
        queue = str(folder / "queue")
        celery_app.conf.broker_transport_options = {
            "data_folder_in": queue,
            "data_folder_out": queue,
            "control_folder": str(folder),
            "store_processed": False,
        }
        celery_app._pool = celery_app.amqp._producer_pool = None
    return folder


def use_result_backend(url):
    """Point the app at a result backend and drop the one it built before: the app keeps its
    first backend per thread (a disabled one, once anything was queued without a backend)."""
    celery_app.conf.result_backend = url
    celery_app._backend_cache = None
    vars(celery_app._local).pop("backend", None)


@pytest.fixture
def worker(broker_folder, transactional_db):
    """A real worker thread on the configured broker (Redis in CI, else the filesystem)."""
    # Results stay in this process, where the worker thread runs, so a test can wait for a task.
    use_result_backend("cache+memory://")
    # Whatever earlier tests queued without a worker (an e-mail after a commit) would run here
    # against this test's database.
    celery_app.control.purge()
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        use_result_backend(None)


@pytest.fixture
def tasks_in_process():
    """The worker's tasks run at once in the test's own process and transaction, where the
    wizard's tests need no real worker (the worker tests in tests/core/test_import_worker.py
    run them in one)."""
    celery_app.conf.task_always_eager = True
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = False


@pytest.fixture
def listener():
    """A real HTTP server on a free local port that counts every connection and records every
    request it receives: what a renderer must never reach."""
    requests = []

    class Recorder(BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    class CountingServer(ThreadingHTTPServer):
        connections = 0

        def verify_request(self, request, client_address):
            self.connections += 1
            return True

    server = CountingServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.requests = requests
    server.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()
