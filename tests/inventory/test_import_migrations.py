"""The AI-system import's saved column mappings survive their move to core."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("inventory", "0002_ai_act_obligations"), ("core", "0003_savedcolumnmapping")]
AFTER = [("inventory", "0003_move_saved_column_mappings")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_saved_column_mappings_move_to_core_for_the_ai_system_register():
    try:
        apps = migrate(BEFORE)
        apps.get_model("inventory", "SavedColumnMapping").objects.create(
            header="system label", field="name"
        )

        apps = migrate(AFTER)

        moved = apps.get_model("core", "SavedColumnMapping").objects.values_list(
            "register", "header", "field"
        )
        assert list(moved) == [("inventory.aisystem", "system label", "name")]

        apps = migrate(BEFORE)  # and back again
        kept = apps.get_model("inventory", "SavedColumnMapping").objects.values_list(
            "header", "field"
        )
        assert list(kept) == [("system label", "name")]
        assert not apps.get_model("core", "SavedColumnMapping").objects.exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
