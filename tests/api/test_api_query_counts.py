"""Every register's API list costs the same number of queries for 1 row and for 50, and an entry
the same whatever the register holds, pinned in tests/core/query_counts.json ("api:<register>"
for the list, "api-entry:<register>" for an entry; update them deliberately)."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.api.calls import api_url
from tests.conftest import REGISTER_IDS, REGISTERS
from tests.factories import REGISTER_FACTORIES

PINNED = json.loads((Path(__file__).parents[1] / "core" / "query_counts.json").read_text())


def queries(api, address):
    with CaptureQueriesContext(connection) as captured:
        response = api.get(address)
    assert response.status_code == 200, response.content.decode()[:500]
    return len(captured)


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_api_queries_do_not_grow_with_rows(compliance_officer, register):
    api = APIClient()
    api.force_login(compliance_officer)
    first = REGISTER_FACTORIES[register.model]()
    one_row = queries(api, api_url(register))
    entry_alone = queries(api, api_url(register, first))
    REGISTER_FACTORIES[register.model].create_batch(49)
    fifty_rows = queries(api, api_url(register))
    entry_among_many = queries(api, api_url(register, first))
    assert (one_row, entry_alone) == (fifty_rows, entry_among_many)
    name = register.model_name
    assert (fifty_rows, entry_among_many) == (PINNED[f"api:{name}"], PINNED[f"api-entry:{name}"])


def test_every_api_list_and_entry_is_pinned():
    pinned = {key for key in PINNED if key.startswith(("api:", "api-entry:"))}
    assert pinned == {f"{kind}:{name}" for name in REGISTER_IDS for kind in ("api", "api-entry")}
