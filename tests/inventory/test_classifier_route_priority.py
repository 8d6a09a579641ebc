"""Which route wins when several answers point different ways. Each test here names the
change of priority it protects against."""

import datetime
from types import SimpleNamespace

import pytest

from aims.inventory.classification import Answers, applicable_obligations, classify
from aims.inventory.obligations import shipped_obligations


@pytest.fixture(scope="module")
def catalogue():
    return [SimpleNamespace(**entry) for entry in shipped_obligations()]


# An exemption must not override the Annex I route.


def test_an_exemption_leaves_an_annex_i_product_in_an_annex_iii_area_on_the_annex_i_route():
    result = classify(
        Answers(annex_i_product=True, annex_iii_area="employment", exemptions=("preparatory",))
    )
    assert result.route == "annex_i"
    assert result.summary == "High-risk (Annex I product)"


def test_an_exempted_annex_i_product_keeps_its_annex_i_obligations(catalogue):
    result = classify(
        Answers(annex_i_product=True, annex_iii_area="education", exemptions=("narrow_procedural",))
    )
    provider = applicable_obligations(result, ["provider"], catalogue)
    (art_43,) = [o for o in provider if o.article == "Art. 43"]
    assert art_43.application_date == "2028-08-02"
    assert "high_risk_annex_i" in result.conditions


# An exemption must not downgrade an Annex I product.


def test_an_exemption_does_not_make_an_annex_i_product_minimal_risk():
    result = classify(
        Answers(annex_i_product=True, annex_iii_area="employment", exemptions=("preparatory",))
    )
    assert result.tier == "high_risk"
    assert "high_risk" in result.conditions


def test_an_exemption_without_an_area_does_not_downgrade_an_annex_i_product():
    result = classify(Answers(annex_i_product=True, exemptions=("narrow_procedural",)))
    assert result.tier == "high_risk"
    assert result.route == "annex_i"


def test_the_trail_of_an_exempted_annex_i_product_does_not_say_it_is_not_high_risk():
    result = classify(
        Answers(annex_i_product=True, annex_iii_area="employment", exemptions=("preparatory",))
    )
    assert not any("not high-risk" in step for step in result.trail)
    assert any("does not change the Annex I classification" in step for step in result.trail)


# An emotion or biometric answer must not override the chosen Annex III area.


def test_an_emotion_answer_keeps_the_chosen_employment_area():
    result = classify(Answers(annex_iii_area="employment", emotion_or_biometric=True))
    assert result.annex_iii_area == "employment"
    assert result.summary == "High-risk (Annex III, employment)"


def test_an_emotion_answer_keeps_the_chosen_area_of_an_exempted_system():
    result = classify(
        Answers(
            annex_iii_area="education",
            exemptions=("preparatory",),
            emotion_or_biometric=True,
        )
    )
    assert result.route == "exempt_6_3"
    assert result.annex_iii_area == "education"


def test_an_emotion_answer_keeps_the_fria_of_a_credit_scoring_area():
    result = classify(
        Answers(
            annex_iii_area="essential_services",
            credit_or_insurance=True,
            emotion_or_biometric=True,
        )
    )
    assert result.annex_iii_area == "essential_services"
    assert result.fria_required


def test_an_emotion_answer_without_an_area_supplies_the_biometrics_area():
    result = classify(Answers(emotion_or_biometric=True))
    assert result.annex_iii_area == "biometrics"
    assert result.tier == "high_risk"


def test_the_catalogue_dates_are_dates():
    for entry in shipped_obligations():
        datetime.date.fromisoformat(entry["application_date"])
