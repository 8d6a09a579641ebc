"""With Redis down the portal keeps working and loses nothing: a real Redis server is stopped
during a request that notifies, started again, and the sweep then delivers every e-mail once."""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from aims import celery_app
from aims.context.models import AIPolicy
from aims.core.models import Notification, OutgoingMail
from aims.core.tasks import send_review_reminders
from tests.conftest import use_result_backend
from tests.impact.test_workflow import client_of, draft_by

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, on a free port, without persistence."""

    def __init__(self, tmp_path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _attempt in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_server(tmp_path, settings):
    """The Celery app pointed at a Redis server of its own (the session's broker after)."""
    if not shutil.which(REDIS_SERVER):
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    conf = celery_app.conf
    saved = (conf.broker_url, conf.broker_transport_options, celery_app._pool)
    saved_producers = celery_app.amqp._producer_pool
    settings.CELERY_BROKER_URL = server.url
    conf.broker_url, conf.broker_transport_options = server.url, {}
    celery_app._pool = celery_app.amqp._producer_pool = None
    use_result_backend("cache+memory://")
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
        use_result_backend(None)
        conf.broker_url, conf.broker_transport_options, celery_app._pool = saved
        celery_app.amqp._producer_pool = saved_producers


def test_with_redis_down_a_request_succeeds_and_the_next_sweep_delivers_once(
    redis_server, transactional_db, compliance_officer, ai_officer
):
    policy = AIPolicy.objects.create(
        title="AI policy",
        content="Text",
        status=AIPolicy.Status.APPROVED,
        next_review=timezone.localdate() + timedelta(days=3),
    )
    redis_server.stop()

    # Submitting an impact assessment tells the AI officer, with the broker gone.
    assessment = draft_by(compliance_officer)
    response = client_of(compliance_officer).post(reverse("impact:submit", args=[assessment.pk]))
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=ai_officer).count() == 1
    assert OutgoingMail.objects.filter(recipient=ai_officer, sent_at__isnull=True).count() == 1
    # The scheduler cannot queue the sweep either, while Redis is down.
    with pytest.raises(OperationalError):
        send_review_reminders.apply_async(retry=False)
    assert mail.outbox == []

    redis_server.start()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        first = send_review_reminders.apply_async(ignore_result=False).get(timeout=30)
        second = send_review_reminders.apply_async(ignore_result=False).get(timeout=30)

    assert (first["digests"], first["sent"]) == (1, 2)
    assert (second["digests"], second["sent"]) == (0, 0)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [ai_officer.email, compliance_officer.email]
    )
    [digest] = [message for message in mail.outbox if message.to == [compliance_officer.email]]
    assert f"{policy} (AI policy review): due soon" in digest.body
