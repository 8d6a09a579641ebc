"""A risk's linked controls become links to the control catalogue (they were Annex A IDs)."""

from django.db import migrations, models


def link_controls(apps, schema_editor):
    Risk = apps.get_model("risks", "Risk")
    Control = apps.get_model("controls", "Control")
    controls = {c.code: c for c in Control.objects.filter(framework="iso42001")}
    for risk in Risk.objects.exclude(annex_a_ids=""):
        codes = risk.annex_a_ids
        codes = codes.split(",") if isinstance(codes, str) else codes
        risk.controls.set([controls[code] for code in codes if code in controls])


class Migration(migrations.Migration):
    dependencies = [
        ("controls", "0002_catalogues"),
        ("risks", "0003_risk_import"),
    ]

    operations = [
        migrations.RenameField("risk", "controls", "annex_a_ids"),
        migrations.RemoveField("historicalrisk", "controls"),
        migrations.AddField(
            model_name="risk",
            name="controls",
            field=models.ManyToManyField(
                blank=True,
                help_text="Controls that treat the risk.",
                limit_choices_to={"framework__in": ["iso42001", "iso27001", "own"]},
                related_name="risks",
                to="controls.control",
                verbose_name="linked controls",
            ),
        ),
        migrations.RunPython(link_controls, migrations.RunPython.noop),
        migrations.RemoveField("risk", "annex_a_ids"),
    ]
