"""Calls to the register API as a client program makes them: URLs named from the registry, JSON
bodies built from what the register's form accepts, and a record of what a refused call must
leave untouched."""

from django.urls import reverse

from tests.conftest import form_payload


def api_url(register, obj=None):
    """The register's list URL, or the entry's when `obj` (an object or a raw key) is given."""
    if obj is None:
        return reverse(f"api:{register.app_label}.{register.model_name}-list")
    pk = getattr(obj, "pk", obj)
    return reverse(f"api:{register.app_label}.{register.model_name}-detail", args=[pk])


def api_body(register, obj, user, **changes):
    """A JSON body that saves `obj` through the API as it stands (plus `changes`): the form's
    values, empty ones as null, with the version loaded; without a version for an unsaved object
    (a create)."""
    payload = form_payload(register, obj, user)
    del payload["loaded_version"]
    body = {name: None if value == "" else value for name, value in payload.items()}
    if obj.pk:
        body["version"] = obj.version
    return {**body, **changes}


def new_body(register, user, **changes):
    """A valid create body: built from a factory object that is then removed."""
    from tests.factories import REGISTER_FACTORIES

    obj = REGISTER_FACTORIES[register.model]()
    body = api_body(register, obj, user)
    obj.delete()
    body.pop("version")
    body.pop("reference", None)
    return {**body, **changes}


def rows(response):
    """The entries of a list response (paginated or not)."""
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


def listed_ids(response):
    return {row["id"] for row in rows(response)}


def every_id(api, address):
    """The keys of every entry a list holds, page after page."""
    ids, params = set(), {"page_size": 500}
    while address:
        response = api.get(address, params)
        assert response.status_code == 200, response.content.decode()[:500]
        ids |= listed_ids(response)
        address, params = response.json()["next"], None
    return ids


def state(model):
    """Everything a refused call must leave as it was: every row's stored values and the
    number of history rows."""
    return (
        list(model._base_manager.order_by("pk").values()),
        model.history.model.objects.count(),
    )
