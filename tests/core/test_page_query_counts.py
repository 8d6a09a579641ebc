"""Every register's detail page and the dashboard cost a pinned number of queries
(query_counts.json: "page:<register>", "page:dashboard"), as the lists do under the register's
name. Measured on a small organisation from `seed_scale`; test_scaled_query_counts holds the
same organisation at scaled size to the same pins."""

import json
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core.models import User
from tests.conftest import REGISTER_IDS, REGISTERS
from tests.factories import REGISTER_FACTORIES

PINNED = json.loads((Path(__file__).parent / "query_counts.json").read_text())
# Small, but in the state of a scaled one: criteria active, SoA started, audits run.
SMALL = {
    "systems": 2,
    "risks": 40,
    "controls": 2,
    "evidence": 2,
    "soa": 42,
    "audits": 2,
    "checklist": 20,
    "history": 20,
}


@contextmanager
def seeded(django_db_blocker, media_root, sizes):
    """An organisation from `seed_scale` for a module's tests, rolled back after the last."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
    ):
        call_command("seed_scale", *(f"--{k}={v}" for k, v in sizes.items()), verbosity=0)
        yield
        transaction.set_rollback(True)


def page_queries(client, url):
    """Queries of a page's second request: the first fills the process's caches."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def detail_queries(client, register):
    # A record of the factories' kind, among the organisation's registers.
    obj = REGISTER_FACTORIES[register.model]()
    return page_queries(client, reverse(register.url_name("detail"), args=[obj.pk]))


def dashboard_queries(client):
    # Every register holds a record, so that every attention item and panel has work.
    for register in REGISTERS:
        REGISTER_FACTORIES[register.model]()
    return page_queries(client, reverse("core:dashboard"))


@pytest.fixture(scope="module")
def organisation(django_db_setup, django_db_blocker, tmp_path_factory):
    with seeded(django_db_blocker, tmp_path_factory.mktemp("small"), SMALL):
        yield


@pytest.fixture
def officer(organisation, db, client):
    client.force_login(User.objects.get(username="scale-compliance"))
    return client


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_detail_queries_are_pinned(officer, register):
    assert detail_queries(officer, register) == PINNED[f"page:{register.model_name}"]


def test_dashboard_queries_are_pinned(officer):
    assert dashboard_queries(officer) == PINNED["page:dashboard"]


def test_every_detail_page_is_pinned():
    assert {f"page:{name}" for name in REGISTER_IDS} <= set(PINNED)
