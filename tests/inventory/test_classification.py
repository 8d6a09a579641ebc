"""EU AI Act classification: the questionnaire rules and the obligation catalogue."""

import datetime
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.utils import translation

from aims.inventory.classification import (
    ANNEX_III_AREAS,
    CONDITIONS,
    EXEMPTIONS_6_3,
    FLAGS,
    PROHIBITED_PRACTICES,
    PROHIBITION_CONDITIONS,
    ROLES,
    TIERS,
    Answers,
    Result,
    applicable_obligations,
    classify,
)

OBLIGATIONS_FILE = (
    Path(__file__).resolve().parents[2] / "aims" / "inventory" / "data" / "ai_act_obligations.json"
)

AREA_SUMMARIES = {
    "biometrics": "High-risk (Annex III, biometrics)",
    "critical_infrastructure": "High-risk (Annex III, critical infrastructure)",
    "education": "High-risk (Annex III, education)",
    "employment": "High-risk (Annex III, employment)",
    "essential_services": "High-risk (Annex III, essential services)",
    "law_enforcement": "High-risk (Annex III, law enforcement)",
    "migration": "High-risk (Annex III, migration and border control)",
    "justice": "High-risk (Annex III, justice and democracy)",
}


def case(name, answers, tier, route, flags=(), summary=None, includes=(), excludes=()):
    return pytest.param(
        answers, tier, route, tuple(flags), summary, set(includes), set(excludes), id=name
    )


CASES = [
    *[
        case(
            f"{code} is prohibited",
            Answers(prohibited=(code,), interacts_with_people=True),
            "prohibited",
            "article_5",
            summary="Prohibited (Art. 5)",
            includes={"all", PROHIBITION_CONDITIONS[code]},
            excludes={"high_risk", "transparency_interaction"},
        )
        for code, _label in PROHIBITED_PRACTICES
    ],
    *[
        case(
            f"{code} area without exemption is high-risk",
            Answers(annex_iii_area=code),
            "high_risk",
            "annex_iii",
            summary=AREA_SUMMARIES[code],
            includes={"all", "high_risk", "high_risk_annex_iii"},
            excludes={"high_risk_annex_i", "exempt_6_3"},
        )
        for code, _label in ANNEX_III_AREAS
    ],
    *[
        case(
            f"{code} exemption makes an employment system not high-risk",
            Answers(annex_iii_area="employment", exemptions=(code,)),
            "minimal",
            "exempt_6_3",
            includes={"all", "exempt_6_3"},
            excludes={"high_risk", "high_risk_annex_iii", "fria"},
        )
        for code, _label in EXEMPTIONS_6_3
    ],
    case(
        "profiling overrides an exemption",
        Answers(annex_iii_area="employment", exemptions=("preparatory",), profiling=True),
        "high_risk",
        "annex_iii",
        summary="High-risk (Annex III, employment)",
        includes={"high_risk", "high_risk_annex_iii"},
        excludes={"exempt_6_3"},
    ),
    case(
        "an annex i product is high-risk",
        Answers(annex_i_product=True),
        "high_risk",
        "annex_i",
        summary="High-risk (Annex I product)",
        includes={"all", "high_risk", "high_risk_annex_i"},
        excludes={"high_risk_annex_iii"},
    ),
    case(
        "an annex i product that talks to people also gets the art 50 flag",
        Answers(annex_i_product=True, interacts_with_people=True),
        "high_risk",
        "annex_i",
        flags=("transparency_interaction",),
        summary="High-risk (Annex I product)",
        includes={"high_risk_annex_i", "transparency_interaction"},
    ),
    case(
        "a chatbot is minimal risk with the interaction flag",
        Answers(interacts_with_people=True),
        "minimal",
        "",
        flags=("transparency_interaction",),
        summary="Minimal risk",
        includes={"all", "transparency_interaction"},
        excludes={"high_risk"},
    ),
    case(
        "an image generator is minimal risk with the synthetic content flag",
        Answers(synthetic_content=True),
        "minimal",
        "",
        flags=("transparency_synthetic",),
        summary="Minimal risk",
        includes={"transparency_synthetic"},
    ),
    case(
        "an emotion recognition system outside work is high-risk under annex iii biometrics",
        Answers(emotion_or_biometric=True),
        "high_risk",
        "annex_iii",
        flags=("transparency_emotion_biometric",),
        summary="High-risk (Annex III, biometrics)",
        includes={"transparency_emotion_biometric", "high_risk_annex_iii"},
    ),
    case(
        "a deepfake tool is minimal risk with the deepfake flag",
        Answers(deepfake_or_public_text=True),
        "minimal",
        "",
        flags=("transparency_deepfake",),
        includes={"transparency_deepfake"},
    ),
    case(
        "a general purpose model gets the gpai flag",
        Answers(gpai=True),
        "minimal",
        "",
        flags=("gpai",),
        includes={"gpai"},
        excludes={"gpai_systemic"},
    ),
    case(
        "a systemic risk model gets both gpai flags",
        Answers(gpai=True, gpai_systemic=True),
        "minimal",
        "",
        flags=("gpai", "gpai_systemic"),
        includes={"gpai", "gpai_systemic"},
    ),
    case(
        "credit scoring needs a fundamental rights impact assessment",
        Answers(annex_iii_area="essential_services", credit_or_insurance=True),
        "high_risk",
        "annex_iii",
        summary="High-risk (Annex III, essential services)",
        includes={"fria"},
    ),
    case(
        "private emergency triage needs no fundamental rights impact assessment",
        Answers(annex_iii_area="essential_services"),
        "high_risk",
        "annex_iii",
        excludes={"fria"},
    ),
    case(
        "a public body deploying an education system needs a fria",
        Answers(annex_iii_area="education", public_body=True),
        "high_risk",
        "annex_iii",
        includes={"fria"},
    ),
    case(
        "a private employer does not need a fria",
        Answers(annex_iii_area="employment"),
        "high_risk",
        "annex_iii",
        excludes={"fria"},
    ),
    case(
        "a public body running critical infrastructure does not need a fria",
        Answers(annex_iii_area="critical_infrastructure", public_body=True),
        "high_risk",
        "annex_iii",
        excludes={"fria"},
    ),
    case(
        "an exempted system keeps its transparency flag",
        Answers(
            annex_iii_area="education", exemptions=("narrow_procedural",), synthetic_content=True
        ),
        "minimal",
        "exempt_6_3",
        flags=("transparency_synthetic",),
        includes={"exempt_6_3", "transparency_synthetic"},
    ),
    case(
        "an annex i product in an annex iii area carries the duties of both",
        Answers(
            annex_i_product=True, annex_iii_area="essential_services", credit_or_insurance=True
        ),
        "high_risk",
        "annex_i",
        summary="High-risk (Annex I product)",
        includes={"high_risk_annex_i", "high_risk_annex_iii", "fria"},
    ),
    case(
        "exemptions without an annex iii area change nothing",
        Answers(exemptions=("preparatory",)),
        "minimal",
        "",
        summary="Minimal risk",
        excludes={"exempt_6_3"},
    ),
    case("no answers mean minimal risk", Answers(), "minimal", "", summary="Minimal risk"),
]


@pytest.mark.parametrize(
    ("answers", "tier", "route", "flags", "summary", "includes", "excludes"), CASES
)
def test_each_case_is_classified_as_expected(
    answers, tier, route, flags, summary, includes, excludes
):
    result = classify(answers)
    assert result.tier == tier
    assert result.route == route
    assert result.flags == flags
    assert "all" in result.conditions
    assert includes <= result.conditions
    assert not excludes & result.conditions
    assert set(result.flags) <= result.conditions
    if summary is not None:
        assert result.summary == summary
    assert result.trail
    assert all(type(step) is str for step in result.trail)


def test_there_are_at_least_thirty_classification_cases():
    assert len(CASES) >= 30


def test_choice_lists_have_the_expected_codes():
    assert len(PROHIBITED_PRACTICES) == 9
    assert len(ANNEX_III_AREAS) == 8
    assert len(EXEMPTIONS_6_3) == 4
    assert [code for code, _label in TIERS] == ["prohibited", "high_risk", "minimal"]
    assert {code for code, _label in FLAGS} <= {code for code, _label in CONDITIONS}
    assert len(ROLES) == 6


def test_a_prohibited_system_gets_no_flags_and_stops_there():
    result = classify(Answers(prohibited=("social_scoring",), gpai=True, annex_i_product=True))
    assert result.flags == ()
    assert result.conditions == frozenset({"all", "prohibited"})


def test_the_exempt_trail_tells_the_provider_to_document_and_register():
    trail = " ".join(
        classify(Answers(annex_iii_area="education", exemptions=("preparatory",))).trail
    )
    assert "Art. 6(4)" in trail
    assert "Art. 49(2)" in trail


def test_the_profiling_trail_explains_the_override():
    answers = Answers(annex_iii_area="employment", exemptions=("preparatory",), profiling=True)
    trail = " ".join(classify(answers).trail)
    assert "profiling overrides the exemption" in trail
    assert "Art. 6(3)" in trail


def test_the_exempt_summary_names_the_area():
    result = classify(Answers(annex_iii_area="employment", exemptions=("preparatory",)))
    assert result.summary.startswith("Minimal risk")
    assert "employment" in result.summary


def test_summary_and_trail_are_plain_strings_in_german_too():
    with translation.override("de"):
        result = classify(Answers(annex_iii_area="employment", interacts_with_people=True))
        assert type(result.summary) is str
        assert all(type(step) is str for step in result.trail)


def test_answers_survive_a_json_round_trip():
    answers = Answers(
        prohibited=(),
        annex_iii_area="education",
        exemptions=("narrow_procedural", "preparatory"),
        public_body=True,
        gpai=True,
    )
    stored = json.loads(json.dumps(answers.to_dict()))
    assert stored["exemptions"] == ["narrow_procedural", "preparatory"]
    assert Answers.from_dict(stored) == answers


def test_answers_from_dict_ignores_unknown_keys_and_nulls():
    answers = Answers.from_dict({"annex_i_product": True, "colour": "blue", "annex_iii_area": None})
    assert answers == Answers(annex_i_product=True)
    assert Answers.from_dict(None) == Answers()


@pytest.mark.parametrize(
    "data",
    [
        {"prohibited": ["mind_reading"]},
        {"annex_iii_area": "space"},
        {"exemptions": ["because_we_said_so"]},
        {"prohibited": "social_scoring"},
        {"gpai": "yes"},
    ],
    ids=["unknown practice", "unknown area", "unknown exemption", "string not list", "non-bool"],
)
def test_answers_from_dict_rejects_unknown_codes(data):
    with pytest.raises(ValueError):
        Answers.from_dict(data)


def test_results_are_immutable():
    result = classify(Answers())
    assert isinstance(result, Result)
    with pytest.raises(AttributeError):
        result.tier = "high_risk"


# --- The obligation catalogue --------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalogue():
    with OBLIGATIONS_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def obligations(catalogue):
    return [SimpleNamespace(**entry) for entry in catalogue]


def articles(selected):
    return {obligation.article for obligation in selected}


def codes(selected):
    return {obligation.code for obligation in selected}


CV_SCREENING = Answers(annex_iii_area="employment", profiling=True)


def test_every_catalogue_entry_is_valid(catalogue):
    conditions = {code for code, _label in CONDITIONS}
    roles = {code for code, _label in ROLES}
    keys = {
        "code",
        "article",
        "title",
        "title_de",
        "condition",
        "roles",
        "application_date",
        "date_source",
        "note",
    }
    for entry in catalogue:
        assert set(entry) == keys, entry
        assert entry["condition"] in conditions, entry
        assert set(entry["roles"]) <= roles, entry
        datetime.date.fromisoformat(entry["application_date"])
        assert entry["date_source"] in {"art_113", "digital_omnibus"}, entry
        assert entry["title"] and entry["title_de"] and entry["note"] and entry["article"]
    all_codes = [entry["code"] for entry in catalogue]
    assert len(all_codes) == len(set(all_codes))


def test_catalogue_dates_follow_the_amended_timeline(catalogue):
    expected = {
        "all": "2025-02-02",
        "prohibited": "2025-02-02",
        "prohibited_intimate_imagery": "2026-12-02",
        "gpai": "2025-08-02",
        "gpai_systemic": "2025-08-02",
        "transparency_interaction": "2026-08-02",
        "transparency_synthetic": "2026-08-02",
        "transparency_emotion_biometric": "2026-08-02",
        "transparency_deepfake": "2026-08-02",
        "high_risk_annex_iii": "2027-12-02",
        "high_risk_annex_iii_art_86": "2027-12-02",
        "fria": "2027-12-02",
        "exempt_6_3": "2027-12-02",
        "high_risk_annex_i": "2028-08-02",
    }
    for entry in catalogue:
        assert entry["application_date"] == expected[entry["condition"]], entry


def test_a_cv_screening_deployer_gets_art_26_but_not_the_providers_duties(obligations):
    selected = applicable_obligations(classify(CV_SCREENING), ["deployer"], obligations)
    assert {"Art. 26(1)", "Art. 26(2)", "Art. 26(6)", "Art. 26(7)", "Art. 26(11)"} <= articles(
        selected
    )
    assert "Art. 86" in articles(selected)
    assert "Art. 4" in articles(selected)
    assert not {"Art. 9", "Art. 43"} & articles(selected)
    assert "art-27-fria" not in codes(selected)


def test_a_cv_screening_provider_gets_art_9_and_43_but_not_art_26(obligations):
    selected = applicable_obligations(classify(CV_SCREENING), ["provider"], obligations)
    assert {"Art. 9", "Art. 43", "Art. 49(1)"} <= articles(selected)
    assert not any(article.startswith("Art. 26") for article in articles(selected))
    assert all(o.condition != "high_risk_annex_i" for o in selected)


def test_a_prohibited_system_gets_the_art_5_obligation_for_every_role(obligations):
    result = classify(Answers(prohibited=("social_scoring",)))
    for role, _label in ROLES:
        assert "art-5-prohibited-practice" in codes(
            applicable_obligations(result, [role], obligations)
        )
    assert "Art. 9" not in articles(applicable_obligations(result, ["provider"], obligations))


def test_a_chatbot_provider_gets_art_50_1(obligations):
    selected = applicable_obligations(
        classify(Answers(interacts_with_people=True)), ["provider"], obligations
    )
    assert "Art. 50(1)" in articles(selected)
    assert "Art. 9" not in articles(selected)


def test_a_credit_scoring_deployer_gets_the_fria(obligations):
    selected = applicable_obligations(
        classify(Answers(annex_iii_area="essential_services", credit_or_insurance=True)),
        ["deployer"],
        obligations,
    )
    assert "Art. 27" in articles(selected)


def test_an_exempted_provider_must_document_and_register(obligations):
    result = classify(Answers(annex_iii_area="education", exemptions=("preparatory",)))
    selected = applicable_obligations(result, ["provider"], obligations)
    assert {"Art. 6(4)", "Art. 49(2)"} <= articles(selected)
    assert "Art. 9" not in articles(selected)


def test_an_annex_i_product_manufacturer_takes_on_provider_duties_later(obligations):
    result = classify(Answers(annex_i_product=True))
    selected = applicable_obligations(result, ["product_manufacturer"], obligations)
    assert [o.article for o in selected] == ["Art. 25(3)"]
    assert selected[0].application_date == "2028-08-02"
    provider = applicable_obligations(result, ["provider"], obligations)
    assert "Art. 43" in articles(provider)
    assert {o.application_date for o in provider if o.condition != "all"} == {"2028-08-02"}


def test_a_systemic_gpai_provider_gets_art_53_and_art_55(obligations):
    selected = applicable_obligations(
        classify(Answers(gpai=True, gpai_systemic=True)), ["provider"], obligations
    )
    assert any(article.startswith("Art. 53") for article in articles(selected))
    assert "Art. 55" in articles(selected)


def test_applicable_obligations_treats_empty_roles_as_everyone():
    def item(code, article, condition, roles):
        return SimpleNamespace(
            code=code, article=article, condition=condition, roles=roles, application_date="2026"
        )

    items = [
        item("b", "Art. 2", "all", []),
        item("a", "Art. 1", "all", ["importer"]),
        item("c", "Art. 3", "high_risk", []),
        item("d", "Art. 4", "all", ["deployer", "provider"]),
    ]
    selected = applicable_obligations(classify(Answers()), ["provider"], items)
    assert [o.code for o in selected] == ["b", "d"]
    assert [o.code for o in applicable_obligations(classify(Answers()), "importer", items)] == [
        "a",
        "b",
    ]


def test_a_deployer_who_re_purposes_a_high_risk_system_takes_on_provider_duties():
    result = classify(Answers(annex_iii_area="employment", becomes_provider=True))
    assert result.added_roles == ("provider",)
    assert result.roles(["deployer"]) == ["deployer", "provider"]
    assert any("Art. 25(1)" in step for step in result.trail)


def test_re_purposing_a_minimal_risk_system_changes_no_role():
    assert classify(Answers(becomes_provider=True)).added_roles == ()
