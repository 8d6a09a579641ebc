"""Generated from the registry: every register × every role × list, detail, create, update and
delete through the API, with the same expectations as the pages (tests/core/test_register_views
declares them once). A refused call changes nothing: no row, no value, no history row."""

import pytest
from rest_framework.test import APIClient

from tests.api.calls import api_body, api_url, every_id, new_body, state
from tests.conftest import ADD_REGISTERS, REGISTER_IDS, REGISTERS
from tests.core.test_register_views import (
    ADD_ONLY,
    EXPECTED,
    EXPECTED_FOR,
    FULL,
    READ,
    READ_ADD,
    READ_CHANGE,
)
from tests.factories import REGISTER_FACTORIES

READABLE = (FULL, READ, READ_ADD, READ_CHANGE)
# What an adder must say of a new entry to be allowed it: internal auditors add only audits
# they are on.
ADDER_CHANGES = {"audit": lambda user: {"lead_auditor": user.pk}}


@pytest.fixture
def api():
    return APIClient()


def test_every_register_has_its_own_api_urls():
    lists = {api_url(register) for register in REGISTERS}
    assert len(lists) == len(REGISTERS)
    assert all(address.startswith("/api/v1/") for address in lists)


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_anonymous_calls_answer_401_and_change_nothing(api, db, register):
    obj = REGISTER_FACTORIES[register.model]()
    before = state(register.model)
    assert api.get(api_url(register)).status_code == 401
    assert api.get(api_url(register, obj)).status_code == 401
    assert api.post(api_url(register), {}, format="json").status_code == 401
    assert api.put(api_url(register, obj), {}, format="json").status_code == 401
    assert api.patch(api_url(register, obj), {}, format="json").status_code == 401
    assert api.delete(api_url(register, obj)).status_code == 401
    assert state(register.model) == before


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_role_can_do_through_the_api_what_its_rules_allow(api, make_user, register, persona):
    user = make_user(persona)
    api.force_login(user)
    expected = EXPECTED_FOR.get(register.model_name, EXPECTED)[persona]
    obj = REGISTER_FACTORIES[register.model]()
    readable = expected in READABLE

    listing = api.get(api_url(register))
    assert listing.status_code == (200 if readable else 403)
    detail = api.get(api_url(register, obj))
    assert detail.status_code == (200 if readable else 404)
    if readable:
        scope = register.model._default_manager.restrict(user)
        assert listing.json()["count"] == scope.count()
        assert every_id(api, api_url(register)) == set(scope.values_list("pk", flat=True))
        assert obj.pk in every_id(api, api_url(register))
        assert (detail.json()["id"], detail.json()["version"]) == (obj.pk, obj.version)

    if register.form is None:
        assert_records_stay(api, register, obj, readable, expected)
    elif expected == FULL:
        assert_full_access(api, register, user, obj)
    elif expected == READ_CHANGE:
        assert_change_only(api, register, user, obj)
    else:
        assert_no_changes(api, register, user, obj, expected, readable)


def assert_full_access(api, register, user, obj):
    model = register.model
    count = model.objects.count()
    response = api.post(api_url(register), new_body(register, user), format="json")
    assert response.status_code == 201, response.content.decode()[:2000]
    assert model.objects.count() == count + 1
    assert model.objects.filter(pk=response.json()["id"]).exists()

    response = api.put(api_url(register, obj), api_body(register, obj, user), format="json")
    assert response.status_code == 200, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert obj.version == response.json()["version"] == 2
    response = api.patch(api_url(register, obj), {"version": obj.version}, format="json")
    assert response.status_code == 200, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert obj.version == 3

    assert api.delete(api_url(register, obj)).status_code == 204
    assert not model.objects.filter(pk=obj.pk).exists()


def assert_change_only(api, register, user, obj):
    before = state(register.model)
    body = api_body(register, obj, user)
    assert api.post(api_url(register), body, format="json").status_code == 403
    assert api.delete(api_url(register, obj)).status_code == 403
    assert state(register.model) == before
    response = api.put(api_url(register, obj), body, format="json")
    assert response.status_code == 200, response.content.decode()[:2000]
    obj.refresh_from_db()
    assert obj.version == 2


def assert_no_changes(api, register, user, obj, expected, readable):
    """An entry the user can read refuses changes with 403; one outside the user's scope
    answers 404. Adders add, and see what they added."""
    refused = 403 if readable else 404
    if expected in (READ_ADD, ADD_ONLY):
        changes = ADDER_CHANGES.get(register.model_name, lambda user: {})(user)
        response = api.post(api_url(register), new_body(register, user, **changes), format="json")
        assert response.status_code == 201, response.content.decode()[:2000]
        assert api.get(api_url(register, response.json()["id"])).status_code == 200
    else:
        # A fixed set (the reporting periods) has no new entry to make: its factory finds the
        # existing one, which new_body would remove.
        body = (
            new_body(register, user) if register in ADD_REGISTERS else api_body(register, obj, user)
        )
        before = state(register.model)
        assert api.post(api_url(register), body, format="json").status_code == 403
        assert state(register.model) == before
    before = state(register.model)
    body = api_body(register, obj, user)
    assert api.put(api_url(register, obj), body, format="json").status_code == refused
    patch = {"version": obj.version}
    assert api.patch(api_url(register, obj), patch, format="json").status_code == refused
    assert api.delete(api_url(register, obj)).status_code == refused
    assert state(register.model) == before


def assert_records_stay(api, register, obj, readable, expected):
    """Records a workflow writes have no form: the API offers no create or update (405, which
    tells nothing of the entry) and deletes only where the role may delete them."""
    before = state(register.model)
    assert api.post(api_url(register), {}, format="json").status_code == 405
    assert api.put(api_url(register, obj), {}, format="json").status_code == 405
    assert api.patch(api_url(register, obj), {}, format="json").status_code == 405
    if expected == FULL:
        assert api.delete(api_url(register, obj)).status_code == 204
        return
    assert api.delete(api_url(register, obj)).status_code == (403 if readable else 404)
    assert state(register.model) == before
