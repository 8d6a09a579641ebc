"""Consistency of the catalogue data files beside ISO/IEC 42001 Annex A: ISO/IEC 27001:2022
Annex A, the EU AI Act requirements and the indicative cross-mappings between them.

Plain JSON checks, no database. Expected IDs and titles are written out here on purpose, so a
change to a data file cannot silently change what the test expects.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "controls" / "data"


def load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def controls_of(catalogue):
    return [control for objective in catalogue["objectives"] for control in objective["controls"]]


def ids_of(catalogue):
    return [control["id"] for control in controls_of(catalogue)]


ISO42001 = load("iso42001_annex_a.json")
ISO27001 = load("iso27001_annex_a.json")
AI_ACT = load("eu_ai_act_requirements.json")
MAPPINGS = load("mappings.json")

PAIRS = [(pair["from"], pair["to"]) for pair in MAPPINGS["mappings"]]

THEME_SIZES = {"5": 37, "6": 8, "7": 14, "8": 34}
THEME_TITLES = {
    "5": "Organizational controls",
    "6": "People controls",
    "7": "Physical controls",
    "8": "Technological controls",
}
ARTICLES = [
    "Art. 4", "Art. 5", "Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 13", "Art. 14",
    "Art. 15", "Art. 17", "Art. 26", "Art. 27", "Art. 50", "Art. 72", "Art. 73",
]  # fmt: skip
# Articles the indicative mapping links to no Annex A control: Art. 5 (prohibitions) and
# Art. 17 (the quality management system, mapped to clauses 4-10 only), and Art. 50, for which
# the reference gives no mapping at all.
UNMAPPED_ARTICLES = {"Art. 5", "Art. 17", "Art. 50"}


def targets_of(control_id):
    return {to for source, to in PAIRS if source == control_id}


# ISO/IEC 27001:2022 Annex A


def test_iso27001_has_93_unique_controls():
    ids = ids_of(ISO27001)
    assert len(ids) == 93
    assert len(set(ids)) == 93


def test_iso27001_has_the_four_themes_in_order_with_german_titles():
    assert ISO27001["catalogue"] == "iso27001"
    themes = ISO27001["objectives"]
    assert [(theme["id"], theme["title"]) for theme in themes] == list(THEME_TITLES.items())
    for theme in themes:
        assert theme["title_de"].strip()
        assert theme["parent"] is None


@pytest.mark.parametrize("theme_id, size", THEME_SIZES.items())
def test_each_iso27001_theme_numbers_its_controls_from_one_without_gaps(theme_id, size):
    (theme,) = [theme for theme in ISO27001["objectives"] if theme["id"] == theme_id]
    ids = [control["id"] for control in theme["controls"]]
    assert ids == [f"{theme_id}.{number}" for number in range(1, size + 1)]


def test_every_iso27001_control_sits_under_the_theme_its_number_starts_with():
    for theme in ISO27001["objectives"]:
        for control in theme["controls"]:
            assert control["id"].split(".")[0] == theme["id"]


@pytest.mark.parametrize(
    "control_id, title",
    [
        ("5.7", "Threat intelligence"),
        ("5.23", "Information security for use of cloud services"),
        ("8.28", "Secure coding"),
        ("8.34", "Protection of information systems during audit testing"),
    ],
)
def test_iso27001_controls_carry_their_official_short_titles(control_id, title):
    titles = {control["id"]: control["title"] for control in controls_of(ISO27001)}
    assert titles[control_id] == title


def test_iso27001_controls_have_titles_and_leave_translation_and_guidance_empty():
    for control in controls_of(ISO27001):
        assert control["title"].strip()
        assert control["title_de"] == ""
        assert control["guidance"] == ""
        assert control["guidance_de"] == ""


# EU AI Act


def test_ai_act_file_holds_exactly_the_fifteen_articles_in_order():
    assert AI_ACT["catalogue"] == "eu_ai_act"
    assert ids_of(AI_ACT) == ARTICLES


def test_every_ai_act_chapter_and_article_has_titles_and_guidance_in_both_languages():
    for chapter in AI_ACT["objectives"]:
        assert chapter["id"].startswith("Chapter ")
        assert chapter["title"].strip()
        assert chapter["title_de"].strip()
        assert chapter["parent"] is None
        assert chapter["controls"]
        for article in chapter["controls"]:
            for field in ("title", "title_de", "guidance", "guidance_de"):
                assert article[field].strip(), f"{article['id']} has no {field}"


@pytest.mark.parametrize(
    "chapter, articles",
    [
        ("Chapter I", ["Art. 4"]),
        ("Chapter II", ["Art. 5"]),
        ("Chapter III", ["Art. 9", "Art. 10", "Art. 11", "Art. 12", "Art. 13", "Art. 14",
                         "Art. 15", "Art. 17", "Art. 26", "Art. 27"]),
        ("Chapter IV", ["Art. 50"]),
        ("Chapter IX", ["Art. 72", "Art. 73"]),
    ],
)  # fmt: skip
def test_ai_act_articles_are_grouped_under_their_chapter(chapter, articles):
    (found,) = [objective for objective in AI_ACT["objectives"] if objective["id"] == chapter]
    assert [article["id"] for article in found["controls"]] == articles


def test_technical_documentation_points_to_annex_iv():
    (article,) = [a for a in controls_of(AI_ACT) if a["id"] == "Art. 11"]
    assert "Annex IV" in article["guidance"]
    assert "Anhang IV" in article["guidance_de"]


def test_serious_incident_guidance_names_the_three_reporting_deadlines():
    (article,) = [a for a in controls_of(AI_ACT) if a["id"] == "Art. 73"]
    for text in (article["guidance"], article["guidance_de"]):
        for days in ("15", "2", "10"):
            assert f" {days} " in text


# Cross-mappings


def test_every_mapping_starts_at_an_iso42001_annex_a_control():
    annex_a = set(ids_of(ISO42001))
    assert {source for source, _ in PAIRS} <= annex_a


def test_every_mapping_ends_at_an_iso27001_control_or_an_ai_act_article():
    targets = set(ids_of(ISO27001)) | set(ids_of(AI_ACT))
    assert {to for _, to in PAIRS} <= targets


def test_no_mapping_pair_appears_twice():
    assert [pair for pair, count in Counter(PAIRS).items() if count > 1] == []


def test_event_logs_map_to_logging_clock_synchronization_and_record_keeping():
    assert {"8.15", "8.17", "Art. 12"} <= targets_of("A.6.2.8")


def test_human_resources_map_to_ai_literacy_and_awareness_training():
    assert {"Art. 4", "6.3"} <= targets_of("A.4.6")


def test_suppliers_map_to_the_supplier_controls_outsourced_development_and_deployer_duties():
    assert {"5.19", "5.20", "5.21", "5.22", "5.23", "8.30", "Art. 26"} <= targets_of("A.10.3")


def test_every_ai_act_article_but_the_known_exceptions_has_a_mapped_annex_a_control():
    mapped = {to for _, to in PAIRS if to.startswith("Art. ")}
    assert set(ARTICLES) - mapped == UNMAPPED_ARTICLES


def test_clause_references_are_keyed_by_ai_act_article_and_name_no_annex_a_control():
    clauses = MAPPINGS["clauses"]
    assert set(clauses) <= set(ARTICLES)
    for article, references in clauses.items():
        assert references, f"{article} lists no clauses"
        assert len(references) == len(set(references))
        for reference in references:
            assert not reference.startswith("A.")
            assert all(part.isdigit() for part in reference.split("."))


def test_the_quality_management_system_maps_to_clauses_four_to_ten():
    assert MAPPINGS["clauses"]["Art. 17"] == ["4", "5", "6", "7", "8", "9", "10"]
