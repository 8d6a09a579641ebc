"""Base table for register lists, and the query plan derived from a table's columns."""

from datetime import date, datetime
from functools import cache, lru_cache

import django_tables2 as tables
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import EmptyPage
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_tables2.columns import library
from django_tables2.data import TableQuerysetData
from django_tables2.utils import A

from aims.core.fields import MultipleChoiceField
from aims.core.lean import without_json
from aims.core.table_html import table_html
from aims.core.table_rows import CompiledRows


class FormattedDateMixin:
    """Writes what django-tables2's date columns render from the template
    `{{ value|date:format|default:default }}`, without parsing that template for every cell."""

    def render(self, value, bound_column):
        text = formatted_date(
            value, self.date_format, get_language(), timezone.get_current_timezone_name()
        )
        return conditional_escape(text or bound_column.default)


@lru_cache(maxsize=4096)
def formatted_date(value, date_format, language, zone):
    """A date or timestamp as the date filter writes it in a language and time zone (active
    when called): lists show the same dates page after page, and Django parses the format
    anew for each."""
    return date_filter(timezone.template_localtime(value), date_format)


@library.register
class LocalDateColumn(FormattedDateMixin, tables.DateColumn):
    """Shows a date in the reader's format; exports the date itself, which the export writes
    in the same format (CSV) or as a date cell (XLSX)."""

    def __init__(self, format=None, short=True, **kwargs):
        super().__init__(format, short, **kwargs)
        self.date_format = format or ("SHORT_DATE_FORMAT" if short else "DATE_FORMAT")

    def value(self, value, **kwargs):
        if isinstance(value, date):
            return value
        return super().value(value=value, **kwargs)


# Registered after LocalDateColumn so that it wins for DateTimeField, a DateField subclass.
@library.register
class LocalDateTimeColumn(FormattedDateMixin, tables.DateTimeColumn):
    """Shows a timestamp in the reader's format; exports it in the portal's time zone (not
    in UTC), as the page shows it."""

    def __init__(self, format=None, short=True, **kwargs):
        super().__init__(format, short, **kwargs)
        self.date_format = format or ("SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT")

    def value(self, value, **kwargs):
        if isinstance(value, datetime):
            return timezone.localtime(value)
        return super().value(value=value, **kwargs)


@library.register
class YesNoColumn(tables.BooleanColumn):
    """Exports a yes/no field as "Yes" or "No" in the reader's language, not True/False."""

    def _get_bool_value(self, record, value, bound_column):
        # As django-tables2's, with the model field's choices looked up once per model rather
        # than for every cell.
        if hasattr(record, "_meta"):
            choices = field_choices(type(record), str(bound_column.accessor))
            if choices:
                value = next(val for val, name in choices if name == value)
        return bool(value)

    def render(self, value, record, bound_column):
        # The cell is one of two spans: each written once per table.
        value = self._get_bool_value(record, value, bound_column)
        spans = self.__dict__.setdefault("_spans", {})
        if value not in spans:
            spans[value] = super().render(value, None, bound_column)
        return spans[value]

    def value(self, record, value, bound_column):
        return _("Yes") if self._get_bool_value(record, value, bound_column) else _("No")


@cache
def field_choices(model, accessor):
    """The choices of the model field an accessor ends at, as BooleanColumn reads them."""
    field = A(accessor).get_field(model)
    choices = getattr(field, "choices", None)
    return tuple(choices) if choices else ()


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
    # Relations to join for `group` (select_related), beyond those the columns show.
    select = ()
    # The list's own order (e.g. catalogue order with NULLs first), instead of the model's.
    ordering = ()
    # Read a page by its keys first (`KeyedPages`): for a list ordered by a related entry's
    # columns, where the database would otherwise sort every row whole, with all it joins.
    keyed_pages = False

    class Meta:
        template_name = "core/table.html"
        attrs = {"class": "table table-sm table-hover align-middle"}
        empty_text = " "  # the template shows its own empty state

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.keyed_pages and isinstance(self.data, TableQuerysetData):
            self.data = KeyedPages(self.data.data)
            self.data.set_table(self)
        # Cells from a plan compiled once per table class (aims/core/table_rows.py).
        self.rows = CompiledRows(data=self.data, table=self, pinned_data=self.pinned_data)
        # Headers are the verbose names capitalised, also where a column names its own
        # (django-tables2 capitalises only those it takes from the model).
        for bound_column in self.columns.iterall():
            column = bound_column.column
            if column.verbose_name and not isinstance(column.verbose_name, SafeData):
                column.verbose_name = capfirst(column.verbose_name)

    def group(self, record):
        """The groups a row belongs to, outermost first, as (key, heading) pairs (an Annex A
        objective, then its sub-objective): a heading row is drawn where a key changes, while
        the list is in its own order. () for no groups."""
        return ()

    @property
    def html(self):
        return table_html(self)

    @property
    def grouped_rows(self):
        """(headings that start here as (level, heading), row) for each row of the page."""
        previous = ()
        for row in self.paginated_rows:
            path = () if self.order_by else tuple(self.group(row.record))
            keys = [key for key, _heading in path]
            unchanged = 0
            while unchanged < min(len(keys), len(previous)) and (
                keys[unchanged] == previous[unchanged]
            ):
                unchanged += 1
            headings = [(level, path[level][1]) for level in range(unchanged, len(path))]
            previous = keys
            yield headings, row


class KeyedPages(TableQuerysetData):
    """A page is read in two steps within one query: the keys of its rows in the list's order
    (a sort of narrow rows), then those rows with everything they join, sorted again."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self.data.filter(pk__in=self.data.values("pk")[key])
        return super().__getitem__(key)


class SelectColumn(tables.Column):
    """A checkbox per row that the user may change, for the bulk edit form (`bulk-edit-form`)
    of the list page; the header selects every row of the page."""

    def __init__(self, **kwargs):
        super().__init__(
            accessor="pk",
            orderable=False,
            exclude_from_export=True,
            verbose_name="",
            attrs={"th": {"class": "register-select"}, "td": {"class": "register-select"}},
            **kwargs,
        )

    @property
    def header(self):
        return format_html(
            '<input class="form-check-input" type="checkbox" data-select-all="pk" aria-label="{}">',
            _("Select all entries on this page"),
        )

    def render(self, record, table):
        changeable = getattr(table, "changeable", None)
        if changeable is not None and record.pk not in changeable:
            return ""
        return format_html(
            '<input class="form-check-input" type="checkbox" name="pk" value="{}" '
            'form="bulk-edit-form" aria-label="{}">',
            record.pk,
            _("Select %(entry)s") % {"entry": record},
        )


def optimize(queryset, table_class):
    """select_related / prefetch_related exactly the relations the table's columns show (and
    the table's `prefetch`, for a column computed from several), so the number of queries does
    not grow with the number of rows; JSON that no column shows is not read (aims/core/lean.py).
    A table's `annotate(queryset)`, if any, adds what its columns compute in SQL."""
    select = set(getattr(table_class, "select", ()))
    prefetch = set(getattr(table_class, "prefetch", ()))
    shown = set()
    for name, column in table_class.base_columns.items():
        accessor = str(column.accessor or name)
        shown.add(accessor.replace(".", "__"))
        path, many = relation_path(queryset.model, accessor)
        if path:
            (prefetch if many else select).add(path)
    if select:  # select_related() of nothing would join every required relation
        queryset = queryset.select_related(*select)
    queryset = without_json(queryset, select, shown)
    queryset = queryset.prefetch_related(*prefetch)
    if annotate := getattr(table_class, "annotate", None):
        queryset = annotate(queryset)
    ordering = getattr(table_class, "ordering", ())
    return queryset.order_by(*ordering) if ordering else queryset


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
