"""Lists of related entries on detail pages, cut to their first rows so that a page weighs the
same whether an entry has three related entries or three thousand; the rest are in the related
register's list, filtered to the entry."""

from django.core.exceptions import EmptyResultSet
from django.db.models.expressions import RawSQL

SHOWN = 10


class FirstEntries:
    """The first SHOWN entries of `queryset` and how many there are in all, read in one query:
    every row carries the total, counted by a subquery the database runs once. (A window count
    carried every matching row, joins and columns, through the query before the first SHOWN
    were cut: 4 ms for 1,500 overdue treatment actions.)"""

    def __init__(self, queryset, list_url=""):
        try:
            rows = list(total_of(queryset)[:SHOWN])
        except EmptyResultSet:  # a filter that matches nothing, known before any query
            rows = []
        self.rows = rows
        self.total = rows[0].related_total if rows else 0
        self.more = self.total > len(rows)
        # The related register's list filtered to the entry: every entry, SHOWN or not.
        self.list_url = list_url

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __bool__(self):
        return bool(self.rows)


class Rows(FirstEntries):
    """FirstEntries over rows at hand (a compiled list, or the first rows of several registers
    merged): `shown=None` keeps them all."""

    def __init__(self, rows, total=None, list_url="", shown=SHOWN):
        self.rows = rows[:shown]
        self.total = len(rows) if total is None else total
        self.more = self.total > len(self.rows)
        self.list_url = list_url


def count_sql(queryset):
    """(SQL, parameters) of a SELECT counting the queryset's rows as `count()` would (a distinct
    or grouped queryset too), without its order or the joins and columns of its rows. Raises
    EmptyResultSet for a filter that matches nothing."""
    # Only SQL compiled by the ORM, its values passed as parameters.
    sql, params = queryset.order_by().values("pk").query.get_compiler(queryset.db).as_sql()
    return f"SELECT COUNT(*) FROM ({sql}) AS counted", params  # noqa: S608


def total_of(queryset):
    """The queryset with `related_total`: how many rows it holds (`count_sql`)."""
    return queryset.annotate(related_total=RawSQL(*count_sql(queryset)))  # noqa: S611
