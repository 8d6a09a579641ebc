"""Every register list costs the same number of queries for 1 row and for 50, and every entry's
PDF the same for a short history and a long one, pinned in query_counts.json (update it
deliberately when a page legitimately changes; PDFs under "pdf:<register>")."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core import record_pdf
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
    assert {key for key in PINNED if ":" not in key} == set(REGISTER_IDS)


def pdf_queries(client, register, obj):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(register.url_name("pdf"), args=[obj.pk]))
    assert response.status_code == 200
    return len(captured)


def save_times(obj, times):
    for _ in range(times):
        obj.save()


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_pdf_queries_do_not_grow_with_the_history(client, auditor, register):
    client.force_login(auditor)
    obj = REGISTER_FACTORIES[register.model]()
    # More changes than the PDF lists: the longest history it prints.
    save_times(obj, record_pdf.HISTORY_ENTRIES)
    pdf_queries(client, register, obj)  # fills the process's caches (content types)
    listed_in_full = pdf_queries(client, register, obj)
    save_times(obj, 5)
    assert pdf_queries(client, register, obj) == listed_in_full
    assert listed_in_full == PINNED[f"pdf:{register.model_name}"]


def test_every_pdf_is_pinned():
    assert {key for key in PINNED if key.startswith("pdf:")} == {
        f"pdf:{name}" for name in REGISTER_IDS
    }
