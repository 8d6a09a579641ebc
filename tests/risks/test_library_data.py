"""Consistency of the shipped data files: the ISO/IEC 42001 Annex A catalogue and the risk library.

Plain JSON checks, no database. The expected sets are written out here on purpose, so a change
to a data file cannot silently change what the test expects.
"""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ANNEX_A = ROOT / "controls" / "data" / "iso42001_annex_a.json"
LIBRARY = ROOT / "risks" / "data" / "risk_library.json"

# Annex A: 9 objectives (A.6 split into A.6.1 and A.6.2), 38 controls.
EXPECTED_CONTROLS = {
    "A.2": ["A.2.2", "A.2.3", "A.2.4"],
    "A.3": ["A.3.2", "A.3.3"],
    "A.4": ["A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6"],
    "A.5": ["A.5.2", "A.5.3", "A.5.4", "A.5.5"],
    "A.6": [],  # the life-cycle objective holds its controls in two sub-objectives
    "A.6.1": ["A.6.1.2", "A.6.1.3"],
    "A.6.2": ["A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6", "A.6.2.7", "A.6.2.8"],
    "A.7": ["A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6"],
    "A.8": ["A.8.2", "A.8.3", "A.8.4", "A.8.5"],
    "A.9": ["A.9.2", "A.9.3", "A.9.4"],
    "A.10": ["A.10.2", "A.10.3", "A.10.4"],
}
EXPECTED_IDS = {
    "A.2.2", "A.2.3", "A.2.4",
    "A.3.2", "A.3.3",
    "A.4.2", "A.4.3", "A.4.4", "A.4.5", "A.4.6",
    "A.5.2", "A.5.3", "A.5.4", "A.5.5",
    "A.6.1.2", "A.6.1.3",
    "A.6.2.2", "A.6.2.3", "A.6.2.4", "A.6.2.5", "A.6.2.6", "A.6.2.7", "A.6.2.8",
    "A.7.2", "A.7.3", "A.7.4", "A.7.5", "A.7.6",
    "A.8.2", "A.8.3", "A.8.4", "A.8.5",
    "A.9.2", "A.9.3", "A.9.4",
    "A.10.2", "A.10.3", "A.10.4",
}  # fmt: skip
EXPECTED_TITLES = {
    "A.2.2": "AI policy",
    "A.3.2": "AI roles and responsibilities",
    "A.5.4": "Assessing AI system impact on individuals or groups of individuals",
    "A.6.2.8": "AI system recording of event logs",
    "A.7.5": "Data provenance",
    "A.10.3": "Suppliers",
}

CATEGORIES = {
    "bias_fairness",
    "data_quality",
    "model_drift",
    "robustness",
    "transparency",
    "privacy",
    "security",
    "safety",
    "misuse",
    "third_party",
    "legal",
    "information_security",
}
RISK_SOURCES = {  # Annex C.3
    "environment_complexity",
    "lack_of_transparency",
    "automation_level",
    "machine_learning",
    "hardware",
    "life_cycle",
    "technology_readiness",
}
OBJECTIVES = {  # Annex C.2
    "accountability",
    "ai_expertise",
    "data_quality",
    "environmental_impact",
    "fairness",
    "maintainability",
    "privacy",
    "robustness",
    "safety",
    "security",
    "transparency",
}
TEXT_KEYS = ("code", "title", "title_de", "description", "description_de")
CODE_KEYS = ("category", "risk_source", "objectives", "controls", "likelihood", "impact")
ENTRY_KEYS = {*TEXT_KEYS, *CODE_KEYS}
MUST_INCLUDE = {
    "prompt-injection",
    "training-data-poisoning",
    "model-drift",
    "concept-drift",
    "hallucination",
    "automation-bias",
    "vendor-model-change",
    "personal-data-leakage",
    "biased-outcomes",
    "jailbreak",
    "model-inversion",
    "shadow-ai",
    "gdpr-automated-decision",
    "missing-human-oversight",
}
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Field sizes of risks.models.LibraryRisk.
MAX_CODE, MAX_TITLE, MAX_OBJECTIVES, MAX_CONTROLS = 60, 200, 300, 600


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def annex_a():
    return load(ANNEX_A)


@pytest.fixture(scope="module")
def library():
    return load(LIBRARY)


@pytest.fixture(scope="module")
def annex_a_ids(annex_a):
    return [c["id"] for objective in annex_a["objectives"] for c in objective["controls"]]


# --- Annex A ---------------------------------------------------------------------------------


def test_annex_a_has_exactly_the_38_controls(annex_a, annex_a_ids):
    assert annex_a["catalogue"] == "iso42001"
    assert len(EXPECTED_IDS) == 38
    assert len(annex_a_ids) == 38
    assert set(annex_a_ids) == EXPECTED_IDS


def test_annex_a_controls_sit_under_their_objective(annex_a):
    grouped = {o["id"]: [c["id"] for c in o["controls"]] for o in annex_a["objectives"]}
    assert grouped == EXPECTED_CONTROLS
    assert [o["id"] for o in annex_a["objectives"]] == list(EXPECTED_CONTROLS)
    for objective in annex_a["objectives"]:
        for control in objective["controls"]:
            assert control["id"].startswith(objective["id"] + ".")
    assert all(o["controls"] for o in annex_a["objectives"] if o["id"] != "A.6")


def test_annex_a_sub_objectives_name_their_parent(annex_a):
    parents = {o["id"]: o.get("parent") for o in annex_a["objectives"]}
    assert parents["A.6.1"] == parents["A.6.2"] == "A.6"
    assert {k for k, v in parents.items() if v} == {"A.6.1", "A.6.2"}
    # Nine objectives of the standard once the two A.6 parts are counted as one.
    assert len({o.get("parent") or o["id"] for o in annex_a["objectives"]}) == 9


def test_annex_a_texts_are_filled_in_both_languages(annex_a):
    for objective in annex_a["objectives"]:
        assert objective["title"].strip() and objective["title_de"].strip()
        for control in objective["controls"]:
            for key in ("title", "title_de", "guidance", "guidance_de"):
                assert control[key].strip(), (control["id"], key)
                assert "\n" not in control[key], (control["id"], key)
            assert control["guidance"] != control["guidance_de"], control["id"]


def test_annex_a_short_titles(annex_a):
    titles = {c["id"]: c["title"] for o in annex_a["objectives"] for c in o["controls"]}
    for control_id, title in EXPECTED_TITLES.items():
        assert titles[control_id] == title
    titles_de = {c["id"]: c["title_de"] for o in annex_a["objectives"] for c in o["controls"]}
    assert titles_de["A.2.2"] == "KI-Politik"


# --- Risk library ----------------------------------------------------------------------------


def test_library_size_and_unique_codes(library):
    assert isinstance(library, list)
    assert len(library) >= 45
    codes = Counter(entry["code"] for entry in library)
    assert [code for code, n in codes.items() if n > 1] == []


def test_library_entries_are_complete(library):
    for entry in library:
        assert set(entry) == ENTRY_KEYS, entry.get("code")
        for key in TEXT_KEYS:
            assert isinstance(entry[key], str) and entry[key].strip(), (entry["code"], key)
        assert entry["description"] != entry["description_de"], entry["code"]
        assert SLUG.match(entry["code"]), entry["code"]
        assert len(entry["code"]) <= MAX_CODE
        assert len(entry["title"]) <= MAX_TITLE and len(entry["title_de"]) <= MAX_TITLE


def test_library_codes_are_valid(library, annex_a_ids):
    for entry in library:
        code = entry["code"]
        assert entry["category"] in CATEGORIES, code
        assert entry["risk_source"] in RISK_SOURCES, code
        assert entry["objectives"], code
        assert set(entry["objectives"]) <= OBJECTIVES, code
        assert len(set(entry["objectives"])) == len(entry["objectives"]), code
        assert 1 <= len(entry["controls"]) <= 5, code
        assert set(entry["controls"]) <= set(annex_a_ids), code
        assert len(set(entry["controls"])) == len(entry["controls"]), code
        assert len(",".join(entry["objectives"])) <= MAX_OBJECTIVES, code
        assert len(",".join(entry["controls"])) <= MAX_CONTROLS, code


def test_library_scores_are_on_the_five_level_scale(library):
    for entry in library:
        for key in ("likelihood", "impact"):
            value = entry[key]
            assert isinstance(value, int) and not isinstance(value, bool), entry["code"]
            assert 1 <= value <= 5, entry["code"]


def test_library_covers_every_category_source_and_objective(library):
    assert {entry["category"] for entry in library} == CATEGORIES
    assert {entry["risk_source"] for entry in library} == RISK_SOURCES
    assert set().union(*(entry["objectives"] for entry in library)) == OBJECTIVES
    isms = [e for e in library if e["category"] == "information_security"]
    assert len(isms) >= 2


def test_library_has_the_must_include_topics(library):
    codes = {entry["code"] for entry in library}
    missing = MUST_INCLUDE - codes
    assert not missing, sorted(missing)


def test_german_texts_use_umlauts(library):
    """Guards against transliterated German ("ae", "ss" for ß) slipping into the texts."""
    german = " ".join(entry["description_de"] for entry in library)
    assert re.search(r"[äöüß]", german)
    for word in ("fuer", "ueber", "moeglich", "Aenderung", "massgeblich"):
        assert word not in german, word
