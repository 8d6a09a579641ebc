"""Page weight: no list, form or bulk edit page grows with the catalogues its choices come from.
Every register's pages are rendered with each such catalogue at 50 entries and again at 5,000
(the rows a list shows stay as many), and may differ by a small constant only: long dropdowns
and checkbox lists hold the chosen entries and search the rest (aims/core/pickers.py)."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import CharField, IntegerField, Max, UniqueConstraint
from django.test import RequestFactory
from django.urls import reverse

from aims.core.registry import registry
from tests.factories import REGISTER_FACTORIES, UserFactory

SMALL, LARGE = 50, 5_000
SLACK = 2048  # bytes: page numbers, longer names of the newest entries


def choice_models(user):
    """The models whose entries the register forms and filters offer as choices."""
    request = RequestFactory().get("/")
    request.user = user
    models = {get_user_model()}
    for register in registry:
        filterset = register.filterset(None, queryset=register.model.objects.all(), request=request)
        fields = list(filterset.form.fields.values())
        if register.form:
            fields += register.form(user=user).fields.values()
        models |= {f.queryset.model for f in fields if isinstance(f, forms.ModelChoiceField)}
    # A list shown on one page (the SoA) shows every entry: its rows are not held fixed.
    return {m for m in models if getattr(registry.get(m), "page_size", 0) is not None}


def prototype(model):
    existing = model._default_manager.order_by("pk").first()
    if existing is not None:
        return existing
    if model is get_user_model():
        return UserFactory()
    return REGISTER_FACTORIES[model]() if model in REGISTER_FACTORIES else None


def unique_fields(model):
    """The fields a copy must change to stay unique: texts get a suffix (a status in a
    conditional constraint too), numbers the next free ones, links another parent."""
    names = {f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key}
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            names |= set(constraint.fields)
    for together in model._meta.unique_together:
        names |= set(together)
    fields = [f for f in model._meta.concrete_fields if f.name in names]
    texts = [f for f in fields if isinstance(f, CharField)]
    numbers = [f for f in fields if isinstance(f, IntegerField) and not f.is_relation]
    links = [f for f in fields if f.many_to_one or f.one_to_one]
    return texts, numbers, links


def grow(model, total):
    """Copies of one entry until the model has `total` entries (no history, no signals)."""
    source = prototype(model)
    if source is None:
        raise AssertionError(f"no entry of {model._meta.label} to copy: add its factory")
    missing = total - model._default_manager.count()
    if missing <= 0:
        return
    texts, numbers, links = unique_fields(model)
    free = {}
    for field in numbers:
        start = (model._default_manager.aggregate(top=Max(field.attname))["top"] or 0) + 1
        free[field.attname] = range(start, start + missing)
    for link in links:  # a parent of its own for every copy, or none where it may be empty
        if link.null:
            free[link.attname] = [None] * missing
            continue
        parent = link.related_model
        grow(parent, parent._default_manager.count() + missing)
        used = model._default_manager.values(link.attname)
        free[link.attname] = list(
            parent._default_manager.exclude(pk__in=used).values_list("pk", flat=True)[:missing]
        )
    copies = []
    for number in range(missing):
        copy = model(
            **{
                f.attname: getattr(source, f.attname)
                for f in model._meta.concrete_fields
                if not f.primary_key
            }
        )
        for field in texts:
            value = getattr(source, field.attname) or ""
            suffix = f"-{total}-{number}"
            setattr(copy, field.attname, f"{value[: field.max_length - len(suffix)]}{suffix}")
        for name, keys in free.items():
            setattr(copy, name, keys[number])
        copies.append(copy)
    model._default_manager.bulk_create(copies, batch_size=500)


def pages(user):
    """(name, URL) of every register's list, add, edit and bulk edit page, with one entry each."""
    for register in registry:
        yield f"{register.label} list", reverse(register.url_name("list"))
        if register.form is None:
            continue
        entry = prototype(register.model)
        if entry is None:
            raise AssertionError(f"no entry of {register.label} to edit: add its factory")
        yield f"{register.label} add", reverse(register.url_name("add"))
        yield f"{register.label} edit", reverse(register.url_name("edit"), args=[entry.pk])
        if register.bulk_editable:
            yield (
                f"{register.label} bulk edit",
                f"{reverse(register.url_name('bulk_edit'))}?pk={entry.pk}",
            )


def weigh(client, urls):
    sizes = {}
    for name, url in urls:
        response = client.get(url)
        if response.status_code == 200:
            sizes[name] = len(response.content)
    return sizes


def test_no_page_grows_with_the_catalogues_its_choices_come_from(client, db):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    catalogues = sorted(choice_models(user), key=lambda m: m._meta.label)
    for model in catalogues:
        grow(model, SMALL)
    urls = list(pages(user))
    small = weigh(client, urls)
    for model in catalogues:
        grow(model, LARGE)
    large = weigh(client, urls)

    assert {m._meta.label for m in catalogues} >= {
        "core.User",
        "inventory.AISystem",
        "controls.Control",
        "risks.Risk",
        "controls.Evidence",
    }
    assert set(small) == set(large)
    # Nearly every page renders for the superuser (a few pages refuse an entry in its state).
    assert len(small) >= len(urls) * 9 // 10, sorted({name for name, _url in urls} - set(small))
    grown = {
        name: (small[name], large[name]) for name in small if large[name] - small[name] > SLACK
    }
    assert grown == {}, f"pages that grow with the catalogues (bytes at {SMALL}, {LARGE}): {grown}"
