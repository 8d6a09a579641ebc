"""Register tables written in Python (aims/core/table_rows.py, aims/core/table_html.py) are
django-tables2's own: the library's BoundRow and its Bootstrap 5 responsive template, with its
per-cell loop, header sort links and page links, are the reference."""

import datetime
import inspect

import django_tables2 as tables
import pytest
from django.db import DatabaseError, models, transaction
from django.template import engines
from django.template.loader import get_template
from django.test import RequestFactory
from django.test.html import parse_html
from django.utils import timezone, translation
from django_tables2.rows import BoundRows

from aims.core import table_rows
from aims.core.registry import registry
from aims.core.tables import LocalDateColumn, LocalDateTimeColumn, SelectColumn, configure, optimize
from risks.models import Risk
from tests.factories import REGISTER_FACTORIES, RiskFactory

# templates/core/table.html before tables were written in Python: django-tables2's template with
# its per-cell loop (bootstrap5.html's <td>) inside the register's grouping.
REFERENCE_TEMPLATE = (
    '{% extends "django_tables2/bootstrap5-responsive.html" %}{% load l10n %}\n'
    "{% block table.tbody %}\n"
    "<tbody {{ table.attrs.tbody.as_html }}>\n"
    "{% for headings, row in table.grouped_rows %}\n"
    '  {% for level, heading in headings %}<tr class="register-group register-group-{{ level }}">'
    '<th colspan="{{ table.columns|length }}" scope="colgroup">{{ heading }}</th></tr>'
    "{% endfor %}\n"
    "  <tr {{ row.attrs.as_html }}>{% for column, cell in row.items %}"
    "<td {{ column.attrs.td.as_html }}>"
    "{% if column.localize == None %}{{ cell }}{% else %}{% if column.localize %}"
    "{{ cell|localize }}{% else %}{{ cell|unlocalize }}{% endif %}{% endif %}</td>"
    "{% endfor %}</tr>\n"
    "{% empty %}\n"
    '  {% if table.empty_text %}<tr><td colspan="{{ table.columns|length }}">'
    "{{ table.empty_text }}</td></tr>{% endif %}\n"
    "{% endfor %}\n"
    "</tbody>\n"
    "{% endblock table.tbody %}"
)

SELECT = {"extra_columns": [("select", SelectColumn())], "sequence": ("select", "...")}


def text_fields(model):
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices
    ]


def update_each(obj, values):
    """Set each field on its own; a value a constraint refuses is left out."""
    for name, value in values.items():
        try:
            with transaction.atomic():
                type(obj)._default_manager.filter(pk=obj.pk).update(**{name: value})
        except DatabaseError:
            pass


def register_entries(register):
    """Three entries: as the factory makes them, one with markup in every text field, one
    with every field that may be empty emptied."""
    factory = REGISTER_FACTORIES[register.model]
    plain, marked, emptied = factory(), factory(), factory()
    update_each(
        marked,
        {
            field.attname: f'<b class="x">{field.name}</b> & "{marked.pk}"'[: field.max_length]
            for field in text_fields(register.model)
            if not field.primary_key
        },
    )
    update_each(
        emptied,
        {
            field.attname: None if field.null else ""
            for field in register.model._meta.concrete_fields
            if (field.null or (field.blank and field in text_fields(register.model)))
            and not field.primary_key
        },
    )
    return plain, marked, emptied


def tables_of(register, request, reference, per_page=None, **options):
    table = register.table(
        optimize(register.model._default_manager.all(), register.table), **options
    )
    if reference:
        table.rows = BoundRows(data=table.data, table=table, pinned_data=table.pinned_data)
    configure(table, request, per_page=per_page or max(len(table.data), 1))
    return table


def same_html(html, reference):
    """The same elements, attributes and text, whitespace between elements aside; the page
    links' label translated, which the library's template leaves in English."""
    label = 'aria-label="Table navigation"'
    reference = reference.replace(label, f'aria-label="{translation.gettext("Table navigation")}"')
    return parse_html(html) == parse_html(reference)


@pytest.mark.parametrize("register", list(registry), ids=lambda r: r.model_name)
def test_tables_are_django_tables2s_own(register, compliance_officer):
    register_entries(register)
    template = get_template("core/table.html")
    reference_template = engines["django"].from_string(REFERENCE_TEMPLATE)
    # The whole list; then its second page of one row, sorted by a column, with a search (the
    # sort links and the page links keep the other parameters).
    plain = tables_of(register, RequestFactory().get("/"), reference=False)
    sort = next(column.name for column in plain.columns if column.orderable)
    pages = [({}, "/"), ({"per_page": 1}, f"/?q=a+%26+b&sort=-{sort}&page=2")]
    for language in ("en", "de"):
        for options in ({}, SELECT):
            for paging, url in pages:
                request = RequestFactory().get(url)
                request.user = compliance_officer
                with translation.override(language):
                    compiled = tables_of(register, request, reference=False, **paging, **options)
                    reference = tables_of(register, request, reference=True, **paging, **options)
                    html = template.render({"table": compiled}, request)
                    reference_html = reference_template.render({"table": reference}, request)
                    assert same_html(html, reference_html)
                    assert html.count("<tr ") >= (1 if paging else 3)
                    assert list(compiled.as_values()) == list(reference.as_values())
                    if paging:
                        assert "page-link" in html
                        assert f"sort={sort}" in html  # the column sorted, to turn around


def test_markup_in_a_text_field_is_escaped(compliance_officer):
    register = registry[Risk]
    RiskFactory(title='<script>alert("x")</script>')
    request = RequestFactory().get("/")
    request.user = compliance_officer
    html = get_template("core/table.html").render(
        {"table": tables_of(register, request, reference=False)}, request
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


class LibraryDates(tables.Table):
    day = tables.DateColumn()
    long_day = tables.DateColumn(accessor="day", short=False)
    moment = tables.DateTimeColumn()
    none = tables.DateColumn(accessor="missing")


class LocalDates(tables.Table):
    day = LocalDateColumn()
    long_day = LocalDateColumn(accessor="day", short=False)
    moment = LocalDateTimeColumn()
    none = LocalDateColumn(accessor="missing")


@pytest.mark.parametrize("language", ["en", "de"])
def test_date_columns_write_what_django_tables2s_template_writes(language):
    moment = timezone.make_aware(datetime.datetime(2026, 3, 1, 23, 30), datetime.UTC)
    data = [{"day": datetime.date(2026, 12, 5), "moment": moment, "missing": None}]
    with translation.override(language):
        library = [list(row) for row in LibraryDates(data).rows]
        local = [list(row) for row in LocalDates(data).rows]
    assert local == library
    assert local[0][0] == ("05.12.2026" if language == "de" else "5 Dec 2026")


def count_signature_reads(monkeypatch, rows):
    """inspect.signature calls while drawing and exporting a risk table of `rows` rows, the
    class's plan made anew."""
    monkeypatch.setattr(table_rows, "PLANS", {})
    calls = []
    original = inspect.signature

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counting)
    register = registry[Risk]
    request = RequestFactory().get("/")
    table = tables_of(register, request, reference=False)
    html = get_template("core/table.html").render({"table": table}, request)
    values = list(table.as_values())
    monkeypatch.setattr(inspect, "signature", original)
    assert html.count('<tr class="') == rows
    assert len(values) == rows + 1
    return len(calls)


def test_no_signature_is_read_per_cell(db, monkeypatch):
    RiskFactory.create_batch(5)
    # The first drawing imports what the page needs (the URL configuration and the views,
    # whose dataclasses read signatures as they are defined): once per process.
    count_signature_reads(monkeypatch, 5)
    few = count_signature_reads(monkeypatch, 5)
    RiskFactory.create_batch(45)
    many = count_signature_reads(monkeypatch, 50)
    assert many == few
    assert few <= 3 * len(Risk._meta.fields)  # once per column and callable, not per cell
