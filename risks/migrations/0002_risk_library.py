"""Load the built-in risk library from the versioned data file."""

from django.db import migrations

from risks.library import load_library


def load(apps, schema_editor):
    load_library(apps.get_model("risks", "LibraryRisk"))


def unload(apps, schema_editor):
    apps.get_model("risks", "LibraryRisk").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
