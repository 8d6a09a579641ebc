"""Generated from the registry: object keys beyond the database's integer range, posted to every
object field of every register form and sent to every object filter of every register list,
answer a field error, never 500 (SQLite raises OverflowError and PostgreSQL "value out of range"
once such a key reaches a query). The forms outside the registry that offer objects are checked
directly."""

import pytest
from django import forms
from django.urls import reverse

from aims.core.approvals import approvals
from aims.core.forms import guard_keys
from aims.impact.approvals import AssessmentDecisionForm
from aims.impact.forms import ConditionMetForm
from aims.inventory.models import AISystem, ThirdParty
from risks.forms import RiskFromLibraryForm
from tests.conftest import (
    FORM_REGISTER_IDS,
    FORM_REGISTERS,
    REGISTER_IDS,
    REGISTERS,
    new_object_payload,
)
from tests.factories import AISystemFactory, ThirdPartyFactory

HUGE_KEYS = [str(2**63), str(2**64), "99999999999999999999999", "-1"]


def object_fields(form):
    return [
        name
        for name, field in form.fields.items()
        if isinstance(field, forms.ModelChoiceField) and not field.disabled
    ]


def object_filters(register):
    return [
        name
        for name, model_filter in register.filterset.base_filters.items()
        if issubclass(model_filter.field_class, forms.ModelChoiceField)
    ]


@pytest.mark.parametrize("register", FORM_REGISTERS, ids=FORM_REGISTER_IDS)
def test_huge_keys_in_any_object_field_of_a_register_form_are_a_field_error(
    client, editor, register
):
    user = editor(register)
    client.force_login(user)
    payload = new_object_payload(register, user)
    count = register.model.objects.count()
    names = object_fields(register.form(user=user))
    for name in names:
        multiple = isinstance(register.form(user=user).fields[name], forms.ModelMultipleChoiceField)
        for key in HUGE_KEYS:
            data = {**payload, name: [key] if multiple else key}
            response = client.post(reverse(register.url_name("add")), data)
            assert response.status_code == 200, (name, key)
            assert name in response.context["form"].errors, (name, key)
    assert register.model.objects.count() == count


def test_the_register_forms_offer_object_fields_to_check(compliance_officer):
    """The generated test above has something to post: most registers link objects."""
    with_fields = [r for r in FORM_REGISTERS if object_fields(r.form(user=compliance_officer))]
    assert len(with_fields) >= 10


@pytest.mark.parametrize("register", REGISTERS, ids=REGISTER_IDS)
def test_huge_keys_in_any_object_filter_of_a_register_list_or_export_show_nothing_and_the_error(
    client, compliance_officer, register
):
    client.force_login(compliance_officer)
    for name in object_filters(register):
        for key in HUGE_KEYS:
            response = client.get(reverse(register.url_name("list")), {name: key})
            assert response.status_code == 200, (name, key)
            assert name in response.context["filterset"].form.errors, (name, key)
            assert response.context["table"].paginator.count == 0, (name, key)
            export = reverse(register.url_name("export"), kwargs={"fmt": "csv"})
            assert client.get(export, {name: key}).status_code == 200, (name, key)


def test_the_register_lists_offer_object_filters_to_check():
    assert sum(1 for r in REGISTERS if object_filters(r)) >= 10


def test_a_key_in_range_still_filters_the_list(client, compliance_officer):
    supplier = ThirdPartyFactory()
    system = AISystemFactory()
    supplier.systems.add(system)
    ThirdPartyFactory()
    client.force_login(compliance_officer)
    response = client.get(reverse("inventory:thirdparty_list"), {"systems": system.pk})
    assert response.status_code == 200
    assert [row.record for row in response.context["table"].rows] == [supplier]
    assert ThirdParty.objects.count() == 2


@pytest.mark.parametrize("key", HUGE_KEYS)
def test_a_huge_key_for_a_condition_owner_on_the_decide_form_is_a_field_error(
    compliance_officer, key
):
    approval = next(a for a in approvals if a.form_class is AssessmentDecisionForm)
    form = approval.form_class(
        data={"condition_0_owner": key}, approval=approval, user=compliance_officer
    )
    assert not form.is_valid()
    assert "condition_0_owner" in form.errors


@pytest.mark.parametrize("key", HUGE_KEYS)
def test_a_huge_evidence_key_on_the_condition_met_form_is_a_field_error(compliance_officer, key):
    form = ConditionMetForm(data={"met_on": "2026-01-05", "evidence": key}, user=compliance_officer)
    assert not form.is_valid()
    assert "evidence" in form.errors


@pytest.mark.parametrize("key", HUGE_KEYS)
def test_a_huge_system_key_on_the_risk_from_library_form_is_a_field_error(compliance_officer, key):
    AISystemFactory()
    form = RiskFromLibraryForm(data={"ai_systems": [key]}, user=compliance_officer)
    assert not form.is_valid()
    assert "ai_systems" in form.errors


def test_a_guarded_field_still_accepts_an_existing_key(db):
    system = AISystemFactory()
    fields = {"systems": forms.ModelMultipleChoiceField(queryset=AISystem.objects.all())}
    guard_keys(fields)
    assert list(fields["systems"].clean([str(system.pk)])) == [system]


def test_a_guarded_field_refuses_the_first_key_past_the_range_with_the_usual_message(db):
    AISystemFactory()
    fields = {"system": forms.ModelChoiceField(queryset=AISystem.objects.all())}
    guard_keys(fields)
    with pytest.raises(forms.ValidationError) as refused:
        fields["system"].clean(str(2**63))
    assert refused.value.code == "invalid_choice"
