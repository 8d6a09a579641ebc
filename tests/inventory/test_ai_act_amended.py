"""The EU AI Act as amended by the Digital Omnibus, and the classifier's cases found on real
systems: area exclusions, route priorities, GPAI, Art. 86, obligations once and in article order,
the questionnaire's path, step counter and pre-filled answers, history of shipped dates, and the
one Art. 27 (FRIA) rule."""

import datetime
import re

import pytest
from django.urls import reverse

from aims.inventory.classification import (
    Answers,
    applicable_obligations,
    article_sort_key,
    classify,
)
from aims.inventory.models import AIActObligation, Classification
from aims.inventory.services import ai_system_classify
from tests.conftest import form_payload
from tests.factories import AISystemFactory, ClassificationFactory, UserFactory

NO_TRANSPARENCY = {
    key: "False"
    for key in (
        "interacts_with_people",
        "synthetic_content",
        "emotion_or_biometric",
        "deepfake_or_public_text",
        "gpai",
        "becomes_provider",
    )
}


def shipped(**filters):
    return list(AIActObligation.objects.filter(**filters))


def obligations_for(answers, roles):
    return applicable_obligations(classify(answers), roles, AIActObligation.objects.all())


def articles(selected):
    return [obligation.article for obligation in selected]


# --- The new prohibition (Digital Omnibus) ----------------------------------------------------


def test_generating_intimate_imagery_or_csam_is_a_prohibited_practice():
    result = classify(Answers(prohibited=("intimate_imagery_csam",), synthetic_content=True))
    assert result.tier == "prohibited"
    assert result.summary == "Prohibited (Art. 5)"
    assert result.conditions == frozenset({"all", "prohibited_intimate_imagery"})
    assert "non-consensual intimate images" in " ".join(result.trail)


def test_the_new_prohibition_applies_from_2_december_2026_by_the_amending_act(
    ai_act_obligations,
):
    selected = obligations_for(Answers(prohibited=("intimate_imagery_csam",)), ["deployer"])
    prohibition = [o for o in selected if o.condition != "all"]
    assert [o.code for o in prohibition] == ["art-5-intimate-imagery-csam"]
    assert prohibition[0].application_date == datetime.date(2026, 12, 2)
    assert prohibition[0].date_source == AIActObligation.DateSource.DIGITAL_OMNIBUS


def test_the_earlier_prohibitions_keep_their_2025_date_from_art_113(ai_act_obligations):
    selected = obligations_for(Answers(prohibited=("social_scoring",)), ["provider"])
    prohibition = [o for o in selected if o.condition == "prohibited"]
    assert [o.code for o in prohibition] == ["art-5-prohibited-practice"]
    assert prohibition[0].application_date == datetime.date(2025, 2, 2)
    assert prohibition[0].date_source == AIActObligation.DateSource.ART_113


def test_the_questionnaire_offers_the_new_prohibition(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Generating non-consensual intimate images" in page.content.decode()
    response = client.post(f"{url}?step=prohibited", {"prohibited": ["intimate_imagery_csam"]})
    assert response["Location"].endswith("step=review")
    review = client.get(response["Location"])
    assert "art-5-intimate-imagery-csam" in [o.code for o in review.context["obligations"]]


def test_every_shipped_date_names_its_legal_source(ai_act_obligations):
    sources = {o.code: o.date_source for o in AIActObligation.objects.all()}
    assert sources["art-4-ai-literacy"] == "art_113"
    assert sources["art-50-1-disclose-interaction"] == "art_113"
    assert sources["art-53-gpai-documentation"] == "art_113"
    assert sources["annex3-art-9-risk-management"] == "digital_omnibus"
    assert sources["annex1-art-43-conformity-assessment"] == "digital_omnibus"
    assert sources["art-27-fria"] == "digital_omnibus"


ROW = r"(?:(?!</tr>).)*"  # the rest of the same table row


def test_the_review_and_the_system_page_show_each_date_with_its_source(
    client, compliance_officer, ai_act_obligations
):
    system = AISystemFactory(ai_act_roles=["deployer"])
    ai_system_classify(
        system=system,
        answers=Answers(annex_iii_area="employment", profiling=True, interacts_with_people=True),
        user=compliance_officer,
    )
    client.force_login(compliance_officer)
    page = client.get(system.get_absolute_url())
    assert page.status_code == 200
    html = re.sub(r"\s+", " ", page.content.decode())
    assert "Legal source of the date" in html
    assert re.search(r"<td>Art\. 26\(1\)</td>" + ROW + "Digital Omnibus amending the AI Act", html)
    assert re.search(r"<td>Art\. 4</td>" + ROW + r"Art\. 113 of the AI Act as adopted", html)


def test_an_obligations_page_shows_the_legal_source_of_its_date(client, auditor):
    (obligation,) = shipped(code="art-5-intimate-imagery-csam")
    client.force_login(auditor)
    page = client.get(obligation.get_absolute_url())
    assert page.status_code == 200
    assert "Digital Omnibus amending the AI Act (2026)" in page.content.decode()


def test_a_classification_the_amended_rules_would_change_asks_to_classify_again(
    client, compliance_officer, ai_act_obligations
):
    # Recorded before the fraud exclusion: high-risk under essential services.
    record = ClassificationFactory(
        answers={"annex_iii_area": "essential_services", "financial_fraud_only": True},
        annex_iii_area="essential_services",
        summary="High-risk (Annex III, essential services)",
        system__ai_act_roles=["deployer"],
    )
    client.force_login(compliance_officer)
    page = client.get(record.system.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "High-risk (Annex III, essential services)" in html
    assert "The classification rules have changed since this classification" in html
    assert "No obligation follows for our role" not in html


# --- Area exclusions written into Annex III -------------------------------------------------


def test_an_insurers_claims_fraud_scoring_is_not_high_risk():
    result = classify(
        Answers(
            annex_iii_area="essential_services",
            financial_fraud_only=True,
            credit_or_insurance=True,
            profiling=True,
        )
    )
    assert result.tier == "minimal"
    assert result.route == ""
    assert not {"high_risk", "high_risk_annex_iii", "fria"} & result.conditions
    assert any("point 5(b)" in step for step in result.trail)


def test_credit_scoring_without_the_fraud_exclusion_stays_high_risk_with_a_fria():
    result = classify(Answers(annex_iii_area="essential_services", credit_or_insurance=True))
    assert result.tier == "high_risk"
    assert result.fria_required


def test_the_essential_services_question_says_that_fraud_detection_is_excluded(
    client, compliance_officer
):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    response = client.post(f"{url}?step=annex_iii", {"annex_iii_area": "essential_services"})
    assert response["Location"].endswith("step=annex_iii_scope")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "excluded from Annex III, point 5(b)" in page.content.decode()
    assert set(page.context["form"].fields) == {"financial_fraud_only", "credit_or_insurance"}


def test_a_fraud_detector_skips_the_exemptions_and_is_classified_minimal(
    client, compliance_officer
):
    system = AISystemFactory(ai_act_roles=["deployer"])
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    client.post(f"{url}?step=annex_iii", {"annex_iii_area": "essential_services"})
    response = client.post(
        f"{url}?step=annex_iii_scope",
        {"financial_fraud_only": "True", "credit_or_insurance": "False"},
    )
    assert response["Location"].endswith("step=transparency")
    client.post(f"{url}?step=transparency", NO_TRANSPARENCY)
    assert client.post(f"{url}?step=review").status_code == 302
    assert Classification.objects.get(system=system).tier == "minimal"


def test_face_unlock_by_1_to_1_verification_is_not_high_risk():
    result = classify(Answers(annex_iii_area="biometrics", biometric_verification_only=True))
    assert result.tier == "minimal"
    assert "high_risk" not in result.conditions
    assert any("point 1(a)" in step for step in result.trail)


def test_verification_that_also_recognises_emotions_stays_high_risk_under_biometrics():
    result = classify(
        Answers(
            annex_iii_area="biometrics", biometric_verification_only=True, emotion_or_biometric=True
        )
    )
    assert result.tier == "high_risk"
    assert result.summary == "High-risk (Annex III, biometrics)"


def test_remote_identification_stays_high_risk_under_biometrics():
    result = classify(Answers(annex_iii_area="biometrics"))
    assert result.summary == "High-risk (Annex III, biometrics)"


def test_the_biometrics_question_says_that_verification_is_excluded(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    client.post(f"{url}?step=annex_iii", {"annex_iii_area": "biometrics"})
    page = client.get(f"{url}?step=annex_iii_scope")
    assert page.status_code == 200
    assert "excluded from Annex III, point 1(a)" in page.content.decode()
    assert set(page.context["form"].fields) == {"biometric_verification_only"}


# --- Art. 86 ----------------------------------------------------------------------------------


def test_art_86_is_not_listed_for_critical_infrastructure(ai_act_obligations):
    selected = obligations_for(Answers(annex_iii_area="critical_infrastructure"), ["deployer"])
    assert "Art. 26(1)" in articles(selected)
    assert "Art. 86" not in articles(selected)


def test_art_86_is_listed_for_the_other_annex_iii_areas(ai_act_obligations):
    selected = obligations_for(Answers(annex_iii_area="education"), ["deployer"])
    assert "Art. 86" in articles(selected)


def test_the_migrated_art_86_obligation_carries_the_corrected_condition(ai_act_obligations):
    (art_86,) = shipped(code="annex3-art-86-explanation")
    assert art_86.condition == "high_risk_annex_iii_art_86"


# --- General-purpose AI -----------------------------------------------------------------------


def test_the_compute_answer_without_a_general_purpose_model_sets_no_gpai_flag():
    result = classify(Answers(gpai=False, gpai_systemic=True))
    assert result.flags == ()
    assert not {"gpai", "gpai_systemic"} & result.conditions


def test_a_general_purpose_model_above_the_compute_threshold_gets_both_flags():
    result = classify(Answers(gpai=True, gpai_systemic=True))
    assert result.flags == ("gpai", "gpai_systemic")


def walk_to_transparency(client, url, area="employment"):
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    client.post(f"{url}?step=annex_iii", {"annex_iii_area": area})
    if area:
        client.post(f"{url}?step=exemptions", {"profiling": "True", "public_body": "False"})


def test_the_compute_question_is_not_asked_after_no_general_purpose_model(
    client, compliance_officer
):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    walk_to_transparency(client, url)
    transparency = client.get(f"{url}?step=transparency")
    assert transparency.status_code == 200
    assert "gpai" in transparency.context["form"].fields
    assert "gpai_systemic" not in transparency.context["form"].fields
    response = client.post(f"{url}?step=transparency", {**NO_TRANSPARENCY, "gpai_systemic": "True"})
    assert response["Location"].endswith("step=review")
    assert client.get(f"{url}?step=gpai_systemic")["Location"].endswith("step=review")


def test_the_compute_question_follows_a_general_purpose_model(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=["provider"])
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    walk_to_transparency(client, url, area="")
    response = client.post(f"{url}?step=transparency", {**NO_TRANSPARENCY, "gpai": "True"})
    assert response["Location"].endswith("step=gpai_systemic")
    page = client.get(response["Location"])
    assert "10^25" in page.content.decode()
    client.post(f"{url}?step=gpai_systemic", {"gpai_systemic": "True"})
    client.post(f"{url}?step=review")
    assert Classification.objects.get(system=system).flags == ["gpai", "gpai_systemic"]


def test_an_earlier_compute_answer_does_not_count_once_the_model_is_no_longer_gpai(
    client, compliance_officer
):
    system = AISystemFactory(ai_act_roles=["provider"])
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    walk_to_transparency(client, url, area="")
    client.post(f"{url}?step=transparency", {**NO_TRANSPARENCY, "gpai": "True"})
    client.post(f"{url}?step=gpai_systemic", {"gpai_systemic": "True"})
    client.post(f"{url}?step=transparency", NO_TRANSPARENCY)  # changes their mind
    client.post(f"{url}?step=review")
    record = Classification.objects.get(system=system)
    assert record.flags == []
    assert record.answers["gpai_systemic"] is False


def test_credit_and_insurance_are_not_asked_for_an_employment_system(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    response = client.post(f"{url}?step=annex_iii", {"annex_iii_area": "employment"})
    assert response["Location"].endswith("step=exemptions")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert set(page.context["form"].fields) == {"exemptions", "profiling", "public_body"}
    assert "creditworthiness" not in page.content.decode()


def test_the_public_body_question_is_not_asked_for_critical_infrastructure(
    client, compliance_officer
):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    client.post(f"{url}?step=annex_iii", {"annex_iii_area": "critical_infrastructure"})
    page = client.get(f"{url}?step=exemptions")
    assert page.status_code == 200
    assert set(page.context["form"].fields) == {"exemptions", "profiling"}


# --- Step counter and classifying again -------------------------------------------------------


def step_counter(response):
    return re.search(r"Step \d+ of \d+", response.content.decode()).group()


def test_the_step_counter_counts_the_steps_on_the_path(client, compliance_officer):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    assert step_counter(client.get(url)) == "Step 1 of 5"
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    client.post(f"{url}?step=annex_iii", {"annex_iii_area": "employment"})
    # prohibited, Annex I, Annex III, exemptions, transparency, and the review
    assert step_counter(client.get(f"{url}?step=exemptions")) == "Step 4 of 6"
    assert step_counter(client.get(f"{url}?step=transparency")) == "Step 5 of 6"


def test_the_step_counter_includes_the_area_scope_step_for_essential_services(
    client, compliance_officer
):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "False"})
    client.post(f"{url}?step=annex_iii", {"annex_iii_area": "essential_services"})
    assert step_counter(client.get(f"{url}?step=annex_iii_scope")) == "Step 4 of 7"
    assert step_counter(client.get(f"{url}?step=exemptions")) == "Step 5 of 7"


def test_a_step_off_the_path_opened_by_url_leads_to_where_the_path_continues(
    client, compliance_officer
):
    system = AISystemFactory()
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    response = client.get(f"{url}?step=exemptions")
    assert response.status_code == 302
    assert response["Location"].endswith("step=prohibited")
    client.post(f"{url}?step=prohibited", {})
    assert client.get(f"{url}?step=exemptions")["Location"].endswith("step=annex_i")


def test_classifying_again_starts_from_the_previous_answers(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=["deployer"])
    ai_system_classify(
        system=system,
        answers=Answers(annex_iii_area="employment", profiling=True, interacts_with_people=True),
        user=compliance_officer,
    )
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    area = client.get(f"{url}?step=annex_iii")
    assert area.status_code == 200
    assert step_counter(area) == "Step 3 of 6"
    assert re.search(r'value="employment"[^>]*checked', area.content.decode())
    exemptions = client.get(f"{url}?step=exemptions")  # opened by URL
    assert step_counter(exemptions) == "Step 4 of 6"
    assert re.search(r'name="profiling" value="True"[^>]*checked', exemptions.content.decode())
    transparency = client.get(f"{url}?step=transparency")
    assert re.search(
        r'name="interacts_with_people" value="True"[^>]*checked', transparency.content.decode()
    )


def test_classifying_again_unchanged_gives_the_same_result(client, compliance_officer):
    system = AISystemFactory(ai_act_roles=["deployer"])
    ai_system_classify(
        system=system,
        answers=Answers(annex_iii_area="employment", profiling=True),
        user=compliance_officer,
    )
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    for step in ("prohibited", "annex_i", "annex_iii", "exemptions", "transparency"):
        form = client.get(f"{url}?step={step}").context["form"]
        data = {}
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is not None:
                data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
        assert client.post(f"{url}?step={step}", data).status_code == 302
    client.post(f"{url}?step=review")
    latest = system.current_classification
    assert (latest.number, latest.summary) == (2, "High-risk (Annex III, employment)")


# --- Obligations once, in article order -------------------------------------------------------

BOTH_ROUTES = Answers(
    annex_i_product=True, annex_iii_area="essential_services", credit_or_insurance=True
)


def test_an_annex_i_product_in_an_annex_iii_area_lists_each_obligation_once(ai_act_obligations):
    for role in ("provider", "deployer", "importer"):
        listed = articles(obligations_for(BOTH_ROUTES, [role]))
        assert len(listed) == len(set(listed)), (role, listed)
    provider = obligations_for(BOTH_ROUTES, ["provider"])
    (art_9,) = [o for o in provider if o.article == "Art. 9"]
    assert art_9.application_date == datetime.date(2027, 12, 2)  # the earlier of the two routes


def test_both_routes_keep_the_duties_only_one_of_them_brings(ai_act_obligations):
    deployer = articles(obligations_for(BOTH_ROUTES, ["deployer"]))
    assert {"Art. 26(11)", "Art. 27", "Art. 86"} <= set(deployer)  # Annex III only
    manufacturer = articles(obligations_for(BOTH_ROUTES, ["product_manufacturer"]))
    assert "Art. 25(3)" in manufacturer  # Annex I only


def test_the_review_page_lists_each_obligation_once(client, compliance_officer, ai_act_obligations):
    system = AISystemFactory(ai_act_roles=["provider"])
    client.force_login(compliance_officer)
    url = reverse("inventory:classify", args=[system.pk])
    client.post(f"{url}?step=prohibited", {})
    client.post(f"{url}?step=annex_i", {"annex_i_product": "True"})
    client.post(f"{url}?step=annex_iii", {"annex_iii_area": "employment"})
    client.post(f"{url}?step=exemptions", {"profiling": "True", "public_body": "False"})
    client.post(f"{url}?step=transparency", NO_TRANSPARENCY)
    review = client.get(f"{url}?step=review")
    assert review.status_code == 200
    html = review.content.decode()
    assert html.count("<td>Art. 9</td>") == 1
    assert html.count("<td>Art. 43</td>") == 1


def test_obligations_sort_by_article_number(ai_act_obligations):
    provider = articles(obligations_for(Answers(annex_iii_area="employment"), ["provider"]))
    assert provider.index("Art. 9") < provider.index("Art. 10") < provider.index("Art. 73")
    deployer = articles(obligations_for(Answers(annex_iii_area="employment"), ["deployer"]))
    assert deployer.index("Art. 4") < deployer.index("Art. 26(1)")
    assert deployer.index("Art. 26(2)") < deployer.index("Art. 26(7)")
    assert deployer.index("Art. 26(7)") < deployer.index("Art. 26(11)")
    assert deployer.index("Art. 26(11)") < deployer.index("Art. 86")


def test_article_references_sort_numerically():
    references = ["Art. 73", "Art. 26(11)", "Art. 53(1)(c)-(d)", "Art. 9", "Art. 26(2)", "Art. 53"]
    assert sorted(references, key=article_sort_key) == [
        "Art. 9",
        "Art. 26(2)",
        "Art. 26(11)",
        "Art. 53",
        "Art. 53(1)(c)-(d)",
        "Art. 73",
    ]


# --- History of shipped dates -------------------------------------------------------------------


def test_every_shipped_obligation_has_a_first_history_record(ai_act_obligations):
    obligations = AIActObligation.objects.all()
    assert obligations.count() == 59
    for obligation in obligations:
        assert obligation.history.filter(history_type="+").exists(), obligation.code


def test_the_first_administrator_edit_of_a_shipped_date_records_the_date_before(
    client, ai_act_obligations
):
    from aims.core.registry import registry

    administrator = UserFactory(role="Administrator")
    (obligation,) = shipped(code="annex3-art-9-risk-management")
    client.force_login(administrator)
    payload = form_payload(registry[AIActObligation], obligation, administrator)
    response = client.post(
        reverse("inventory:aiactobligation_edit", args=[obligation.pk]),
        {**payload, "application_date": "2028-02-02"},
    )
    assert response.status_code == 302
    history = client.get(reverse("inventory:aiactobligation_history", args=[obligation.pk]))
    assert history.status_code == 200
    latest = history.context["page"].object_list[0]
    changes = {str(label): (old, new) for label, old, new in latest["changes"]}
    old, new = changes["applies from"]
    assert "2027" in str(old) and "2028" in str(new)


# --- Art. 27: one rule for the FRIA -------------------------------------------------------------


def classified(answers, roles, user):
    system = AISystemFactory(ai_act_roles=roles)
    ai_system_classify(system=system, answers=answers, user=user)
    return system


@pytest.mark.parametrize(
    ("answers", "roles", "expected"),
    [
        (
            Answers(annex_iii_area="essential_services", credit_or_insurance=True),
            ["deployer"],
            True,
        ),
        (Answers(annex_iii_area="education", public_body=True), ["deployer"], True),
        (Answers(annex_iii_area="employment"), ["deployer"], False),
        (Answers(annex_iii_area="critical_infrastructure", public_body=True), ["deployer"], False),
        (
            Answers(annex_iii_area="essential_services", credit_or_insurance=True),
            ["provider"],
            False,
        ),
        (
            Answers(
                annex_iii_area="essential_services",
                financial_fraud_only=True,
                credit_or_insurance=True,
            ),
            ["deployer"],
            False,
        ),
    ],
    ids=[
        "credit scoring deployer",
        "public body in education",
        "private employer",
        "public critical infrastructure",
        "credit scoring provider only",
        "fraud detection",
    ],
)
def test_a_system_requires_a_fria_by_its_classification(
    answers, roles, expected, compliance_officer
):
    system = classified(answers, roles, compliance_officer)
    assert system.fria_required is expected
    assert system.current_classification.fria_required is expected


@pytest.mark.django_db
def test_an_unclassified_system_requires_no_fria():
    assert AISystemFactory(ai_act_roles=["deployer"]).fria_required is False


def test_the_latest_classification_decides_the_fria(compliance_officer):
    system = classified(
        Answers(annex_iii_area="essential_services", credit_or_insurance=True),
        ["deployer"],
        compliance_officer,
    )
    ai_system_classify(
        system=system,
        answers=Answers(annex_iii_area="essential_services", financial_fraud_only=True),
        user=compliance_officer,
    )
    assert system.fria_required is False
