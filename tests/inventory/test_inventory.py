"""The AI system inventory in use: scope, questionnaire, re-classification, obligations."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core.registry import registry
from aims.inventory.models import AIActObligation, AISystem, Classification, ModelVersion
from tests.conftest import form_payload
from tests.factories import (
    AISystemFactory,
    DatasetFactory,
    ModelVersionFactory,
    ScopeStatementFactory,
    ThirdPartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.usefixtures("ai_act_obligations")


def test_a_system_owner_edits_their_own_system(client, system_owner):
    system = AISystemFactory(owner=system_owner)
    client.force_login(system_owner)
    payload = form_payload(registry[AISystem], system, system_owner)
    response = client.post(
        reverse("inventory:aisystem_edit", args=[system.pk]),
        {**payload, "human_oversight": "Weekly sample review."},
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.human_oversight == "Weekly sample review."


def test_a_system_owner_cannot_open_the_edit_form_of_another_owners_system(client, system_owner):
    # They read every system: refused with 403, which names who may change it.
    system = AISystemFactory(owner=UserFactory(role="System Owner"))
    client.force_login(system_owner)
    assert client.get(reverse("inventory:aisystem_edit", args=[system.pk])).status_code == 403
    assert client.get(reverse("inventory:classify", args=[system.pk])).status_code == 403


def test_a_system_owner_records_model_versions_of_their_own_systems_only(client, system_owner):
    own = AISystemFactory(owner=system_owner)
    other = AISystemFactory()
    client.force_login(system_owner)
    add = reverse("inventory:modelversion_add")
    form = client.get(add).context["form"]
    assert list(form.fields["system"].queryset) == [own]
    base = {"version_label": "2.0", "loaded_version": ""}
    assert client.post(add, {**base, "system": own.pk}).status_code == 302
    response = client.post(add, {**base, "system": other.pk})
    assert "system" in response.context["form"].errors
    assert list(ModelVersion.objects.values_list("system", flat=True)) == [own.pk]


def list_queries(client):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("inventory:aisystem_list")).status_code == 200
    return len(captured)


def test_the_inventory_list_costs_the_same_with_many_versions_datasets_and_suppliers(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    AISystemFactory.create_batch(5)
    plain = list_queries(client)
    for system in AISystemFactory.create_batch(20):
        ModelVersionFactory.create_batch(5, system=system)
        for dataset in DatasetFactory.create_batch(3):
            dataset.systems.add(system)
        ThirdPartyFactory().systems.add(system)
    assert list_queries(client) == plain


def start_questionnaire(client, system):
    url = reverse("inventory:classify", args=[system.pk])
    steps = [
        ("prohibited", {}),
        ("annex_i", {"annex_i_product": "False"}),
        ("annex_iii", {"annex_iii_area": "employment"}),
        (
            "exemptions",
            {"profiling": "True", "public_body": "False", "credit_or_insurance": "False"},
        ),
        (
            "transparency",
            {
                key: "False"
                for key in (
                    "interacts_with_people",
                    "synthetic_content",
                    "emotion_or_biometric",
                    "deepfake_or_public_text",
                    "gpai",
                    "gpai_systemic",
                    "becomes_provider",
                )
            },
        ),
    ]
    for step, data in steps:
        response = client.post(f"{url}?step={step}", data)
        assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].endswith("step=review")
    return url


def test_classifying_a_cv_screening_tool_as_deployer(client, compliance_officer):
    system = AISystemFactory(name="CV screening", ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    url = start_questionnaire(client, system)
    review = client.get(f"{url}?step=review")
    page = review.content.decode()
    assert "High-risk (Annex III, employment)" in page
    articles = [o.article for o in review.context["obligations"]]
    assert "Art. 26(1)" in articles and "Art. 9" not in articles
    assert client.post(f"{url}?step=review").status_code == 302
    record = Classification.objects.get()
    assert (record.number, record.tier, record.annex_iii_area) == (1, "high_risk", "employment")
    assert record.roles == ["deployer"] and record.classified_by == compliance_officer
    assert record.summary == "High-risk (Annex III, employment)"
    detail = client.get(system.get_absolute_url()).content.decode()
    assert "High-risk (Annex III, employment)" in detail and "Art. 26(1)" in detail


def test_the_questionnaire_skips_exemptions_without_an_annex_iii_area(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    response = client.post(f"{url}?step=annex_iii", {"annex_iii_area": ""})
    assert response["Location"].endswith("step=transparency")


def test_a_prohibited_practice_ends_the_questionnaire(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    response = client.post(f"{url}?step=prohibited", {"prohibited": ["social_scoring"]})
    assert response["Location"].endswith("step=review")
    assert "Prohibited (Art. 5)" in client.get(response["Location"]).content.decode()


def test_unknown_answers_are_refused_at_the_field(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    response = client.post(f"{url}?step=annex_iii", {"annex_iii_area": "<b>everything</b>"})
    assert response.status_code == 200
    assert "annex_iii_area" in response.context["form"].errors


def test_classifying_again_numbers_the_records_and_keeps_the_first(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    for _ in range(2):
        url = start_questionnaire(client, system)
        client.post(f"{url}?step=review")
    assert list(system.classifications.values_list("number", flat=True)) == [2, 1]


def test_classifications_are_records_nobody_changes(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    client.post(f"{start_questionnaire(client, system)}?step=review")
    record = Classification.objects.get()
    delete = reverse("inventory:classification_delete", args=[record.pk])
    assert client.post(delete).status_code == 403  # no role may delete them
    client.force_login(UserFactory(is_superuser=True))  # and not even a superuser
    response = client.post(delete, follow=True)
    assert "A classification is a record and is never changed" in response.content.decode()
    assert Classification.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("purpose", "Ranks applicants and sends rejections."),
        ("ai_act_roles", ["provider"]),
        ("area_of_use", "Promotion decisions"),
    ],
)
def test_changing_purpose_role_or_area_asks_for_re_classification(
    client, compliance_officer, field, value
):
    system = AISystemFactory(ai_act_roles=["deployer"], area_of_use="Recruiting")
    client.force_login(compliance_officer)
    client.post(f"{start_questionnaire(client, system)}?step=review")
    system.refresh_from_db()
    assert not system.reclassification_needed
    setattr(system, field, value)
    system.save()
    system.refresh_from_db()
    assert system.reclassification_needed
    assert "re-classification needed" in client.get(system.get_absolute_url()).content.decode()
    client.post(f"{start_questionnaire(client, system)}?step=review")
    system.refresh_from_db()
    assert not system.reclassification_needed


def test_other_edits_do_not_ask_for_re_classification(compliance_officer):
    system = AISystemFactory()
    Classification.objects.create(
        system=system,
        number=1,
        classified_on=datetime.date(2026, 1, 1),
        classified_by=compliance_officer,
        answers={},
        tier="minimal",
        summary="Minimal risk",
        trail=[],
    )
    system.geography = "Austria"
    system.save()
    system.refresh_from_db()
    assert not system.reclassification_needed


def test_administrators_move_an_application_date_and_the_system_page_follows(
    client, make_user, compliance_officer
):
    system = AISystemFactory(ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    client.post(f"{start_questionnaire(client, system)}?step=review")
    obligation = AIActObligation.objects.get(code="annex3-art-26-use-per-instructions")
    admin = make_user("administrator")
    client.force_login(admin)
    payload = form_payload(registry[AIActObligation], obligation, admin)
    response = client.post(
        reverse("inventory:aiactobligation_edit", args=[obligation.pk]),
        {**payload, "application_date": "2028-03-01"},
    )
    assert response.status_code == 302
    assert "1 Mar 2028" in client.get(system.get_absolute_url()).content.decode()
    client.force_login(compliance_officer)
    response = client.get(reverse("inventory:aiactobligation_edit", args=[obligation.pk]))
    assert response.status_code == 403  # read, but changed by administrators only


def test_the_scope_statement_lists_the_systems_in_scope(client, auditor):
    scope = ScopeStatementFactory()
    AISystemFactory(name="Claims triage", in_scope=True)
    AISystemFactory(name="Lab experiment", in_scope=False)
    client.force_login(auditor)
    page = client.get(scope.get_absolute_url()).content.decode()
    assert "Claims triage" in page and "Lab experiment" not in page


def test_the_overview_draws_tiers_stages_and_roles(client, auditor, compliance_officer):
    AISystemFactory(next_review=datetime.date(2020, 1, 1), ai_act_roles=["provider"])
    classified = AISystemFactory(ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    client.post(f"{start_questionnaire(client, classified)}?step=review")
    client.force_login(auditor)
    response = client.get(reverse("inventory:dashboard"))
    charts = dict(response.context["charts"])
    assert [b["count"] for b in charts["By our EU AI Act role"] if b["code"] == "provider"] == [1]
    tiers = {b["code"]: (b["count"], b["percent"]) for b in charts["By risk tier"]}
    assert tiers == {"prohibited": (0, 0), "high_risk": (1, 50), "minimal": (0, 0)}
    lists = {str(heading): systems for heading, systems, _empty in response.context["lists"]}
    assert len(lists["Overdue reviews"]) == 1 and len(lists["Not classified"]) == 1
    assert 'role="img"' in response.content.decode()


def test_dataset_links_show_in_history(client, compliance_officer):
    dataset = DatasetFactory()
    system = AISystemFactory(name="Claims triage")
    dataset.systems.add(system)
    client.force_login(compliance_officer)
    response = client.get(reverse("inventory:dataset_history", args=[dataset.pk]))
    changes = [c for entry in response.context["page"].object_list for c in entry["changes"]]
    assert ("AI systems", "—", str(system)) in [(str(a), b, c) for a, b, c in changes]


def test_a_system_owner_cannot_hand_their_system_to_someone_else(client, system_owner):
    system = AISystemFactory(owner=system_owner)
    client.force_login(system_owner)
    payload = form_payload(registry[AISystem], system, system_owner)
    client.post(
        reverse("inventory:aisystem_edit", args=[system.pk]),
        {**payload, "owner": UserFactory().pk},
    )
    system.refresh_from_db()
    assert system.owner == system_owner


def test_a_junk_prefill_in_the_address_is_ignored(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.get(reverse("inventory:aisystem_add"), {"owner": "abc"})
    assert response.status_code == 200


def test_an_unrelated_edit_in_the_browser_keeps_the_classification_current(
    client, compliance_officer
):
    system = AISystemFactory(
        ai_act_roles=["deployer", "provider"], purpose="Line one\nLine two", area_of_use="HR"
    )
    client.force_login(compliance_officer)
    client.post(f"{start_questionnaire(client, system)}?step=review")
    payload = form_payload(registry[AISystem], system, compliance_officer)
    payload["purpose"] = "Line one\r\nLine two"  # as browsers send a textarea
    response = client.post(
        reverse("inventory:aisystem_edit", args=[system.pk]), {**payload, "geography": "Austria"}
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.geography == "Austria" and system.purpose == "Line one\nLine two"
    assert not system.reclassification_needed


def test_the_review_sends_back_to_the_first_unanswered_step(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    response = client.post(f"{url}?step=review")
    assert response["Location"].endswith("step=annex_i")
    assert not Classification.objects.exists()


def test_answers_left_behind_do_not_count(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    url = start_questionnaire(client, system)  # employment, profiling
    client.post(f"{url}?step=annex_iii", {"annex_iii_area": ""})  # changes their mind
    client.post(f"{url}?step=review")
    record = Classification.objects.get()
    assert record.tier == "minimal"
    assert record.answers["profiling"] is False and record.answers["annex_iii_area"] == ""


def test_a_linked_system_deleted_since_still_shows_in_the_history(client, compliance_officer):
    dataset = DatasetFactory()
    system = AISystemFactory()
    dataset.systems.add(system)
    pk = system.pk
    system.delete()
    client.force_login(compliance_officer)
    response = client.get(reverse("inventory:dataset_history", args=[dataset.pk]))
    changes = [c for entry in response.context["page"].object_list for c in entry["changes"]]
    assert f"#{pk}" in [new for _label, _old, new in changes]


def test_a_classified_system_cannot_be_deleted(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    client.post(f"{start_questionnaire(client, system)}?step=review")
    response = client.post(reverse("inventory:aisystem_delete", args=[system.pk]))
    assert response.status_code == 409
    assert AISystem.objects.filter(pk=system.pk).exists()


def test_no_role_means_no_obligations_and_the_review_says_so(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=[])
    client.force_login(compliance_officer)
    review = client.get(f"{start_questionnaire(client, system)}?step=review")
    assert "No EU AI Act role is recorded for this system" in review.content.decode()


def test_filtering_obligations_by_role_keeps_those_for_every_role(client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("inventory:aiactobligation_list"), {"roles": "distributor"})
    articles = {row.record.article for row in response.context["table"].page.object_list}
    assert "Art. 5" in articles  # no roles: applies to everyone


def test_re_purposing_a_high_risk_system_records_us_as_provider(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    url = start_questionnaire(client, system)
    answers = {
        key: "False"
        for key in (
            "interacts_with_people",
            "synthetic_content",
            "emotion_or_biometric",
            "deepfake_or_public_text",
            "gpai",
            "gpai_systemic",
        )
    }
    client.post(f"{url}?step=transparency", {**answers, "becomes_provider": "True"})
    review = client.get(f"{url}?step=review")
    assert "Art. 9" in [o.article for o in review.context["obligations"]]
    client.post(f"{url}?step=review")
    assert Classification.objects.get().roles == ["provider", "deployer"]
