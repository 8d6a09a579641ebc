"""Create the Internal Auditor role group; its permissions follow the registers (core.roles)."""

from django.db import migrations

ROLE = "Internal Auditor"


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)


class Migration(migrations.Migration):
    dependencies = [("core", "0007_role_changes")]
    # Going back keeps the group: users may hold it, and removing it would drop their grants.
    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
