"""No page issues more queries at scaled size than at small size: every register's list and
detail page, the dashboard, the SoA and the risk register, on one scaled organisation seeded
once for the module, against the small-size pins of query_counts.json."""

import pytest
from django.urls import reverse

from aims.core.models import User
from risks.models import Risk
from tests.conftest import REGISTER_IDS, REGISTERS
from tests.core.test_page_query_counts import (
    PINNED,
    dashboard_queries,
    detail_queries,
    page_queries,
    seeded,
)
from tests.factories import REGISTER_FACTORIES

SCALED = {
    "systems": 60,
    "risks": 600,
    "controls": 100,
    "evidence": 100,
    "soa": 100,
    "audits": 5,
    "checklist": 100,
    "history": 500,
}


@pytest.fixture(scope="module")
def organisation(django_db_setup, django_db_blocker, tmp_path_factory):
    with seeded(django_db_blocker, tmp_path_factory.mktemp("scaled"), SCALED):
        yield


@pytest.fixture
def officer(organisation, db, client):
    client.force_login(User.objects.get(username="scale-compliance"))
    return client


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_list_queries_at_scale(officer, register):
    # A register the scaled organisation leaves empty gets a row: an empty list skips the
    # queries of its rows.
    if not register.model._default_manager.exists():
        REGISTER_FACTORIES[register.model]()
    url = reverse(register.url_name("list"))
    assert page_queries(officer, url) == PINNED[register.model_name]


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_detail_queries_at_scale(officer, register):
    assert detail_queries(officer, register) == PINNED[f"page:{register.model_name}"]


def test_dashboard_queries_at_scale(officer):
    assert dashboard_queries(officer) == PINNED["page:dashboard"]


def test_the_organisation_is_scaled(organisation, db):
    assert Risk.objects.count() == SCALED["risks"]
