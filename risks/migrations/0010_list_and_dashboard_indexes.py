from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("risks", "0009_heat_map_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="risk",
            index=models.Index(fields=["status", "next_review"], name="risk_status_review"),
        ),
        migrations.AddIndex(
            model_name="riskacceptance",
            index=models.Index(fields=["-accepted_on", "-id"], name="risk_acceptance_order"),
        ),
        migrations.AddIndex(
            model_name="treatmentaction",
            index=models.Index(fields=["due_date", "id"], name="treatment_action_order"),
        ),
    ]
