"""The control catalogues shipped as data files (controls/data), read once and loaded into the
database by a migration (and again by `load_catalogues` wherever a test flushed the tables)."""

import json
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
FILES = {
    "iso42001": "iso42001_annex_a.json",
    "iso27001": "iso27001_annex_a.json",
    "eu_ai_act": "eu_ai_act_requirements.json",
}


@cache
def catalogue(framework):
    """The objectives of a catalogue, each with its controls, as in the data file."""
    return json.loads((DATA / FILES[framework]).read_text(encoding="utf-8"))["objectives"]


def annex_a():
    return catalogue("iso42001")


@cache
def mappings():
    return json.loads((DATA / "mappings.json").read_text(encoding="utf-8"))


def annex_a_choices():
    """(control ID, "ID short title") for every Annex A control, in catalogue order.

    Titles stay in English: they are the catalogue's short references.
    """
    return [
        (control["id"], f"{control['id']} {control['title']}")
        for objective in annex_a()
        for control in objective["controls"]
    ]


def load_catalogues(objective_model, control_model, soa_entry_model):
    """Create or refresh the shipped catalogues, their mappings and one organization-wide SoA
    entry per Annex A control. The models may be historical ones (in a migration)."""
    clauses = mappings()["clauses"]
    position = 0
    for framework in FILES:
        objectives = {}
        for entry in catalogue(framework):
            parent = entry.get("parent")
            position += 1
            objectives[entry["id"]], _ = objective_model.objects.update_or_create(
                framework=framework,
                code=entry["id"],
                defaults={
                    "title": entry["title"],
                    "title_de": entry.get("title_de", ""),
                    "parent": objectives.get(parent),
                    "position": position,
                },
            )
            for item in entry["controls"]:
                position += 1
                control_model.objects.update_or_create(
                    framework=framework,
                    code=item["id"],
                    defaults={
                        "title": item["title"],
                        "title_de": item.get("title_de", ""),
                        "guidance": item.get("guidance", ""),
                        "guidance_de": item.get("guidance_de", ""),
                        "objective": objectives[entry["id"]],
                        "position": position,
                        "clauses": ", ".join(clauses.get(item["id"], [])),
                    },
                )
    shipped = {c.code: c for c in control_model.objects.exclude(framework="own")}
    for pair in mappings()["mappings"]:
        # Both directions: a migration's model does not know the link is symmetric.
        shipped[pair["from"]].mappings.add(shipped[pair["to"]])
        shipped[pair["to"]].mappings.add(shipped[pair["from"]])
    for control in control_model.objects.filter(framework="iso42001"):
        soa_entry_model.objects.get_or_create(control=control, ai_system=None)
