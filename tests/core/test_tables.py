"""The query plan derived from a table's columns."""

import django_tables2 as tables

from aims.context.models import PartyRequirement
from aims.core.tables import RegisterTable, optimize, relation_path


def test_relation_paths_follow_the_whole_accessor():
    assert relation_path(PartyRequirement, "party__owner__username") == ("party__owner", False)
    assert relation_path(PartyRequirement, "title") == ("", False)


def test_optimize_joins_what_the_columns_show(db):
    class Table(RegisterTable):
        owner_name = tables.Column(accessor="party__owner__username")

        class Meta(RegisterTable.Meta):
            model = PartyRequirement
            fields = ("title", "party")

    queryset = optimize(PartyRequirement.objects.all(), Table)
    assert queryset.query.select_related == {"party": {"owner": {}}}
