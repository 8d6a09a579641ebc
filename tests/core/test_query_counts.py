"""Every register list costs the same number of queries for 1 row and for 50, pinned in
query_counts.json (update it deliberately when a list legitimately changes)."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import REGISTER_IDS, REGISTERS
from tests.factories import REGISTER_FACTORIES

PINNED = json.loads((Path(__file__).parent / "query_counts.json").read_text())


def list_queries(client, register):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(register.url_name("list")))
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_list_queries_do_not_grow_with_rows(client, compliance_officer, register):
    client.force_login(compliance_officer)
    REGISTER_FACTORIES[register.model]()
    one_row = list_queries(client, register)
    REGISTER_FACTORIES[register.model].create_batch(49)
    fifty_rows = list_queries(client, register)
    assert one_row == fifty_rows
    assert fifty_rows == PINNED[register.model_name]


def test_every_list_is_pinned():
    assert set(PINNED) == set(REGISTER_IDS)
