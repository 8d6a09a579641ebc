"""The risk library shipped with the portal, from the versioned data file."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "risk_library.json"
FIELDS = (
    "title",
    "title_de",
    "description",
    "description_de",
    "category",
    "risk_source",
    "likelihood",
    "impact",
)


def load_library(model):
    """Create the entries that are missing and bring shipped ones up to date. `model` is
    LibraryRisk or its historical version in a migration (hence codes joined by hand)."""
    for entry in json.loads(DATA.read_text(encoding="utf-8")):
        values = {name: entry[name] for name in FIELDS}
        values["objectives"] = ",".join(entry["objectives"])
        values["controls"] = ",".join(entry["controls"])
        model.objects.update_or_create(code=entry["code"], defaults=values)
