"""Base table for register lists, and the query plan derived from a table's columns."""

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist


class RegisterTable(tables.Table):
    class Meta:
        template_name = "components/table.html"
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = " "  # the template shows its own empty state


def optimize(queryset, table_class):
    """select_related / prefetch_related exactly the relations the table's columns show,
    so the number of queries does not grow with the number of rows."""
    select, prefetch = set(), set()
    for name, column in table_class.base_columns.items():
        accessor = str(column.accessor or name).replace(".", "__")
        first = accessor.split("__")[0]
        try:
            model_field = queryset.model._meta.get_field(first)
        except FieldDoesNotExist:
            continue
        if model_field.many_to_many or model_field.one_to_many:
            prefetch.add(first)
        elif model_field.is_relation:
            select.add(first)
    return queryset.select_related(*select).prefetch_related(*prefetch)
