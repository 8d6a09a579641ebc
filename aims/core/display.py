"""Human-readable values of model fields, for detail pages and the history tab."""

from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _

HIDDEN_FIELDS = {"id", "version"}


def display_value(model_field, value):
    """The value as a person reads it: choice labels, yes/no, localized dates, names."""
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(value, models.Model):
        return getattr(value, "get_full_name", lambda: "")() or str(value)
    if isinstance(model_field, models.DateTimeField | models.DateField):
        return formats.localize(value)
    return str(value)


def detail_rows(obj):
    """(label, value) for every shown field of `obj`, in declaration order."""
    rows = []
    for f in obj._meta.get_fields():
        if f.auto_created or not f.concrete and not f.many_to_many or f.name in HIDDEN_FIELDS:
            continue
        if f.many_to_many:
            items = [str(item) for item in getattr(obj, f.name).all()]
            value = ", ".join(items) or "—"
        else:
            value = display_value(f, getattr(obj, f.name))
        rows.append((f.verbose_name, value, f.get_internal_type() == "TextField"))
    return rows


def history_entries(obj):
    """The object's history, newest first, each with the fields it changed (old → new)."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-pk"))
    model = type(obj)
    related_cache = {}
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        if previous is None:
            changes = [
                (f.name, None, getattr(record, f.attname))
                for f in tracked_fields(model)
                if getattr(record, f.attname) not in (None, "")
            ]
        else:
            delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS | {"updated_at"})
            changes = [(c.field, c.old, c.new) for c in delta.changes]
        entries.append(
            {
                "record": record,
                "changes": [
                    (
                        model._meta.get_field(name).verbose_name,
                        readable(model, name, old, related_cache),
                        readable(model, name, new, related_cache),
                    )
                    for name, old, new in changes
                ],
            }
        )
    return entries


def tracked_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS | {"created_at", "updated_at"}
    ]


def readable(model, name, value, cache):
    model_field = model._meta.get_field(name)
    if model_field.is_relation and value is not None and not isinstance(value, models.Model):
        key = (model_field.related_model, value)
        if key not in cache:
            related = model_field.related_model._default_manager.filter(pk=value).first()
            cache[key] = related if related is not None else f"#{value}"
        value = cache[key]
    return display_value(model_field, value)
