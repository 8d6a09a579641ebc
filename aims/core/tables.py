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
        path, many = relation_path(queryset.model, str(column.accessor or name))
        if path:
            (prefetch if many else select).add(path)
    return queryset.select_related(*select).prefetch_related(*prefetch)


def relation_path(model, accessor):
    """The relations an accessor such as "party.owner.username" crosses ("party__owner"),
    and whether one of them is to-many (then it must be prefetched)."""
    path, many = [], False
    for part in accessor.replace(".", "__").split("__"):
        try:
            model_field = model._meta.get_field(part)
        except FieldDoesNotExist:
            break
        if not model_field.is_relation:
            break
        path.append(part)
        many = many or model_field.many_to_many or model_field.one_to_many
        model = model_field.related_model
    return "__".join(path), many
