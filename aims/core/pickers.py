"""Pickers: object dropdowns that scale. Every Select of an object field (single or multiple)
becomes a `Picker` (see `attach`, called by `style_widgets` for every form of the portal). A
picker with few choices stays a plain dropdown; with more than SEARCH_FROM it gets a search box
(static/js/pickers.js, Tom Select); with more than REMOTE_FROM the page holds only the chosen
options and the rest comes from a search endpoint, which builds the same form for the same user
and searches that field's choices, so a picker never offers what the form would not accept:
`pick` for a register's own form (and its bulk edit form, which copies its fields),
`pick_filter` for the filter form of a register's list, and `pick_form` for the other forms of
the portal, which name a builder registered with `form_source` (`picker_route` on the form).
A picker whose form has no endpoint keeps every option in the page.

A register may declare how its entries are grouped and searched in pickers (`PickerSpec` in
aims/core/registry.py), e.g. controls by catalogue and objective.
"""

from itertools import groupby

import django_filters.fields
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.forms.models import ModelChoiceIterator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from aims.core.lean import without_json
from aims.core.permissions import can
from aims.core.registry import registry

SEARCH_FROM = 20  # more choices than this: a search box
REMOTE_FROM = 50  # more than this: only the chosen options in the page, the rest on search
PAGE_SIZE = 30
USER_SEARCH_FIELDS = ("username", "first_name", "last_name", "email")
# The iterators whose choices are the queryset's objects, so that the page can hold a few.
OBJECT_ITERATORS = (ModelChoiceIterator, django_filters.fields.ModelChoiceIterator)
# Forms outside the register machinery whose pickers search remotely: key → build(request),
# the form as its page builds it for this user (Http404 when the user may not use it).
SOURCES = {}


def form_source(key):
    """Register `build(request)` as the form behind `pick_form(key, …)`; the form's class names
    it with `picker_route = ("core:pick_form", [key])`."""

    def register(build):
        SOURCES[key] = build
        return build

    return register


def spec_for(model):
    register = registry.get(model)
    return register.picker if register else None


def grouped(model):
    spec = spec_for(model)
    return spec is not None and spec.group is not None


class GroupedChoiceIterator(ModelChoiceIterator):
    """The choices under the group labels the model's register declares for pickers."""

    def __iter__(self):
        yield from entries(self, spec_for(self.queryset.model).arrange(self.queryset))


def entries(iterator, objects):
    """The choices of a model choice iterator for these objects: its empty choice, then the
    objects (under their group labels for a grouped iterator)."""
    if iterator.field.empty_label is not None:
        yield ("", iterator.field.empty_label)
    if getattr(iterator.field, "null_label", None) is not None:  # a filter's "none" choice
        yield (iterator.field.null_value, iterator.field.null_label)
    if isinstance(iterator, GroupedChoiceIterator):
        group = spec_for(iterator.queryset.model).group
        for label, members in groupby(objects, key=group):
            yield (label, [iterator.choice(obj) for obj in members])
    else:
        yield from (iterator.choice(obj) for obj in objects)


class Picker:
    """Mixed into a Select or SelectMultiple of an object field by `attach`."""

    search_url = ""  # the form's search endpoint for this field; "" for forms without one
    decided = None  # (choices, size, remote) already worked out for this rendering

    def narrowed(self, value):
        """(the choices the page holds, how many choices there are, whether the rest come from
        the endpoint), or None when every choice belongs in the page."""
        iterator = self.choices
        if not (self.search_url and type(iterator) in (*OBJECT_ITERATORS, GroupedChoiceIterator)):
            return None
        queryset = without_json(iterator.queryset)  # labels show none of it
        if isinstance(iterator, GroupedChoiceIterator):
            queryset = spec_for(queryset.model).arrange(queryset)
        # One query, as the plain dropdown had: the first rows tell whether the list is long,
        # and become the options of a short one (a long one's rows are never made objects).
        size, build = read(queryset[: REMOTE_FROM + 1])
        remote = size > REMOTE_FROM
        # A long list puts only the chosen options into the page.
        shown = chosen(iterator.field, queryset, self.format_value(value)) if remote else build()
        return list(entries(iterator, shown)), size, remote

    def get_context(self, name, value, attrs):
        iterator = self.choices
        decided = self.decided or self.narrowed(value)
        if decided is None:  # every option in the page, searched there
            context = super().get_context(name, value, attrs)
            size = sum(
                option["value"] != ""
                for _group, options, _index in context["widget"]["optgroups"]
                for option in options
            )
            remote = False
        else:
            self.choices, size, remote = decided
            try:
                context = super().get_context(name, value, attrs)
            finally:
                self.choices = iterator
        if isinstance(self, forms.Select):
            mark(context["widget"]["attrs"], self.search_url, size, remote)
        return context


class CheckboxPicker(Picker):
    """Mixed into a list of checkboxes of an object field by `attach`: short, it stays a list of
    checkboxes; long, it renders as a remote picker holding the checked ones."""

    def render(self, name, value, attrs=None, renderer=None):
        decided = self.narrowed(value)
        widget = self
        if decided is not None and decided[2]:
            css = self.attrs.get("class", "").replace("form-check-input", "form-select")
            widget = picker_class(forms.SelectMultiple)(attrs={**self.attrs, "class": css})
            widget.search_url = self.search_url
        widget.decided = decided
        try:
            return super(Picker, widget).render(name, value, attrs, renderer)
        finally:
            widget.decided = None


def mark(widget_attrs, url, size, remote):
    """The attributes that make static/js/pickers.js turn a <select> into a picker."""
    if size > SEARCH_FROM:
        widget_attrs.update(
            {
                "data-picker": "search",
                "data-picker-placeholder": _("Type to search…"),
                "data-picker-no-results": _("No results"),
            }
        )
    if remote:
        widget_attrs.update(
            {
                "data-picker": "remote",
                "data-picker-url": url,
                "data-picker-loading-more": _("Loading more results…"),
                "data-picker-no-more": _("No more results"),
            }
        )


def read(queryset):
    """Run the queryset's query: how many rows it read, and a function building their objects
    from those rows as evaluating the queryset does (related objects, prefetches) without
    running the query again."""
    queryset = queryset.all()  # its own query, which alone hands out the rows read
    compiler = queryset.query.get_compiler(using=queryset.db)
    results = list(compiler.execute_sql())  # the rows in chunks, unconverted
    compiler.execute_sql = lambda *args, **kwargs: results
    queryset.query.get_compiler = lambda *args, **kwargs: compiler
    return sum(map(len, results)), lambda: list(queryset)


def chosen(field, queryset, values):
    """The objects among `queryset` whose keys are in the widget's values (raw input on a
    refused form: keys out of range or not keys at all choose nothing)."""
    key = field.to_field_name or "pk"
    keys = [v for v in values if v not in ("", None) and is_key(field, key, v)]
    return list(queryset.filter(**{f"{key}__in": keys})) if keys else []


def is_key(field, key, value):
    if not field.key_in_range(value):
        return False
    try:
        field.queryset.filter(**{key: value})  # builds the lookup only; no query
    except (ValueError, TypeError, forms.ValidationError):
        return False
    return True


_PICKERS = {}


def picker_class(widget_class):
    if widget_class not in _PICKERS:
        mixin = CheckboxPicker if issubclass(widget_class, forms.CheckboxSelectMultiple) else Picker
        _PICKERS[widget_class] = type(f"Picker{widget_class.__name__}", (mixin, widget_class), {})
    return _PICKERS[widget_class]


def attach(form):
    """Make the dropdowns and checkbox lists of the form's object fields pickers (once: a field
    copied from another form keeps its search URL)."""
    for name, form_field in form.fields.items():
        widget = form_field.widget
        if not (
            isinstance(form_field, forms.ModelChoiceField)
            and isinstance(widget, forms.Select | forms.CheckboxSelectMultiple)
        ) or isinstance(widget, Picker):
            continue
        widget.__class__ = picker_class(type(widget))
        widget.search_url = search_url(form, name)
        if form_field.iterator is ModelChoiceIterator and grouped(form_field.queryset.model):
            form_field.iterator = GroupedChoiceIterator
            widget.choices = form_field.choices


def search_url(form, name):
    """The endpoint that searches this field: the one the form names (filter forms and other
    forms with a `form_source`), or that of a register's own form (and of its entry)."""
    route = getattr(form, "picker_route", None)
    if route:
        return reverse(route[0], args=[*route[1], name])
    model = getattr(getattr(form, "_meta", None), "model", None)
    register = registry.get(model)
    if register is None or register.form is not type(form):
        return ""
    url = reverse("core:pick", args=[register.label, name])
    return f"{url}?pk={form.instance.pk}" if form.instance.pk else url


@login_required
@require_GET
def pick(request, label, name):
    """The choices of one field of a register's form matching `q`, one page at a time:
    {"results": [{"value", "label", "optgroup"}], "more": bool}."""
    register = register_for(label)
    user = request.user
    if register.form is None:
        raise Http404
    model = register.model
    instance = None
    pk = request.GET.get("pk", "")
    if pk:
        if not (pk.isascii() and pk.isdigit() and len(pk) < 19):
            raise Http404
        instance = get_object_or_404(model._default_manager.restrict(user, "change"), pk=pk)
    elif not (can(user, "add", model) or can(user, "change", model)):  # add or bulk edit
        raise Http404
    return answer(request, register.form(instance=instance, user=user), name)


@login_required
@require_GET
def pick_filter(request, label, name):
    """The choices of one filter of a register's list, as `pick` answers: the list's filter set
    built for this user, so the search offers exactly what the filter accepts."""
    register = register_for(label)
    model = register.model
    if not can(request.user, "view", model):
        raise Http404
    scoped = model._default_manager.restrict(request.user, "view")
    return answer(request, register.filterset(None, queryset=scoped, request=request).form, name)


@login_required
@require_GET
def pick_form(request, key, name):
    """The choices of one field of another form of the portal, as `pick` answers."""
    build = SOURCES.get(key)
    if build is None:
        raise Http404
    return answer(request, build(request), name)


def register_for(label):
    register = next((r for r in registry if r.label == label), None)
    if register is None:
        raise Http404
    return register


def answer(request, form, name):
    """One page of the matches of `q` among the choices of the form's field `name`."""
    field = form.fields.get(name)
    if (
        not isinstance(field, forms.ModelChoiceField)
        or field.disabled
        or not isinstance(field.widget, Picker)
    ):
        raise Http404
    page = request.GET.get("page", "1")
    page = int(page) if page.isascii() and page.isdigit() and len(page) < 6 else 1
    objects, more = matches(field, request.GET.get("q", ""), max(page, 1))
    spec = spec_for(field.queryset.model) if grouped(field.queryset.model) else None
    return JsonResponse(
        {
            "results": [
                {
                    "value": str(field.prepare_value(obj)),
                    "label": field.label_from_instance(obj),
                    "optgroup": str(spec.group(obj)) if spec else "",
                }
                for obj in objects
            ],
            "more": more,
        }
    )


def matches(field, query, page):
    """One page of the field's choices in which every word of the query occurs in one of the
    fields a picker searches (the register's, or the names of users); whether more follow."""
    from aims.core.views import search  # the register lists' search, one way to search

    queryset = field.queryset
    model = queryset.model
    register = registry.get(model)
    if register:
        spec = register.picker
        fields = (spec and spec.fields) or register.search_fields
        queryset = search(spec.arrange(queryset) if spec else queryset, fields, query)
    elif model is get_user_model():
        queryset = search(queryset, USER_SEARCH_FIELDS, query)
    else:
        raise Http404  # no register says how to search it
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    start = (page - 1) * PAGE_SIZE
    objects = list(queryset[start : start + PAGE_SIZE + 1])
    return objects[:PAGE_SIZE], len(objects) > PAGE_SIZE
