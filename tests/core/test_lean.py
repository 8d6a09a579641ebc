"""Lists read no more than they show. They and dropdowns do not read the JSON of the records
they name (aims/core/lean.py): an approved review's snapshot or an SoA version's content runs to
hundreds of kilobytes, and decoding it for every row that names the review cost more than the
rest of the page. The registers of thousands read their first page from an index."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core.lean import json_fields
from aims.core.tables import optimize
from audits.models import ManagementReview
from controls.models import SoAVersion
from risks.models import RiskAcceptance, TreatmentAction
from tests.conftest import REGISTER_IDS, REGISTERS
from tests.factories import ManagementReviewFactory, ReviewActionFactory, ReviewDecisionFactory

# A snapshot of the size an approved review of a large organisation freezes.
SNAPSHOT = {"inputs": [{"reference": f"R-{n:05d}", "text": "x" * 200} for n in range(2_000)]}


def columns(sql, model, names):
    return [name for name in names if f'"{model._meta.db_table}"."{name}"' in sql]


def reached(model, select_related):
    """The models a select_related tree reaches, with their paths."""
    for name, below in select_related.items():
        related = model._meta.get_field(name).related_model
        yield name, related
        for path, further in reached(related, below):
            yield f"{name}__{path}", further


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_a_register_list_reads_only_the_json_its_columns_show(register):
    queryset = optimize(register.model._default_manager.all(), register.table)
    sql = str(queryset.query)
    table_columns = register.table.base_columns.items()
    shown = {str(c.accessor or n).replace(".", "__") for n, c in table_columns}
    own = [n for n in json_fields(register.model) if n not in shown]
    assert columns(sql, register.model, own) == []
    select_related = queryset.query.select_related
    for path, model in reached(register.model, select_related or {}):
        hidden = [n for n in json_fields(model) if f"{path}__{n}" not in shown]
        assert columns(sql, model, hidden) == [], path


@pytest.fixture
def approved_review(db):
    review = ManagementReviewFactory(status=ManagementReview.Status.CLOSED, snapshot=SNAPSHOT)
    ReviewActionFactory.create_batch(3, review=review)
    ReviewDecisionFactory.create_batch(3, review=review)
    return review


@pytest.mark.parametrize("url_name", ["audits:reviewaction_list", "audits:reviewdecision_list"])
def test_the_lists_that_name_a_review_do_not_read_its_snapshot(
    client, compliance_officer, approved_review, url_name
):
    client.force_login(compliance_officer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse(url_name))
    assert page.status_code == 200
    html = page.content.decode()
    # Named in every row, and offered by the list's filter.
    assert html.count(f">{approved_review}</a>") == 3
    assert f">{approved_review}</option>" in html
    read = [q["sql"] for q in queries if '"audits_managementreview"."snapshot"' in q["sql"]]
    assert read == []
    approved_review.refresh_from_db()
    assert approved_review.snapshot == SNAPSHOT


def test_the_soa_page_links_versions_without_reading_their_content(
    client, compliance_officer, ai_officer
):
    from controls import services
    from tests.factories import justify_soa_entries

    justify_soa_entries()
    version = services.soa_version_issue(user=compliance_officer, note="First issue")
    assert SoAVersion.objects.get(pk=version.pk).content
    client.force_login(compliance_officer)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("controls:soaentry_list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<a href="{version.get_absolute_url()}">v1</a>' in html
    assert "awaits approval by the AI officer" in html
    assert [q["sql"] for q in queries if '"controls_soaversion"."content"' in q["sql"]] == []


@pytest.mark.parametrize("model", [TreatmentAction, RiskAcceptance])
def test_registers_of_thousands_keep_an_index_in_their_list_order(model):
    """Their list's first page is read from the index in the list's order, not sorted from
    every row (with 6,700 treatment actions the sort cost a third of the page)."""
    ordering = [{"pk": "id", "-pk": "-id"}.get(name, name) for name in model._meta.ordering]
    assert any(list(index.fields) == ordering for index in model._meta.indexes)
