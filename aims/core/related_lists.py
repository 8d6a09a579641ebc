"""Lists of related entries on detail pages, cut to their first rows so that a page weighs the
same whether an entry has three related entries or three thousand; the rest are in the related
register's list, filtered to the entry."""

from django.db.models import Count, Window

SHOWN = 10


class FirstEntries:
    """The first SHOWN entries of `queryset` and how many there are in all, read in one query
    (the total is a window count over the whole filtered set, carried by every row)."""

    def __init__(self, queryset, list_url=""):
        rows = list(queryset.annotate(related_total=Window(Count("*")))[:SHOWN])
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
