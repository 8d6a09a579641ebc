"""Base table for register lists, and the query plan derived from a table's columns."""

from datetime import datetime

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage
from django.utils import timezone
from django_tables2.columns import library

from aims.core.fields import MultipleChoiceField


@library.register
class LocalDateTimeColumn(tables.DateTimeColumn):
    """Exports timestamps in the portal's time zone, as the page shows them (not in UTC)."""

    def value(self, value, **kwargs):
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        return super().value(value=value, **kwargs)


@library.register
class MultipleChoiceColumn(tables.Column):
    """Shows the labels of a MultipleChoiceField's codes."""

    @classmethod
    def from_field(cls, field, **kwargs):
        if isinstance(field, MultipleChoiceField):
            column = cls(**kwargs)
            column.model_field = field
            return column
        return None

    def render(self, value):
        return ", ".join(self.model_field.labels(value))

    def value(self, value):
        return self.render(value)


class RegisterTable(tables.Table):
    class Meta:
        template_name = "components/table.html"
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = " "  # the template shows its own empty state


def optimize(queryset, table_class):
    """select_related / prefetch_related exactly the relations the table's columns show (and
    the table's `prefetch`, for a column computed from several), so the number of queries does
    not grow with the number of rows."""
    select, prefetch = set(), set(getattr(table_class, "prefetch", ()))
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


def configure(table, request, per_page):
    """Sort and paginate from the request. Unlike django-tables2's RequestConfig, the page size
    is ours, not the visitor's: `?per_page=` must not dump a whole register into one page."""
    table.request = request
    order_by = request.GET.getlist(table.prefixed_order_by_field)
    if order_by:
        table.order_by = order_by
    try:
        page = int(request.GET.get(table.prefixed_page_field, 1))
    except ValueError:
        page = 1
    try:
        table.paginate(page=max(page, 1), per_page=per_page)
    except EmptyPage:
        table.paginate(page=table.paginator.num_pages, per_page=per_page)
    return table
