"""The EU AI Act obligations shipped with the portal, from the versioned data file."""

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "ai_act_obligations.json"


def load_obligations(model):
    """Create the shipped obligations that are missing; never change one that exists (its date
    may have been moved by an administrator). `model` is AIActObligation or its historical
    version in a migration."""
    for entry in json.loads(DATA.read_text(encoding="utf-8")):
        model.objects.get_or_create(
            code=entry["code"],
            defaults={
                "article": entry["article"],
                "title": entry["title"],
                "title_de": entry.get("title_de", ""),
                "condition": entry["condition"],
                "roles": ",".join(entry["roles"]),
                "application_date": entry["application_date"],
                "note": entry.get("note", ""),
            },
        )
