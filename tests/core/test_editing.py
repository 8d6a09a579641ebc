"""Stale edits, history and bad input through the generic register views."""

import pytest
from django import forms
from django.urls import reverse

from aims.context.forms import ContextIssueForm
from aims.context.models import AIPolicy, ContextIssue, InterestedParty, ScopeStatement
from aims.core.registry import registry
from aims.core.services import Locked, StaleEdit, register_entry_save
from tests.concurrency import at_once
from tests.conftest import (
    ADD_REGISTER_IDS,
    ADD_REGISTERS,
    FORM_REGISTER_IDS,
    FORM_REGISTERS,
    form_payload,
    new_object_payload,
)
from tests.factories import (
    REGISTER_FACTORIES,
    AIPolicyFactory,
    ContextIssueFactory,
    InterestedPartyFactory,
    PartyRequirementFactory,
    ScopeStatementFactory,
    UserFactory,
)

SCRIPT = '<script>alert("x")</script><b onmouseover=alert(1)>bold</b>'


@pytest.fixture
def two_officers(db):
    return (
        UserFactory(username="first", role="Compliance Officer"),
        UserFactory(username="second", role="Compliance Officer"),
    )


def test_a_stale_save_is_refused_and_keeps_the_users_input(client, two_officers):
    first, second = two_officers
    party = InterestedPartyFactory(name="BaFin")
    register_url = reverse("context:interestedparty_edit", args=[party.pk])

    # Both open the form at version 1.
    client.force_login(first)
    first_form = form_payload_for(client, register_url)
    client.force_login(second)
    second_form = form_payload_for(client, register_url)

    client.force_login(first)
    assert (
        client.post(register_url, {**first_form, "name": "BaFin (supervisor)"}).status_code == 302
    )

    client.force_login(second)
    response = client.post(register_url, {**second_form, "name": "Federal regulator"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else saved this record" in page
    assert 'value="Federal regulator"' in page  # the second user's input is still in the form
    assert "Changed meanwhile: name." in page
    assert "Edit IP-001 BaFin (supervisor)" in page  # the heading shows what is stored
    party.refresh_from_db()
    assert party.name == "BaFin (supervisor)"
    assert party.version == 2


def test_after_a_refused_save_a_deliberate_second_save_wins(client, two_officers):
    first, second = two_officers
    party = InterestedPartyFactory(name="BaFin")
    edit_url = reverse("context:interestedparty_edit", args=[party.pk])
    stale = form_payload(registry[InterestedParty], party, second)
    client.force_login(first)
    client.post(edit_url, {**form_payload(registry[InterestedParty], party, first), "name": "A"})
    client.force_login(second)
    refused = client.post(edit_url, {**stale, "name": "B"})
    assert 'name="loaded_version" value="2"' in refused.content.decode()
    assert client.post(edit_url, {**stale, "name": "B", "loaded_version": 2}).status_code == 302
    party.refresh_from_db()
    assert party.name == "B"


# The save service itself: the views rely on it, so its checks are tested where they live.


def bound_form(model, user, pk, **changes):
    """The register's form as a user posts it, on the entry as loaded now."""
    register = registry[model]
    obj = model.objects.get(pk=pk)
    form = register.form({**form_payload(register, obj, user), **changes}, instance=obj, user=user)
    assert form.is_valid(), form.errors
    return form


def test_the_save_service_refuses_a_form_whose_entry_was_saved_after_it_was_loaded(
    two_officers,
):
    first, second = two_officers
    party = InterestedPartyFactory(name="BaFin")
    # The second officer loads the entry (and with it the object the form edits) at version 1.
    stale = bound_form(InterestedParty, second, party.pk, name="Federal regulator")
    register_entry_save(
        form=bound_form(InterestedParty, first, party.pk, name="BaFin (supervisor)"), user=first
    )
    with pytest.raises(StaleEdit) as refusal:
        register_entry_save(form=stale, user=second)
    assert refusal.value.current.version == 2
    party.refresh_from_db()
    assert (party.name, party.version) == ("BaFin (supervisor)", 2)
    assert party.history.count() == 2


def test_the_save_service_refuses_a_locked_entry_whoever_calls_it(compliance_officer):
    policy = AIPolicyFactory(title="AI policy", status=AIPolicy.Status.APPROVED)
    # A form loaded at the current version: only the lock stands in the way.
    form = bound_form(AIPolicy, compliance_officer, policy.pk, title="Rewritten")
    with pytest.raises(Locked, match="Only a draft can be changed or deleted"):
        register_entry_save(form=form, user=compliance_officer)
    policy.refresh_from_db()
    assert (policy.title, policy.version) == ("AI policy", 1)


@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_version_at_once_yield_one_save_and_one_refusal():
    first = UserFactory(username="first", role="Compliance Officer")
    second = UserFactory(username="second", role="Compliance Officer")
    party = InterestedPartyFactory(name="BaFin")
    forms_by_user = {
        first: bound_form(InterestedParty, first, party.pk, name="Name by first"),
        second: bound_form(InterestedParty, second, party.pk, name="Name by second"),
    }
    outcomes = at_once(
        list(forms_by_user),
        lambda user: register_entry_save(form=forms_by_user[user], user=user),
        writes=InterestedParty,
        refused=StaleEdit,
    )

    assert sorted(map(str, outcomes.values())) == ["done", "stale edit"], outcomes
    winner = next(user.username for user, outcome in outcomes.items() if outcome == "done")
    party.refresh_from_db()
    assert (party.name, party.version) == (f"Name by {winner}", 2)
    assert party.history.count() == 2  # created, then saved once


def form_payload_for(client, edit_url):
    """The fields as the edit page renders them, including the hidden loaded version."""
    response = client.get(edit_url)
    form = response.context["form"]
    return {
        name: form[name].value() if form[name].value() is not None else "" for name in form.fields
    }


def test_history_tab_shows_who_changed_what_from_what_to_what(client, compliance_officer):
    issue = ContextIssueFactory(title="Old title")
    client.force_login(compliance_officer)
    payload = form_payload(registry[ContextIssue], issue, compliance_officer)
    client.post(
        reverse("context:contextissue_edit", args=[issue.pk]), {**payload, "title": "New title"}
    )

    response = client.get(reverse("context:contextissue_history", args=[issue.pk]))
    entries = response.context["page"].object_list
    newest = entries[0]
    assert str(newest["who"]) == str(compliance_officer)
    assert [(str(label), old, new) for label, old, new in newest["changes"]] == [
        ("title", "Old title", "New title")
    ]
    page = response.content.decode()
    assert "Old title" in page and "New title" in page
    assert entries[-1]["record"].history_type == "+"


@pytest.mark.parametrize("register", ADD_REGISTERS, ids=ADD_REGISTER_IDS)
def test_missing_values_get_field_errors_and_save_nothing(client, editor, register):
    client.force_login(editor(register))
    count = register.model.objects.count()
    response = client.post(reverse(register.url_name("add")), {})
    assert response.status_code == 200
    form = response.context["form"]
    required = {name for name, f in form.fields.items() if f.required}
    assert required and required <= set(form.errors)
    assert 'aria-invalid="true"' in response.content.decode()
    assert register.model.objects.count() == count


def text_limits(register):
    """The form's free-text fields and their length limits (a URL or an e-mail address is not
    free text)."""
    return {
        name: f.max_length
        for name, f in register.form.base_fields.items()
        if getattr(f, "max_length", None)
        and not getattr(f, "choices", None)
        and not isinstance(f, forms.URLField | forms.EmailField)
    }


TEXT_REGISTERS = [r for r in FORM_REGISTERS if text_limits(r)]
ADD_TEXT_REGISTERS = [r for r in TEXT_REGISTERS if r in ADD_REGISTERS]


def typed_fields(form):
    """Fields of the edit form that take a choice, a number or a date rather than free text
    (disabled fields ignore what is posted, and a file field reads files, not text)."""
    return [
        name
        for name, f in form.fields.items()
        if name != "loaded_version"
        and not f.disabled
        and not isinstance(f, forms.FileField)
        and not isinstance(f, forms.BooleanField)  # a checkbox reads any text as ticked
        and (hasattr(f, "choices") or type(f) is not forms.CharField)
    ]


@pytest.mark.parametrize("register", FORM_REGISTERS, ids=FORM_REGISTER_IDS)
def test_script_in_choice_number_and_date_fields_gets_field_errors(client, editor, register):
    obj = REGISTER_FACTORIES[register.model]()
    user = editor(register)
    client.force_login(user)
    payload = form_payload(register, obj, user)
    fields = typed_fields(register.form(instance=obj, user=user))
    assert fields
    for name in fields:
        payload[name] = SCRIPT
    response = client.post(reverse(register.url_name("edit"), args=[obj.pk]), payload)
    assert response.status_code == 200
    assert set(fields) <= set(response.context["form"].errors)
    assert "<script>alert" not in response.content.decode()
    assert register.model.objects.get(pk=obj.pk).version == obj.version


@pytest.mark.parametrize("register", TEXT_REGISTERS, ids=[r.model_name for r in TEXT_REGISTERS])
def test_overlong_values_get_field_errors_and_change_nothing(client, editor, register):
    obj = REGISTER_FACTORIES[register.model]()
    user = editor(register)
    client.force_login(user)
    payload = form_payload(register, obj, user)
    # Forms may leave out sections; a disabled field ignores what is posted.
    fields = register.form(instance=obj, user=user).fields
    shown = [name for name, f in fields.items() if not f.disabled]
    limited = {name: limit for name, limit in text_limits(register).items() if name in shown}
    for name, limit in limited.items():
        payload[name] = "x" * (limit + 1)
    before = register.model.objects.get(pk=obj.pk)
    response = client.post(reverse(register.url_name("edit"), args=[obj.pk]), payload)
    assert response.status_code == 200
    assert set(limited) <= set(response.context["form"].errors)
    after = register.model.objects.get(pk=obj.pk)
    assert after.version == before.version
    # A form's own fields (a new supplier's name) are checked through the errors above.
    stored = {f.name for f in register.model._meta.concrete_fields}
    assert all(getattr(after, n) == getattr(before, n) for n in limited if n in stored)


@pytest.mark.parametrize(
    "register", ADD_TEXT_REGISTERS, ids=[r.model_name for r in ADD_TEXT_REGISTERS]
)
def test_html_in_text_is_stored_as_text_and_shown_escaped(client, editor, register):
    user = editor(register)
    client.force_login(user)
    payload = new_object_payload(register, user)
    for name, limit in text_limits(register).items():
        if name != "reference" and limit > len(SCRIPT) + 30:
            payload[name] = SCRIPT + name
    response = client.post(reverse(register.url_name("add")), payload)
    assert response.status_code == 302, response.content.decode()[:3000]
    detail = client.get(response["Location"]).content.decode()
    assert "<script>alert" not in detail
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in detail
    listing = client.get(reverse(register.url_name("list"))).content.decode()
    assert "<script>alert" not in listing


def test_delete_asks_first_and_refuses_while_other_entries_refer(client, compliance_officer):
    requirement = PartyRequirementFactory(title="Documentation on request")
    party = requirement.party
    client.force_login(compliance_officer)
    delete_url = reverse("context:interestedparty_delete", args=[party.pk])
    confirm = client.get(delete_url).content.decode()
    assert "Yes, delete" in confirm
    assert InterestedParty.objects.filter(pk=party.pk).exists()
    response = client.post(delete_url)
    assert response.status_code == 409
    assert str(requirement) in response.content.decode()
    assert InterestedParty.objects.filter(pk=party.pk).exists()


def test_a_second_current_scope_statement_is_refused_with_a_message(client, compliance_officer):
    ScopeStatementFactory(status="current")
    draft = ScopeStatementFactory()
    client.force_login(compliance_officer)
    payload = form_payload(registry[ScopeStatement], draft, compliance_officer)
    response = client.post(
        reverse("context:scopestatement_edit", args=[draft.pk]), {**payload, "status": "current"}
    )
    assert response.context["form"].non_field_errors() == [
        "Another scope statement is already current. Mark it superseded first."
    ]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_references_are_numbered_on_from_the_highest(db):
    ContextIssueFactory(reference="CTX-041")
    ContextIssueFactory(reference="CTX-A")
    assert ContextIssueFactory().reference == "CTX-042"


def test_a_reference_drawn_twice_is_drawn_again(db, monkeypatch):
    taken = ContextIssueFactory()
    draws = iter([taken.reference, "CTX-777"])
    monkeypatch.setattr(ContextIssue, "next_reference", classmethod(lambda cls: next(draws)))
    assert ContextIssueFactory().reference == "CTX-777"


def test_a_hand_typed_giant_reference_does_not_block_numbering(db):
    ContextIssueFactory(reference="CTX-" + "9" * 26)
    ContextIssueFactory(reference="CTX-007")
    assert ContextIssueFactory().reference == "CTX-008"


def test_the_reference_cannot_be_cleared_on_edit(client, compliance_officer):
    issue = ContextIssueFactory()
    client.force_login(compliance_officer)
    payload = form_payload(registry[ContextIssue], issue, compliance_officer)
    response = client.post(
        reverse("context:contextissue_edit", args=[issue.pk]), {**payload, "reference": ""}
    )
    assert "reference" in response.context["form"].errors
    issue.refresh_from_db()
    assert issue.reference == "CTX-001"


def test_line_breaks_in_single_line_fields_are_refused(client, compliance_officer):
    issue = ContextIssueFactory()
    client.force_login(compliance_officer)
    payload = form_payload(registry[ContextIssue], issue, compliance_officer)
    response = client.post(
        reverse("context:contextissue_edit", args=[issue.pk]),
        {**payload, "title": "Title\r\nBcc: someone@example.test"},
    )
    assert response.context["form"].errors["title"] == [
        "Line breaks and control characters are not allowed here."
    ]


def test_a_deactivated_owner_survives_an_edit_by_someone_else(client, compliance_officer):
    owner = UserFactory(role="System Owner")
    issue = ContextIssueFactory(owner=owner)
    owner.is_active = False
    owner.save()
    client.force_login(compliance_officer)
    edit_url = reverse("context:contextissue_edit", args=[issue.pk])
    form = client.get(edit_url).context["form"]
    assert owner in form.fields["owner"].queryset
    payload = form_payload(registry[ContextIssue], issue, compliance_officer)
    assert client.post(edit_url, {**payload, "title": "Renamed"}).status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.owner) == ("Renamed", owner)
    assert owner not in ContextIssueForm(user=compliance_officer).fields["owner"].queryset


def test_history_pages_diff_across_the_page_boundary(client, compliance_officer, settings):
    settings.REGISTER_PAGE_SIZE = 2
    issue = ContextIssueFactory(title="v0")
    for n in range(1, 4):
        issue.title = f"v{n}"
        issue.save()
    client.force_login(compliance_officer)
    url = reverse("context:contextissue_history", args=[issue.pk])
    first = client.get(url).context["page"]
    second = client.get(url, {"page": 2}).context["page"]
    titles = [
        (old, new)
        for entry in [*first.object_list, *second.object_list]
        for label, old, new in entry["changes"]
        if label == "title"
    ]
    assert titles == [("v2", "v3"), ("v1", "v2"), ("v0", "v1"), ("—", "v0")]
