"""Register rows drawn from a plan made once per table class, not worked out per cell.

For every cell django-tables2 reads the signature of the render or value method
(`inspect.signature`), walks the column's accessor with an exception per attribute and looks
the model field up again; at thousands of cells per page or export that is most of the time
spent. Here each column of a table class is compiled once: the accessor's parts, the callable
that renders and the one that exports it, and which cell arguments each takes. Rows then call
those directly. The cells are django-tables2's own, value for value: `BoundRow` is the
reference the tests hold them against.
"""

from functools import partialmethod
from inspect import getattr_static

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import F, Prefetch, QuerySet
from django.templatetags.l10n import localize as localize_filter
from django.templatetags.l10n import unlocalize
from django.urls import NoReverseMatch, reverse
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.hashable import make_hashable
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import get_language
from django_tables2 import Column, ManyToManyColumn
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.rows import BoundRow, BoundRows
from django_tables2.utils import A, AttributeDict, computed_values, signature

from aims.core.models import TrackedModel

# What django-tables2 offers a render or value method, by keyword.
CELL_ARGUMENTS = frozenset(("value", "record", "column", "bound_column", "bound_row", "table"))


class Call:
    """Calls a function with the cell arguments it declares, as django-tables2's
    `call_with_appropriate` does, with the declaration read once."""

    def __init__(self, fn):
        names, catch_all = signature(fn)
        self.names = None if catch_all else names
        # A parameter no cell argument answers: django-tables2 then returns None uncalled.
        self.unanswerable = not catch_all and not CELL_ARGUMENTS.issuperset(names)
        # The most common declaration, called without building the arguments.
        self.value_only = self.names == ("value",)

    def __call__(self, fn, arguments):
        if self.names is None:
            return fn(**arguments)
        if self.unanswerable:
            return None
        return fn(**{name: arguments[name] for name in self.names})


class ColumnPlan:
    """What a column of a table class needs for each cell."""

    def __init__(self, bound_column):
        column = bound_column.column
        accessor = bound_column.accessor
        # Accessors with call arguments are rare; django-tables2 resolves those itself.
        self.simple = not (accessor.callable_args or accessor.callable_kwargs)
        path, _separator, self.remainder = accessor.rpartition(accessor.SEPARATOR)
        self.path = tuple(path.split(accessor.SEPARATOR)) if path else ()
        self.display_name = f"get_{self.remainder}_display"
        self.accessor = accessor
        self.fields = {}  # record class -> the model field the accessor ends at
        # (record class, penultimate's class) -> whether the cell shows a choice's label
        self.labelled = {}
        # (model class, language) -> (attribute, translated choice labels) of get_<x>_display
        self.labels = {}
        self.many = isinstance(column, ManyToManyColumn)
        # The record's attribute where `RelatedLists` puts the objects of a many-to-many column.
        self.listed = (
            LISTED.format(self.remainder) if self.many and self.simple and not path else None
        )
        self.text_link = isinstance(column, BaseLinkColumn)
        self.render = Call(bound_column.render)
        # Column.value only calls the column's own render with every argument it declares.
        self.exports_render = getattr(bound_column.value, "__func__", None) is Column.value
        self.value = Call(column.render if self.exports_render else bound_column.value)
        # Column.render returns the value as it is: so does the export.
        self.exports_value = (
            self.exports_render and getattr(column.render, "__func__", None) is Column.render
        )
        link = bound_column.link
        self.url = Call(link.url) if link is not None and callable(link.url) else None
        # linkify=True: the object named by the column (or the record) links to its own page.
        self.link_path = (
            tuple(A(link.accessor or bound_column.name).bits)
            if link is not None and self.url is None and not (link.url or link.reverse_args)
            else None
        )

    def field(self, record):
        model = type(record)
        if model not in self.fields:
            self.fields[model] = self.accessor.get_field(record)
        return self.fields[model]

    def shows_label(self, record, penultimate):
        """Whether the cell is the label of a choice, `get_<x>_display()` of the penultimate
        object of the accessor, as django-tables2 decides for each cell."""
        key = (type(record), type(penultimate))
        if key not in self.labelled:
            self.labelled[key] = (
                isinstance(penultimate, models.Model)
                and bool(getattr(self.field(record), "choices", ()))
                and hasattr(type(penultimate), self.display_name)
            )
        return self.labelled[key]

    def choice_labels(self, model):
        key = (model, get_language())
        if key not in self.labels:
            self.labels[key] = choice_labels(model, self.display_name)
        return self.labels[key]

    def display(self, instance, labels):
        """The instance's `get_<x>_display()`. Django's own builds and hashes the field's
        choices (a translation per lazy label) on every call: read them once per language;
        `labels` (the cell's) holds them for the table's language."""
        model = type(instance)
        if model not in labels:
            labels[model] = self.choice_labels(model)
        labels = labels[model]
        if labels is None:
            return getattr(instance, self.display_name)()
        attname, choices = labels
        return label_of(choices, getattr(instance, attname))


NO_LABEL = object()


def label_of(choices, value):
    """The label of a stored value among `choice_labels`' choices, as Django's
    `get_<x>_display()` gives it: the value itself when no choice has it."""
    try:
        label = choices.get(value, NO_LABEL)
    except TypeError:  # unhashable (a list in a JSON field): compared as Django does
        label = choices.get(make_hashable(value), NO_LABEL)
    return force_str(value, strings_only=True) if label is NO_LABEL else label


LISTED = "_listed_{}"
# The key of the record a related object of a page's many-to-many cell was read for.
RECORD_KEY = "_listed_record"


def choice_labels(model, display_name):
    """(attribute, {value: label in the active language}) behind Django's generated
    `get_<x>_display`, or None for a method the model defines itself or choices that a
    callable computes."""
    method = getattr_static(model, display_name, None)
    if not (isinstance(method, partialmethod) and method.func is models.Model._get_FIELD_display):
        return None
    field = method.keywords["field"]
    if not isinstance(field.choices, (list, tuple)):
        return None
    return field.attname, {
        make_hashable(value): force_str(label, strings_only=True)
        for value, label in field.flatchoices
    }


PLANS = {}


def plan_for(table, bound_column):
    column = bound_column.column
    key = (type(table), bound_column.name, type(column), str(bound_column.accessor))
    plan = PLANS.get(key)
    if plan is None:
        plan = PLANS[key] = ColumnPlan(bound_column)
    return plan


class Cell:
    """A column of one table instance with its plan and the attributes of its <td>."""

    def __init__(self, table, bound_column):
        self.bound_column = bound_column
        self.column = bound_column.column
        self.plan = plan_for(table, bound_column)
        attrs = {**table.attrs, **self.column.attrs}
        # Attributes computed from the cell are worked out per cell, as django-tables2 does.
        self.td_html = (
            None
            if has_callables(attrs.get("td", attrs.get("cell", {})))
            else bound_column.attrs["td"].as_html()
        )
        self.localize = bound_column.localize
        self.export_function = (
            self.column.render if self.plan.exports_render else bound_column.value
        )
        # Choice labels by model in the language of the table, which lives for one request.
        self.labels = {}


def has_callables(attrs):
    return any(
        callable(value) or (isinstance(value, dict) and has_callables(value))
        for value in attrs.values()
    )


def cells_of(table):
    """The table's cells by column name, made on first use (after the columns are settled)."""
    cells = table.__dict__.get("_cells")
    if cells is None:
        cells = table._cells = {
            bound_column.name: Cell(table, bound_column) for bound_column in table.columns.iterall()
        }
        table._shown_cells = [cells[bound_column.name] for bound_column in table.columns]
    return cells


def walk(current, bits):
    """Accessor.resolve without its handling of failure: the first of dictionary, attribute
    and index lookup that answers, callables called, stopping at None; raises otherwise."""
    for bit in bits:
        current = step(current, bit)
        if current is None:
            break
    return current


def step(current, bit):
    """One part of `walk`."""
    if hasattr(type(current), "__getitem__"):
        try:
            current = current[bit]
        except (TypeError, AttributeError, KeyError):
            try:
                current = getattr(current, bit)
            except (TypeError, AttributeError):
                current = current[int(bit)]
    else:
        current = getattr(current, bit)
    if callable(current):
        if getattr(current, "alters_data", False):
            raise ValueError(f"Refusing to call {current.__name__}()")
        if not getattr(current, "do_not_call_in_templates", False):
            current = current()
    return current


class LookupFailed(Exception):
    pass


def shown(value, localize_mode):
    """A cell as the table template writes it: `{{ cell }}`, or through the `localize` or
    `unlocalize` filter when the column says so."""
    if localize_mode is None:
        value = localize(template_localtime(value))
        return conditional_escape(value if isinstance(value, str) else str(value))
    return conditional_escape((localize_filter if localize_mode else unlocalize)(value))


class CompiledRow(BoundRow):
    """A row whose cells come from the table class's compiled plan."""

    def get_cell(self, name):
        return self._cell(cells_of(self._table)[name], exporting=False)

    def get_cell_value(self, name):
        return self._cell(cells_of(self._table)[name], exporting=True)

    @property
    def cells_html(self):
        """The row's <td> elements, as the library's per-cell template loop writes them."""
        cells_of(self._table)
        parts = []
        for cell in self._table._shown_cells:
            content = self._cell(cell, exporting=False)
            td_html = cell.td_html
            if td_html is None:
                cell.bound_column.current_value = content
                cell.bound_column.current_record = self._record
                td_html = cell.bound_column.attrs["td"].as_html()
            parts.append(f"<td {td_html}>{shown(content, cell.localize)}</td>")
        return mark_safe("".join(parts))  # noqa: S308 - attributes and cells escaped above

    def _cell(self, cell, exporting):
        """BoundRow._get_and_render_with from the plan: a choice field shows its label, an
        empty value the default (on the page; None in exports)."""
        record = self._record
        plan = cell.plan
        default = None if exporting else cell.bound_column.default
        if not (plan.simple and isinstance(record, models.Model)):
            library_render = self._call_value if exporting else self._call_render
            return self._get_and_render_with(cell.bound_column, library_render, default)
        render = self._export if exporting else self._render
        if plan.listed is not None and plan.listed in record.__dict__:
            items = RelatedItems(record.__dict__[plan.listed])
            return render(cell, items) if items else default
        remainder = plan.remainder
        value = None
        penultimate, failed = record, False
        if plan.path:
            try:
                penultimate = walk(record, plan.path)
            except Exception:
                penultimate, failed = None, True
        if plan.shows_label(record, penultimate):
            value = plan.display(penultimate, cell.labels)
            remainder = None
        if remainder:
            try:
                if failed:
                    raise LookupFailed
                # The full path stops where its first part did, at None or at an error.
                value = None if penultimate is None else step(penultimate, remainder)
            except Exception:
                if plan.text_link and cell.column.text is not None:
                    return render(cell, None)
        if value in cell.column.empty_values or (plan.many and not value.exists()):
            return default
        return render(cell, value)

    def _arguments(self, cell, value):
        return {
            "value": value,
            "record": self._record,
            "column": cell.column,
            "bound_column": cell.bound_column,
            "bound_row": self,
            "table": self._table,
        }

    def _render(self, cell, value):
        arguments = self._arguments(cell, value)
        content = cell.plan.render(cell.bound_column.render, arguments)
        link = cell.bound_column.link
        if not link:
            return content
        # LinkTransform.__call__ with the URL callable's signature and the accessor read once.
        if cell.plan.url is not None:
            href = cell.plan.url(link.url, arguments)
        elif cell.plan.link_path is not None:
            href = self._own_page(cell.plan.link_path)
        else:
            return link(content, **arguments)
        attrs = AttributeDict(computed_values(link.attrs or {}, kwargs=arguments))
        attrs["href"] = href
        if href is None:
            return content
        return format_html("<a {}>{}</a>", attrs.as_html(), content)

    def _own_page(self, path):
        target = walk(self._record, path)
        if not hasattr(target, "get_absolute_url"):
            if not hasattr(self._record, "get_absolute_url"):
                raise TypeError(f"for linkify=True, '{target}' must have a method get_absolute_url")
            target = self._record
        return own_page_url(self._table, target)

    def _export(self, cell, value):
        plan = cell.plan
        if plan.exports_value:
            return value
        if plan.value.value_only:
            return cell.export_function(value=value)
        return plan.value(cell.export_function, self._arguments(cell, value))


# A primary key no detail URL holds otherwise: reversed once, then replaced by each row's.
PK_MARK = "7319046528"


def own_page_url(table, target):
    """`target.get_absolute_url()`; TrackedModel's detail URL is reversed once per table and
    model (the table lives for one request, so its URL configuration and language hold)."""
    model = type(target)
    if model.get_absolute_url is not TrackedModel.get_absolute_url:
        return target.get_absolute_url()
    urls = table.__dict__.setdefault("_detail_urls", {})
    if model not in urls:
        name = f"{model._meta.app_label}:{model._meta.model_name}_detail"
        try:
            urls[model] = reverse(name, args=[PK_MARK]).split(PK_MARK)
        except NoReverseMatch:  # a key that is not a number
            urls[model] = ()
    if len(urls[model]) != 2:
        return target.get_absolute_url()
    before, after = urls[model]
    return f"{before}{target.pk}{after}"


class CompiledRows(BoundRows):
    """The table's rows as `CompiledRow`s, also when sliced into pages."""

    def __iter__(self):
        yield from self.generator_pinned_row(self.pinned_data.get("top"))
        for record in self.data:
            yield CompiledRow(record, table=self.table)
        yield from self.generator_pinned_row(self.pinned_data.get("bottom"))

    def __getitem__(self, key):
        if isinstance(key, slice):
            data = self.data[key]
            if isinstance(data, QuerySet):
                data = ListedPage(data, self.table)
            return CompiledRows(data=data, table=self.table, pinned_data=self.pinned_data)
        return CompiledRow(record=self.data[key], table=self.table)


class RelatedItems(list):
    """The related objects of a many-to-many cell in a list, answering what the column asks
    of the related manager it otherwise gets."""

    def all(self):
        return self

    def exists(self):
        return bool(self)


class RelatedLists:
    """The objects of a table's many-to-many column for the records of a queryset, put in a
    list on each record as it is read (where the rows' cells read them). One query reads the
    pairs (record, related object) of all the records, in the order the related manager
    gives, and another each related object once, shared by every row that names it: a few
    numbers per row are held, not the rows. Prefetching builds an object per pair and, into the
    related manager, a queryset per row and column (most of an export's time), and it holds a
    chunk of rows at a time, which the garbage collector then walks again and again."""

    def __init__(self, plan, field, queryset):
        self.attribute = plan.listed
        self.related = field.related_model._default_manager
        # The relation seen from the related model, back to the records.
        self.back = field.related_query_name() if field.concrete else field.field.name
        self.records = queryset.values("pk")
        self.lists = None

    def attach(self, record):
        if self.lists is None:
            self.read()
        record.__dict__[self.attribute] = [self.objects[pk] for pk in self.lists.get(record.pk, ())]

    def read(self):
        self.lists = {}
        pairs = self.related.filter(**{f"{self.back}__in": self.records})
        for record_pk, pk in pairs.values_list(self.back, "pk"):
            self.lists.setdefault(record_pk, []).append(pk)
        self.objects = self.related.in_bulk({pk for pks in self.lists.values() for pk in pks})

    def attach_all(self, records):
        """The lists of a few records read at once (a page): one query reads the related
        objects with their records' keys, as a prefetch does, without its related manager and
        queryset per record."""
        lists = {}
        if records:
            objects = self.related.filter(**{f"{self.back}__in": [r.pk for r in records]})
            for item in objects.annotate(**{RECORD_KEY: F(self.back)}):
                lists.setdefault(item.__dict__.pop(RECORD_KEY), []).append(item)
        for record in records:
            record.__dict__[self.attribute] = lists.get(record.pk, [])


def with_related_lists(queryset, table, chunk_size):
    """The queryset's records, read `chunk_size` at a time, with the objects of the table's
    many-to-many columns in lists (`RelatedLists`) rather than prefetched."""
    queryset, relations = related_lists(queryset, table)
    records = queryset.iterator(chunk_size=chunk_size)
    return listed(records, relations) if relations else records


class ListedPage:
    """The records of a page of a table, read when first asked for, with the objects of the
    table's many-to-many columns in lists (`RelatedLists.attach_all`) rather than prefetched."""

    def __init__(self, queryset, table):
        self.queryset, self.relations = related_lists(queryset, table)
        self.records = None

    def read(self):
        if self.records is None:
            self.records = list(self.queryset)
            for relation in self.relations:
                relation.attach_all(self.records)
        return self.records

    def __iter__(self):
        return iter(self.read())

    def __len__(self):
        return len(self.read())

    def __getitem__(self, key):
        return self.read()[key]


def related_lists(queryset, table):
    """The queryset without the prefetches of the table's many-to-many columns, and a
    `RelatedLists` for each of them."""
    # A relation prefetched with a queryset of its own (a filter, an order) keeps it.
    custom = {
        lookup.prefetch_through
        for lookup in queryset._prefetch_related_lookups
        if isinstance(lookup, Prefetch)
    }
    relations = {}
    for bound_column in table.columns.iterall():
        plan = plan_for(table, bound_column)
        if plan.listed is None or plan.remainder in custom:
            continue
        try:
            field = queryset.model._meta.get_field(plan.remainder)
        except FieldDoesNotExist:
            continue
        if isinstance(field, (models.ManyToManyField, models.ManyToManyRel)):
            relations[plan.remainder] = RelatedLists(plan, field, queryset)
    if relations:
        kept = [name for name in queryset._prefetch_related_lookups if name not in relations]
        queryset = queryset.prefetch_related(None).prefetch_related(*kept)
    return queryset, list(relations.values())


def listed(records, relations):
    for record in records:
        for relation in relations:
            relation.attach(record)
        yield record
