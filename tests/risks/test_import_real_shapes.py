"""Risk registers shaped like published ones: a filled ISO/IEC
42001 risk register template and a published AI risk repository, through the wizard with the
proposals accepted as offered."""

import pytest

from risks.models import Risk, RiskImport
from tests import import_fixtures as fixtures
from tests.factories import AISystemFactory, RiskFactory, UserFactory, active_criteria

pytestmark = pytest.mark.usefixtures("tasks_in_process")


def wizard(client, content, name, **kwargs):
    return fixtures.run_wizard(client, "risks", RiskImport, content, name, **kwargs)


ISO_PROPOSAL = {
    0: "reference",
    1: "title",
    2: "ai_systems",
    3: "owner",
    4: "inherent_likelihood",
    5: "inherent_impact",
    6: "imported_score",
    7: "imported_level",
    8: "existing_controls",
    9: "category",
    10: "next_review",
}


def test_an_iso_register_keeps_its_own_ratings_beside_the_portals(client, compliance_officer):
    criteria = active_criteria()
    AISystemFactory(name="Scorer")
    AISystemFactory(name="Chatbot")
    ann = UserFactory(username="ann", email="ann.lee@example.org")
    client.force_login(compliance_officer)
    record, proposed, context = wizard(
        client, fixtures.iso_risk_register(), "register.xlsx", sheet="Risk Register"
    )
    assert proposed == ISO_PROPOSAL
    # RR-03's rating is a formula the file keeps no value for: reported, not imported.
    preview = context["preview"]
    assert (record.rows_total, len(preview.valid), preview.invalid_rows) == (3, 2, [7])
    assert "=E7*F7" in " ".join(message for _n, _label, message in preview.errors)
    flagged = {number for number, _message in context["notes"]}
    expected = {
        number
        for number, (likelihood, impact, level) in ((5, (4, 4, "high")), (6, (2, 2, "critical")))
        if criteria.level(likelihood, impact) != level
    }
    assert flagged == expected and flagged
    record = fixtures.confirm(client, "risks", record, skip_invalid="1")
    assert (record.rows_imported, record.rows_skipped) == (2, 1)
    first = Risk.objects.get(reference="RR-01")
    assert (first.imported_likelihood, first.imported_impact, first.imported_score) == (
        "4",
        "4",
        "16",
    )
    assert (first.imported_level, first.inherent_level) == ("High", criteria.level(4, 4))
    assert first.owner == ann  # named by "Ann Lee <ann.lee@example.org>"
    assert str(first.next_review) == "2025-09-30"
    second = Risk.objects.get(reference="RR-02")
    assert second.existing_controls == "Input filter\nOutput review"
    assert [s.name for s in second.ai_systems.all()] == ["Chatbot"]
    page = client.get(second.get_absolute_url()).content.decode()
    assert ("The imported register rated this risk" in page) == second.imported_level_differs


def test_owners_who_are_no_users_are_kept_with_their_risk(client, compliance_officer):
    active_criteria()
    AISystemFactory(name="Scorer")
    AISystemFactory(name="Chatbot")
    client.force_login(compliance_officer)
    cached = {"G5": "16", "G6": "4", "G7": "10"}
    record, _proposed, context = wizard(
        client, fixtures.iso_risk_register(cached), "register.xlsx", sheet="Risk Register"
    )
    assert len(context["preview"].valid) == 3
    assert fixtures.confirm(client, "risks", record).rows_imported == 3
    owners = {r.reference: (r.owner, r.owner_name, r.owner_email) for r in Risk.objects.all()}
    assert owners == {
        "RR-01": (None, "Ann Lee", "ann.lee@example.org"),
        "RR-02": (None, "", "ann.lee@example.org"),
        "RR-03": (None, "Bob Stone", ""),
    }


def test_a_risk_repository_is_proposed_from_its_content(client, compliance_officer):
    client.force_login(compliance_officer)
    record, proposed, context = wizard(
        client, fixtures.risk_repository(12), "repository.xlsx", sheet="AI Risk Database"
    )
    # The paper's title repeats for each of its risks: not the risk's title. The risk category
    # is free text, not a choice: it names the risk; the domain groups them.
    assert proposed == {0: "reference", 2: "title", 3: "description", 4: "category"}
    # "2. Privacy & Security" names two categories: left to the user, its rows wait.
    preview = context["preview"]
    assert (record.rows_total, len(preview.valid), len(preview.invalid_rows)) == (12, 8, 4)
    record = fixtures.confirm(client, "risks", record, skip_invalid="1")
    assert record.rows_imported == 8
    assert Risk.objects.get(reference="01.03.00").category == "bias_fairness"


def test_risks_without_ids_are_matched_on_title_and_ai_systems(client, compliance_officer):
    active_criteria()
    scorer = AISystemFactory(name="Scorer")
    AISystemFactory(name="Chatbot")
    existing = RiskFactory(title="Biased ranking", controls=[])
    existing.ai_systems.set([scorer])
    other_system = RiskFactory(title="Prompt injection", controls=[])  # no AI system
    rows = [["Risk", "AI System", "Category"], ["Biased ranking", "Scorer", "Bias"],
            ["Prompt injection", "Chatbot", "Security"]]  # fmt: skip
    client.force_login(compliance_officer)
    record, _proposed, context = wizard(client, fixtures.csv_bytes(rows), "risks.csv")
    assert [(m.number, m.entry, m.action) for m in context["matches"]] == [(2, existing, "update")]
    record = fixtures.confirm(client, "risks", record)
    assert (record.rows_imported, record.rows_skipped) == (2, 0)
    assert Risk.objects.filter(title="Prompt injection").exclude(pk=other_system.pk).count() == 1
