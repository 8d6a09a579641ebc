"""What lists and dropdowns read of a record: not its JSON. Those fields hold frozen copies (an
approved review's snapshot, an SoA version's content) that run to hundreds of kilobytes, and
decoding one for every row that names its review cost more than the rest of the list page."""

from django.db import models


def json_fields(model):
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]


def without_json(queryset, related=(), shown=()):
    """The queryset deferring the JSON fields of its model and of the models on its `related`
    select_related paths ("control__objective"), except the `shown` ones ("review__snapshot")."""
    deferred = [name for name in json_fields(queryset.model) if name not in shown]
    reached = {}
    for path in related:
        model, prefix = queryset.model, []
        for part in path.split("__"):
            model = model._meta.get_field(part).related_model
            prefix.append(part)
            reached["__".join(prefix)] = model
    for prefix, model in reached.items():
        deferred += [
            f"{prefix}__{name}" for name in json_fields(model) if f"{prefix}__{name}" not in shown
        ]
    return queryset.defer(*deferred) if deferred else queryset
