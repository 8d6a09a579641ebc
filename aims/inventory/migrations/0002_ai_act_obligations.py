"""Load the EU AI Act obligations from the versioned data file. Later changes to application
dates are made by administrators in the portal (with history), not here."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "ai_act_obligations.json"


def load(apps, schema_editor):
    Obligation = apps.get_model("inventory", "AIActObligation")
    for entry in json.loads(DATA.read_text(encoding="utf-8")):
        Obligation.objects.update_or_create(
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


def unload(apps, schema_editor):
    apps.get_model("inventory", "AIActObligation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
