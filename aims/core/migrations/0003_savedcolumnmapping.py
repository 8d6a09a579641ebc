"""Saved column mappings move to core, keyed by register (inventory.0003 copies the
inventory's own mappings here)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0002_roles")]

    operations = [
        migrations.CreateModel(
            name="SavedColumnMapping",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("register", models.CharField(max_length=100, verbose_name="register")),
                ("header", models.CharField(max_length=200, verbose_name="header")),
                ("field", models.CharField(max_length=40, verbose_name="field")),
            ],
            options={
                "verbose_name": "saved column mapping",
                "verbose_name_plural": "saved column mappings",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("register", "header"), name="one_mapping_per_header"
                    )
                ],
            },
        ),
    ]
