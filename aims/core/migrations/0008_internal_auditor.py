"""Create the Internal Auditor role group; its permissions follow the registers (core.roles)."""

from django.db import migrations

ROLE = "Internal Auditor"


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0007_role_changes")]
    operations = [migrations.RunPython(create_role, remove_role)]
