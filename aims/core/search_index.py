"""The global search index: one `SearchEntry` per entry of every register, holding its reference,
its title and the text of its register's search fields.

Signals keep it current: an entry is written on every save, removed on delete, and rewritten when
an entry it quotes through a foreign key (a risk's title in its treatment actions) is saved.
Bulk creation sends no signal: whoever creates in bulk calls `index_objects`; `rebuild` (the
`rebuild_search_index` command, and the first migrate after the index was added) writes it
afresh.
"""

from functools import cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils import translation

from aims.core.models import SearchEntry
from aims.core.registry import registry

SEPARATOR = " · "
BATCH = 500


def follow(obj, path):
    """The value at the end of a search field path ("system__name"), through foreign keys;
    None where the path meets an empty field."""
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return str(obj)


def entry_fields(register, obj):
    """What the index holds of `obj`: reference, title and the rest of its search fields, in
    the portal's default language whoever saves (a title may be translated text)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _entry_fields(register, obj)


def _entry_fields(register, obj):
    reference = getattr(obj, "reference", "") or ""
    title = getattr(obj, "title_text", "") or str(obj)
    text = []
    for path in register.search_fields:
        value = follow(obj, path)
        if value and value not in (reference, title, *text):
            text.append(value)
    return {
        "reference": reference[:100],
        "title": title[:500],
        "text": SEPARATOR.join(text),
    }


def index_object(register, obj):
    SearchEntry.objects.update_or_create(
        content_type=ContentType.objects.get_for_model(register.model),
        object_id=obj.pk,
        defaults=entry_fields(register, obj),
    )


def index_objects(model, objects):
    """Index entries created in bulk (bulk_create sends no post_save); replaces what was there."""
    register = registry[model]
    content_type = ContentType.objects.get_for_model(model)
    objects = list(objects)
    SearchEntry.objects.filter(
        content_type=content_type, object_id__in=[obj.pk for obj in objects]
    ).delete()
    SearchEntry.objects.bulk_create(
        (
            SearchEntry(content_type=content_type, object_id=obj.pk, **entry_fields(register, obj))
            for obj in objects
        ),
        batch_size=BATCH,
    )


def related_paths(register):
    """The foreign keys the register's search fields follow (first segment of each path)."""
    names = {path.split("__")[0] for path in register.search_fields if "__" in path}
    return [register.model._meta.get_field(name) for name in sorted(names)]


def rebuild():
    """Write the whole index afresh; answers the number of entries."""
    SearchEntry.objects.all().delete()
    total = 0
    for register in registry:
        relations = related_paths(register)
        queryset = register.model._default_manager.select_related(*(f.name for f in relations))
        batch = []
        for obj in queryset.iterator(chunk_size=BATCH):
            batch.append(obj)
            if len(batch) == BATCH:
                index_objects(register.model, batch)
                total, batch = total + len(batch), []
        index_objects(register.model, batch)
        total += len(batch)
    return total


@cache
def quoting_registers(model):
    """(register, foreign key) of the registers whose search fields quote entries of `model`."""
    return [
        (register, field.name)
        for register in registry
        for field in related_paths(register)
        if field.related_model is model
    ]


def entry_saved(sender, instance, raw=False, **kwargs):
    # A fixture row may arrive before the rows it refers to: `rebuild` indexes fixtures.
    if raw:
        return
    index_object(registry[sender], instance)
    for register, key in quoting_registers(sender):
        quoting_entries = register.model._default_manager.filter(**{key: instance})
        for quoting in quoting_entries.select_related(key):
            index_object(register, quoting)


def entry_deleted(sender, instance, **kwargs):
    SearchEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    ).delete()


def index_if_empty(sender, plan=None, **kwargs):
    """post_migrate: the first migrate with the index (or after it was emptied) fills it.
    Only after migrations ran, not after a test's flush."""
    if plan and not SearchEntry.objects.exists():
        rebuild()


def connect(app_config):
    for register in registry:
        uid = f"aims-search-{register.label}"
        post_save.connect(entry_saved, sender=register.model, dispatch_uid=uid)
        post_delete.connect(entry_deleted, sender=register.model, dispatch_uid=uid)
    post_migrate.connect(index_if_empty, sender=app_config, dispatch_uid="aims-search-index")
