"""The AI-system import's saved column mappings move to core.SavedColumnMapping (register
"inventory.aisystem"), where every register keeps its own."""

from django.db import migrations

REGISTER = "inventory.aisystem"


def copy_to_core(apps, schema_editor):
    old = apps.get_model("inventory", "SavedColumnMapping")
    new = apps.get_model("core", "SavedColumnMapping")
    new.objects.bulk_create(
        new(register=REGISTER, header=mapping.header, field=mapping.field)
        for mapping in old.objects.all()
    )


def copy_back(apps, schema_editor):
    old = apps.get_model("inventory", "SavedColumnMapping")
    new = apps.get_model("core", "SavedColumnMapping")
    moved = new.objects.filter(register=REGISTER)
    old.objects.bulk_create(old(header=mapping.header, field=mapping.field) for mapping in moved)
    moved.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_ai_act_obligations"),
        ("core", "0003_savedcolumnmapping"),
    ]

    operations = [
        migrations.RunPython(copy_to_core, copy_back),
        migrations.DeleteModel(name="SavedColumnMapping"),
    ]
