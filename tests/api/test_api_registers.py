"""The register API, generated from the registry for every register, and its rules shown on the
context issues (the simplest register) and where a rule needs a specific one: the save service's
stale version and lock, a protected delete, the history and activity log of API writes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.context.models import ContextIssue
from aims.core import roles
from aims.core.api.schema import orderable_fields
from aims.core.registry import registry
from tests.api.calls import api_body, api_url, new_body, rows
from tests.api.conftest import api_client_for
from tests.conftest import ADD_REGISTER_IDS, ADD_REGISTERS, REGISTER_IDS, REGISTERS
from tests.factories import (
    REGISTER_FACTORIES,
    AISystemFactory,
    ContextIssueFactory,
    ImpactAssessmentFactory,
)

ISSUES = registry[ContextIssue]


def editor_persona(register):
    return (
        "compliance_officer"
        if "change" in register.roles[roles.COMPLIANCE_OFFICER]
        else "administrator"
    )


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_an_entry_reads_as_its_stored_fields_with_id_version_and_page(db, api_as, register):
    obj = REGISTER_FACTORIES[register.model]()
    client = api_as("compliance_officer")

    listed = client.get(api_url(register), {"page_size": 500})
    entry = client.get(api_url(register, obj))

    assert listed.status_code == 200
    assert obj.pk in {row["id"] for row in rows(listed)}
    assert entry.status_code == 200
    data = entry.json()
    assert data["id"] == obj.pk
    assert data["version"] == obj.version
    assert data["url"] == obj.get_absolute_url()
    for name in data:
        assert "path" not in name and name not in ("file", "parsed")  # never a storage path


@pytest.mark.parametrize("register", ADD_REGISTERS, ids=ADD_REGISTER_IDS)
def test_an_entry_added_through_the_api_is_saved_by_the_form_with_the_api_user_in_history(
    db, api_as, make_user, register
):
    user = make_user(editor_persona(register))
    body = new_body(register, user)
    before = register.model._default_manager.count()

    response = api_as(user).post(api_url(register), body, format="json")

    assert response.status_code == 201, response.json()
    assert register.model._default_manager.count() == before + 1
    saved = register.model._default_manager.get(pk=response.json()["id"])
    assert saved.history.first().history_user == user


def seconds(data, ignored):
    return {
        key: re.sub(r"T(\d\d:\d\d:\d\d)\.\d+", r"T\1", value) if isinstance(value, str) else value
        for key, value in data.items()
        if key not in ignored
    }


@pytest.mark.parametrize("register", ADD_REGISTERS, ids=ADD_REGISTER_IDS)
def test_a_partial_update_with_only_the_version_keeps_every_value(db, api_as, make_user, register):
    user = make_user(editor_persona(register))
    obj = REGISTER_FACTORIES[register.model]()
    client = api_as(user)
    before = client.get(api_url(register, obj)).json()

    response = client.patch(api_url(register, obj), {"version": obj.version}, format="json")

    assert response.status_code == 200, response.json()
    ignored = {"version", "updated_at", "url"}
    # The form's date-time fields hold whole seconds, as on the page.
    assert seconds(response.json(), ignored) == seconds(before, ignored)


@pytest.mark.parametrize("register", ADD_REGISTERS, ids=ADD_REGISTER_IDS)
def test_an_entry_is_deleted_through_the_api(db, api_as, make_user, register):
    user = make_user(editor_persona(register))
    obj = REGISTER_FACTORIES[register.model]()

    response = api_as(user).delete(api_url(register, obj))

    assert response.status_code == 204
    assert not register.model._default_manager.filter(pk=obj.pk).exists()


def test_a_register_without_a_form_is_read_only(db, api_as):
    register = next(r for r in REGISTERS if r.form is None)
    obj = REGISTER_FACTORIES[register.model]()
    client = api_as("administrator")

    assert client.post(api_url(register), {}, format="json").status_code == 405
    assert client.patch(api_url(register, obj), {"version": 1}, format="json").status_code == 405


# Permissions, as the pages answer them


def test_anonymous_gets_401_with_an_authentication_challenge(db, api_client):
    response = api_client.get(api_url(ISSUES))

    assert response.status_code == 401
    assert response["WWW-Authenticate"]


def test_a_role_without_the_register_gets_403(db, api_as):
    assert api_as("no_role").get(api_url(ISSUES)).status_code == 403


def test_the_auditor_reads_but_changes_nothing(db, api_as, make_user):
    issue = ContextIssueFactory()
    client = api_as("auditor")
    body = api_body(ISSUES, issue, make_user("compliance_officer"), title="Changed")

    assert client.get(api_url(ISSUES, issue)).status_code == 200
    assert client.post(api_url(ISSUES), body, format="json").status_code == 403
    assert client.put(api_url(ISSUES, issue), body, format="json").status_code == 403
    assert client.delete(api_url(ISSUES, issue)).status_code == 403
    issue.refresh_from_db()
    assert issue.title != "Changed"


def test_an_owner_changes_their_own_system_and_gets_403_for_another_owners(db, api_as, make_user):
    owner = make_user("system_owner")
    theirs = AISystemFactory(owner=owner)
    other = AISystemFactory(owner=make_user("compliance_officer"))
    register = registry[type(theirs)]
    client = api_as(owner)

    refused = client.patch(api_url(register, other), {"version": 1}, format="json")
    changed = client.patch(
        api_url(register, theirs), {"version": theirs.version, "purpose": "New"}, format="json"
    )

    assert refused.status_code == 403
    assert str(other.owner) in refused.json()["detail"]
    assert changed.status_code == 200, changed.json()
    assert changed.json()["purpose"] == "New"


def test_a_key_beyond_the_database_range_is_not_found(db, api_as):
    assert api_as("compliance_officer").get(api_url(ISSUES, 2**63)).status_code == 404


# Writes: the form's validation, the version, the lock, the protection


def test_a_stale_version_answers_409_naming_who_saved_meanwhile(db, api_as, make_user):
    issue = ContextIssueFactory()
    colleague = make_user("administrator", first_name="Carla", last_name="Colleague")
    loaded = issue.version
    api_as(colleague).patch(
        api_url(ISSUES, issue), {"version": loaded, "title": "Theirs"}, format="json"
    )

    response = api_as("compliance_officer").patch(
        api_url(ISSUES, issue), {"version": loaded, "title": "Mine"}, format="json"
    )

    assert response.status_code == 409
    assert str(colleague) in response.json()["detail"]
    assert response.json()["version"] == loaded + 1
    issue.refresh_from_db()
    assert issue.title == "Theirs"


def test_an_update_without_the_version_answers_400(db, api_as):
    issue = ContextIssueFactory()

    response = api_as("compliance_officer").patch(
        api_url(ISSUES, issue), {"title": "No version"}, format="json"
    )

    assert response.status_code == 400
    assert "version" in response.json()
    issue.refresh_from_db()
    assert issue.title != "No version"


def test_a_replacement_needs_every_required_field(db, api_as):
    issue = ContextIssueFactory()

    response = api_as("compliance_officer").put(
        api_url(ISSUES, issue), {"version": issue.version, "title": "Only a title"}, format="json"
    )

    assert response.status_code == 400
    assert {"kind", "category", "description"} <= set(response.json())


def test_invalid_values_answer_400_at_the_field_and_change_nothing(db, api_as, make_user):
    issue = ContextIssueFactory()
    user = make_user("compliance_officer")
    body = api_body(ISSUES, issue, user, category="no such category", title="x" * 1000)

    response = api_as(user).put(api_url(ISSUES, issue), body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"category", "title"}
    assert all(isinstance(m, str) for messages in response.json().values() for m in messages)
    stored = ContextIssue.objects.get(pk=issue.pk)
    assert (stored.title, stored.version) == (issue.title, issue.version)


def test_a_body_that_is_not_an_object_answers_400(db, api_as):
    response = api_as("compliance_officer").post(api_url(ISSUES), [1, 2], format="json")

    assert response.status_code == 400


def test_html_in_text_is_returned_as_the_literal_text(db, api_as, make_user):
    user = make_user("compliance_officer")
    markup = '<script>alert("x")</script><b>bold</b> & more'
    body = new_body(ISSUES, user, description=markup)

    created = api_as(user).post(api_url(ISSUES), body, format="json")

    assert created.status_code == 201
    assert created.json()["description"] == markup
    assert api_as(user).get(api_url(ISSUES, created.json()["id"])).json()["description"] == markup


def test_a_locked_entry_answers_409_with_the_reason(db, api_as):
    assessment = ImpactAssessmentFactory(status="submitted")
    register = registry[type(assessment)]

    response = api_as("compliance_officer").patch(
        api_url(register, assessment), {"version": assessment.version}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["detail"] == str(assessment.lock_reason)


def test_a_delete_blocked_by_dependent_entries_answers_409_naming_them(db, api_as):
    assessment = ImpactAssessmentFactory()
    system = assessment.system
    register = registry[type(system)]

    response = api_as("compliance_officer").delete(api_url(register, system))

    assert response.status_code == 409
    assert str(assessment) in response.json()["detail"]
    assert type(system).objects.filter(pk=system.pk).exists()


def test_an_api_write_is_in_the_history_and_the_activity_log_as_the_api_user(db, api_as, make_user):
    user = make_user("compliance_officer", first_name="Api", last_name="Writer")
    issue = ContextIssueFactory(title="Before")

    api_as(user).patch(
        api_url(ISSUES, issue), {"version": issue.version, "title": "After"}, format="json"
    )

    last = issue.history.first()
    assert (last.history_user, last.title) == (user, "After")
    page = api_client_for(make_user("administrator")).get(reverse("core:activity"))
    assert page.status_code == 200
    assert "After" in page.content.decode() or issue.reference in page.content.decode()
    assert str(user) in page.content.decode()


# Lists: filters, search, ordering, pages


def test_the_registers_filters_narrow_the_list_and_invalid_values_answer_400(db, api_as):
    legal = ContextIssueFactory(category="legal")
    ContextIssueFactory(category="ethical")
    client = api_as("compliance_officer")

    narrowed = client.get(api_url(ISSUES), {"category": "legal"})
    invalid = client.get(api_url(ISSUES), {"category": "no such category"})

    assert [row["id"] for row in rows(narrowed)] == [legal.pk]
    assert invalid.status_code == 400
    assert "category" in invalid.json()


def test_search_finds_entries_containing_every_word(db, api_as):
    wanted = ContextIssueFactory(title="Supervisory guidance on models")
    ContextIssueFactory(title="Supervisory staff shortage")

    response = api_as("compliance_officer").get(api_url(ISSUES), {"search": "supervisory models"})

    assert [row["id"] for row in rows(response)] == [wanted.pk]


def test_ordering_by_a_column_of_the_table_and_an_unknown_one_answers_400(db, api_as):
    ContextIssueFactory(title="B")
    ContextIssueFactory(title="A")
    ContextIssueFactory(title="C")
    client = api_as("compliance_officer")

    ascending = client.get(api_url(ISSUES), {"ordering": "title"})
    descending = client.get(api_url(ISSUES), {"ordering": "-title"})
    unknown = client.get(api_url(ISSUES), {"ordering": "description"})

    assert "title" in orderable_fields(ISSUES)
    assert [row["title"] for row in rows(ascending)] == ["A", "B", "C"]
    assert [row["title"] for row in rows(descending)] == ["C", "B", "A"]
    assert unknown.status_code == 400
    assert "ordering" in unknown.json()


def test_pages_have_a_size_chosen_up_to_a_limit(db, api_as):
    ContextIssueFactory.create_batch(3)
    client = api_as("compliance_officer")

    first = client.get(api_url(ISSUES), {"page_size": 2}).json()
    second = client.get(api_url(ISSUES), {"page_size": 2, "page": 2}).json()
    beyond = client.get(api_url(ISSUES), {"page_size": 2, "page": 3})
    capped = client.get(api_url(ISSUES), {"page_size": 10**6})

    assert first["count"] == 3
    assert len(first["results"]) == 2 and first["next"]
    assert len(second["results"]) == 1 and second["next"] is None
    assert beyond.status_code == 404
    assert capped.status_code == 200


# The session of the browser


def test_a_session_that_owes_its_second_factor_gets_403_not_a_redirect(db, make_user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = make_user("compliance_officer")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = api_client_for(user)
    session = client.session
    session["aims_mfa_required"] = True
    session.save()

    response = client.get(api_url(ISSUES))

    assert response.status_code == 403
    assert response.json()["detail"]


def test_an_idle_session_gets_401_not_a_redirect(db, make_user):
    from aims.core.sessions import LAST_ACTIVITY

    client = api_client_for(make_user("compliance_officer"))
    session = client.session
    session[LAST_ACTIVITY] = 0
    session.save()

    response = client.get(api_url(ISSUES))

    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_a_list_takes_as_many_queries_for_many_entries_as_for_one(db, api_as, register):
    client = api_as("compliance_officer")
    factory = REGISTER_FACTORIES[register.model]
    factory()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(api_url(register), {"page_size": 500}).status_code == 200
        return len(captured)

    one = queries()
    for _ in range(4):
        factory()
    assert queries() == one
