"""Load the ISO/IEC 42001 clauses 4–10 and the Art. 73 reporting periods from audits/data."""

from django.db import migrations

from audits.models.clauses import load_clauses
from audits.models.incidents import load_reporting_periods


def load(apps, schema_editor):
    load_clauses(apps.get_model("audits", "Clause"))
    load_reporting_periods(apps.get_model("audits", "ReportingPeriod"))


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
