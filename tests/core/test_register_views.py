"""Generated from the registry: every register × every role × every view.

Expectations are declared here, not derived from the code under test. A new register gets these
tests by being registered and having a factory; a new role needs a line in EXPECTED.
"""

from datetime import timedelta

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aims.core.forms import BulkEditForm
from tests.conftest import (
    ADD_REGISTERS,
    PERSONAS,
    REGISTER_IDS,
    REGISTERS,
    form_payload,
    new_object_payload,
)
from tests.factories import REGISTER_FACTORIES

FULL, READ, NONE = "full", "read", "none"
READ_ADD, ADD_ONLY = "read and add", "add only"  # adders see what they added (object perms)
READ_CHANGE = "read and change"  # a fixed set of entries: changed, never added or deleted
EXPECTED = {
    "compliance_officer": FULL,
    "administrator": FULL,
    "ai_officer": READ,
    "system_owner": READ,  # plus changes to objects they own (test_object_permissions)
    "auditor": READ,
    "internal_auditor": READ,  # plus the audits whose team they are on (tests/audits)
    "no_role": NONE,
}
# Registers whose rules differ from EXPECTED.
RECORDS = {**EXPECTED, "compliance_officer": READ, "administrator": READ}
EXPECTED_FOR = {
    "classification": RECORDS,  # written by the classification questionnaire only
    "systemimport": RECORDS,  # written by the import wizard only
    "aiactobligation": {**RECORDS, "administrator": FULL},  # dates change by law
    "riskacceptance": RECORDS,  # written by the acceptance workflow only
    "libraryrisk": RECORDS,  # built in, loaded from the data file
    "riskimport": RECORDS,  # written by the import wizard only
    "soaversion": RECORDS,  # issued and decided by the SoA workflow only
    "soaimport": RECORDS,  # written by the SoA import wizard only
    "evidence": {**EXPECTED, "ai_officer": READ_ADD, "system_owner": ADD_ONLY},
    # The cases of Art. 73 are fixed; administrators change their days when the law does.
    "reportingperiod": {**RECORDS, "administrator": READ_CHANGE},
    # Internal auditors add audits they are on and change only those (the team's object
    # permissions); the factory's audit has no team.
    "audit": {**EXPECTED, "internal_auditor": READ_ADD},
    "checklistimport": RECORDS,  # written by the checklist import wizard only
    "trainingimport": RECORDS,  # written by the training import wizard only
}


def test_every_register_has_a_factory():
    assert {r.model for r in REGISTERS} <= set(REGISTER_FACTORIES)


def test_every_persona_has_an_expectation():
    assert set(EXPECTED) == set(PERSONAS)


def url(register, action, obj=None, **kwargs):
    args = [obj.pk] if obj is not None else []
    return reverse(register.url_name(action), args=args, kwargs=kwargs or None)


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_anonymous_is_sent_to_login(client, db, register):
    obj = REGISTER_FACTORIES[register.model]()
    urls = [url(register, "list"), url(register, "export", fmt="csv")]
    urls += [url(register, "add")] if register.form else []
    urls += [url(register, a, obj) for a in register.object_actions]
    for address in urls:
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("login")), address
    response = client.post(url(register, "delete", obj))
    assert response.status_code == 302
    assert register.model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_role_can_do_what_its_rules_allow(client, make_user, register, persona):
    user = make_user(persona)
    client.force_login(user)
    expected = EXPECTED_FOR.get(register.model_name, EXPECTED)[persona]
    obj = REGISTER_FACTORIES[register.model]()

    readable = 200 if expected in (FULL, READ, READ_ADD, READ_CHANGE) else None
    for address in (url(register, "list"), url(register, "export", fmt="csv")):
        assert client.get(address).status_code == (readable or 403), address
    for action in ("detail", "history"):
        assert client.get(url(register, action, obj)).status_code == (readable or 404), action
    if not readable:  # the PDF of a readable entry: tests/core/test_record_pdf.py
        assert client.get(url(register, "pdf", obj)).status_code == 404

    if expected == FULL:
        assert_full_access(client, register, user, obj)
    elif expected == READ_CHANGE:
        assert_change_only(client, register, user, obj)
    else:
        # An entry the user can read refuses changes with 403 (naming who may); one outside
        # the user's scope answers 404.
        refused = 403 if readable else 404
        may_add = expected in (READ_ADD, ADD_ONLY)
        assert_no_changes(client, register, user, obj, may_add=may_add, refused=refused)


def assert_full_access(client, register, user, obj):
    model = register.model
    assert client.get(url(register, "add")).status_code == 200
    payload = new_object_payload(register, user)
    count = model.objects.count()
    response = client.post(url(register, "add"), payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert model.objects.count() == count + 1

    assert client.get(url(register, "edit", obj)).status_code == 200
    response = client.post(url(register, "edit", obj), form_payload(register, obj, user))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.version == 2

    assert client.get(url(register, "delete", obj)).status_code == 200
    response = client.post(url(register, "delete", obj))
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()


def assert_change_only(client, register, user, obj):
    model = register.model
    count = model.objects.count()
    assert client.get(url(register, "add")).status_code == 403
    assert client.post(url(register, "add"), form_payload(register, obj, user)).status_code == 403
    assert client.get(url(register, "edit", obj)).status_code == 200
    response = client.post(url(register, "edit", obj), form_payload(register, obj, user))
    assert response.status_code == 302
    obj.refresh_from_db()
    assert obj.version == 2
    assert client.get(url(register, "delete", obj)).status_code == 403
    assert client.post(url(register, "delete", obj)).status_code == 403
    assert model.objects.count() == count


def assert_no_changes(client, register, user, obj, may_add=False, refused=404):
    model = register.model
    count = model.objects.count()
    if register.form:
        assert client.get(url(register, "add")).status_code == (200 if may_add else 403)
        if not may_add:
            # A fixed set (the reporting periods) has no new entry to make: its factory finds
            # the existing one, which new_object_payload would remove.
            payload = (
                new_object_payload(register, user)
                if register in ADD_REGISTERS
                else form_payload(register, obj, user)
            )
            assert client.post(url(register, "add"), payload).status_code == 403
        assert client.get(url(register, "edit", obj)).status_code == refused
        payload = form_payload(register, obj, user)
        assert client.post(url(register, "edit", obj), payload).status_code == refused
    assert client.get(url(register, "delete", obj)).status_code == refused
    assert client.post(url(register, "delete", obj)).status_code == refused
    obj.refresh_from_db()
    assert obj.version == 1
    assert model.objects.count() == count


# Bulk edit, for every register that declares bulk fields ------------------------------------

BULK_REGISTERS = [r for r in REGISTERS if r.bulk_editable]
BULK_IDS = [r.model_name for r in BULK_REGISTERS]


def bulk_change(register, obj, user):
    """A bulk edit payload that changes one field of `obj`, and a check that it was stored."""
    form = BulkEditForm(register_form=register.form(user=user), fields=register.bulk_fields)
    name, field = next(iter(form.source_fields.items()))
    current = getattr(obj, name)
    if isinstance(field, forms.BooleanField):
        value, stored = ("no", False) if current else ("yes", True)
    elif isinstance(field, forms.ModelChoiceField):
        stored = field.queryset.exclude(pk=getattr(current, "pk", None)).first()
        value = stored.pk
    elif isinstance(field, forms.ChoiceField):
        value = stored = next(c for c, _label in field.choices if c not in ("", current))
    elif isinstance(field, forms.DateField):
        # Today: neither a future evidence date nor a review in the past is refused.
        today = timezone.localdate()
        stored = today if current != today else today - timedelta(days=1)
        value = stored.isoformat()
    elif isinstance(field, forms.IntegerField):
        stored = 6 if current != 6 else 12
        value = str(stored)
    else:
        value = stored = "Set for all selected entries."
    payload = {"pk": [obj.pk], f"version_{obj.pk}": obj.version, name: value, "step": "apply"}
    return payload, lambda saved: getattr(saved, name) == stored


@pytest.mark.parametrize("persona", list(EXPECTED))
@pytest.mark.parametrize("register", BULK_REGISTERS, ids=BULK_IDS)
def test_bulk_edit_follows_the_role_rules(client, make_user, register, persona):
    user = make_user(persona)
    client.force_login(user)
    expected = EXPECTED_FOR.get(register.model_name, EXPECTED)[persona]
    obj = REGISTER_FACTORIES[register.model]()
    address = url(register, "bulk_edit")
    payload, stored = bulk_change(register, obj, user)
    owner_field = getattr(register.model, "owner_field", None)
    if expected == FULL:
        assert client.get(address, {"pk": obj.pk}).status_code == 200
        assert client.post(address, payload).status_code == 302
        obj.refresh_from_db()
        assert obj.version == 2
        assert stored(obj)
        return
    if persona == "system_owner" and owner_field:
        # An owner may bulk edit their own entries; someone else's answers 403 where they can
        # read it, 404 where they cannot.
        REGISTER_FACTORIES[register.model](**{owner_field: user})
        readable = register.model._default_manager.restrict(user).filter(pk=obj.pk).exists()
        refused = 403 if readable else 404
        assert client.get(address, {"pk": obj.pk}).status_code == refused
        assert client.post(address, payload).status_code == refused
    else:
        assert client.get(address, {"pk": obj.pk}).status_code == 403
        assert client.post(address, payload).status_code == 403
    obj.refresh_from_db()
    assert obj.version == 1


@pytest.mark.parametrize("register", BULK_REGISTERS, ids=BULK_IDS)
def test_bulk_page_queries_do_not_grow_with_the_selection(client, editor, register):
    client.force_login(editor(register))
    objects = REGISTER_FACTORIES[register.model].create_batch(5)

    def queries(selected):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(register, "bulk_edit"), {"pk": [o.pk for o in selected]})
        assert response.status_code == 200
        return len(captured)

    assert queries(objects[:1]) == queries(objects)


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_read_only_roles_see_no_change_buttons(client, auditor, register):
    obj = REGISTER_FACTORIES[register.model]()
    client.force_login(auditor)
    response = client.get(url(register, "detail", obj))
    assert response.status_code == 200
    assert response.context["object"] == obj
    detail = response.content.decode()
    assert url(register, "delete", obj) not in detail
    if register.form:
        assert url(register, "edit", obj) not in detail
        listing = client.get(url(register, "list"))
        assert listing.status_code == 200
        # Every entry is listed: the auditor reads the whole register.
        assert listing.context["table"].paginator.count == register.model.objects.count()
        assert url(register, "add") not in listing.content.decode()
