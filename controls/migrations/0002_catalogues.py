"""Load ISO/IEC 42001 Annex A, ISO/IEC 27001:2022 Annex A, the EU AI Act requirements, their
mappings and one organization-wide SoA entry per Annex A control from controls/data."""

from django.db import migrations

from controls.catalogue import load_catalogues


def load(apps, schema_editor):
    load_catalogues(
        apps.get_model("controls", "ControlObjective"),
        apps.get_model("controls", "Control"),
        apps.get_model("controls", "SoAEntry"),
    )


class Migration(migrations.Migration):
    dependencies = [("controls", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
