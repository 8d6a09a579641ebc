"""Load the EU AI Act obligations from the versioned data file. Later changes to application
dates are made by administrators in the portal (with history), not here."""

from django.db import migrations

from aims.inventory.obligations import load_obligations


def load(apps, schema_editor):
    load_obligations(apps.get_model("inventory", "AIActObligation"))


def unload(apps, schema_editor):
    apps.get_model("inventory", "AIActObligation").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
