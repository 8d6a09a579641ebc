"""Human-readable values of model fields, for detail pages and the history tab."""

from django.core.paginator import Paginator
from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from aims.core.fields import MultipleChoiceField
from aims.core.permissions import perm_name, permits

HIDDEN_FIELDS = {"id", "version"}
RECORD_FIELDS = {"created_at", "updated_at"}


def display_value(model_field, value):
    """The value as a person reads it: choice labels, yes/no, localized dates, names."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(model_field, MultipleChoiceField):
        return ", ".join(model_field.labels(value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(model_field, models.DateTimeField):
        return formats.localize(timezone.localtime(value))
    if isinstance(model_field, models.DateField):
        return formats.localize(value)
    return str(value)


def detail_rows(obj, user=None, exclude=(), links=True):
    """(capitalised label, value, is long text) for every shown field of `obj`
    (`shown_fields`). With `user`, linked entries show only as far as the user may view them;
    without `links`, by name only (a printed page)."""
    fields = shown_fields(obj, exclude)
    name = as_link if links else str
    rows = []
    for f in fields:
        if f.many_to_many:
            items = visible(named(getattr(obj, f.name).all()), user)
            value = format_html_join(", ", "{}", ((name(item),) for item in items)) or "—"
        elif f.many_to_one and getattr(obj, f.name) is not None:
            related = getattr(obj, f.name)
            value = name(related) if may_view(related, user) else "—"
        else:
            value = display_value(f, getattr(obj, f.name))
        rows.append((capfirst(f.verbose_name), value, f.get_internal_type() == "TextField"))
    return rows


def shown_fields(obj, exclude=()):
    """The fields a page shows of `obj`: all but its `hidden_detail_fields` and `exclude`;
    record keeping last."""
    hidden = set(getattr(obj, "hidden_detail_fields", ())) | set(exclude)
    fields = [
        f
        for f in obj._meta.get_fields()
        if (f.concrete or f.many_to_many)
        and not f.auto_created
        and f.name not in HIDDEN_FIELDS
        # Structured data (answers, mappings) is shown by the page that owns it.
        and not isinstance(f, models.JSONField)
        and f.name not in hidden
    ]
    fields.sort(key=lambda f: f.name in RECORD_FIELDS)
    return fields


def named(queryset):
    """`queryset` with what its entries' names read: an entry without a reference, title or
    name is named by its links (an SoA entry: its control and system), joined in the same
    query instead of one query per entry."""
    model = queryset.model
    if {f.name for f in model._meta.concrete_fields} & {"reference", "title", "name"}:
        return queryset
    return queryset.select_related(*[f.name for f in model._meta.concrete_fields if f.many_to_one])


def visible(queryset, user):
    """The linked entries among `queryset` that `user` may view (all without a user)."""
    model = queryset.model
    if user is None or not hasattr(model._default_manager, "restrict"):
        return queryset
    if user.has_perm(perm_name(model, "view")):
        return queryset
    return queryset.filter(pk__in=model._default_manager.restrict(user).values("pk"))


def may_view(related, user):
    """Whether a linked entry may be named to `user`: its own page would not answer 404."""
    model = type(related)
    if user is None or not hasattr(model._default_manager, "restrict"):
        return True
    return permits(user, "view", related)


def as_link(related):
    """A related entry as a link to its page, when it has one (users have none)."""
    if hasattr(related, "get_absolute_url"):
        return format_html('<a href="{}">{}</a>', related.get_absolute_url(), related)
    return str(related)


def history_page(obj, number, per_page):
    """One page of the object's history, newest first; each entry lists the fields it changed
    (old → new). Only the page's records and the one before them are loaded.

    Compared field by field rather than with diff_against, which skips non-editable fields,
    and workflow fields (status, approver) matter most to an auditor.
    """
    records = obj.history.select_related("history_user").order_by("-history_date", "-pk")
    page = Paginator(records, per_page).get_page(number)
    on_page = list(page.object_list)
    previous = on_page[1:] + list(records[page.end_index() : page.end_index() + 1])
    fields = tracked_fields(type(obj))
    related_cache = {}
    links = linked(on_page + previous[len(on_page) - 1 :], type(obj).history.model)
    page.object_list = [
        history_entry(
            record, previous[i] if i < len(previous) else None, fields, related_cache, links
        )
        for i, record in enumerate(on_page)
    ]
    return page


def history_entry(record, previous, fields, related_cache, links):
    changes = []
    for f in fields:
        new = getattr(record, f.attname)
        old = getattr(previous, f.attname) if previous else None
        if new != old and not (previous is None and new in (None, "")):
            changes.append(
                (f.verbose_name, readable(f, old, related_cache), readable(f, new, related_cache))
            )
    for f in getattr(type(record), "_history_m2m_fields", ()):
        new = links[f.name, record.pk]
        old = links[f.name, previous.pk] if previous else []
        if new != old:
            changes.append((f.verbose_name, ", ".join(old) or "—", ", ".join(new) or "—"))
    return {"record": record, "who": record.history_user or _("system"), "changes": changes}


def linked(records, historical_model):
    """{(many-to-many field name, history id): names of the objects it linked to} for these
    historical records: two queries per field, whatever the number of records. By id, so that
    a linked object deleted since still shows as #id."""
    links = {}
    ids = [record.pk for record in records]
    for m2m_field in getattr(historical_model, "_history_m2m_fields", ()):
        target = m2m_field.related_model
        through = getattr(historical_model, m2m_field.name).model
        pairs = list(
            through._default_manager.filter(history_id__in=ids).values_list(
                "history_id", f"{target._meta.model_name}_id"
            )
        )
        objects = target._base_manager.in_bulk({pk for _history, pk in pairs})
        for history_id in ids:
            links[m2m_field.name, history_id] = []
        for history_id, pk in pairs:
            links[m2m_field.name, history_id].append(
                str(objects[pk]) if pk in objects else f"#{pk}"
            )
    for key in links:
        links[key].sort()
    return links


def last_saved_by(current):
    """Who saved `current` last and when ("A. Keller, 4 Dec 2026 20:35"); only when if unknown."""
    last = current.history.select_related("history_user").first()
    when = display_value(current._meta.get_field("updated_at"), current.updated_at)
    return f"{last.history_user}, {when}" if last and last.history_user else when


def fields_changed_since(current, version, names):
    """Labels of the fields among `names` that changed after `version` of `current`."""
    before = current.history.filter(version=version).order_by("-history_date", "-pk").first()
    if before is None:
        return []
    return [
        str(f.verbose_name)
        for f in tracked_fields(type(current))
        if f.name in names and getattr(before, f.attname) != getattr(current, f.attname)
    ]


def tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in HIDDEN_FIELDS | RECORD_FIELDS]


def readable(model_field, value, cache):
    """Historical rows hold foreign keys as ids; show the related object instead."""
    if model_field.is_relation and value is not None:
        key = (model_field.related_model, value)
        if key not in cache:
            related = model_field.related_model._default_manager.filter(pk=value).first()
            cache[key] = related if related is not None else f"#{value}"
        value = cache[key]
    return display_value(model_field, value)
