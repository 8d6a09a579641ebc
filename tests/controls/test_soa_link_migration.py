"""The risks an SoA entry linked before there was one link become links of the risk to the
entry's control, and come back as entry links when the migration is reversed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("controls", "0004_soa_version_framework")]
AFTER = [("controls", "0005_soa_risks_from_the_risk_link")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    # The models as the database now holds them: other apps' tables stay at their latest.
    return executor.loader.project_state(list(executor.loader.applied_migrations)).apps


@pytest.mark.django_db(transaction=True)
def test_soa_entry_risk_links_become_the_risks_control_links():
    try:
        apps = migrate(BEFORE)
        Control = apps.get_model("controls", "Control")
        SoAEntry = apps.get_model("controls", "SoAEntry")
        Risk = apps.get_model("risks", "Risk")
        # A transactional test before this one may have flushed the catalogue.
        a624, a92 = (
            Control.objects.get_or_create(
                framework="iso42001", code=code, defaults={"title": code}
            )[0]
            for code in ("A.6.2.4", "A.9.2")
        )
        for control in (a624, a92):
            SoAEntry.objects.get_or_create(control=control, ai_system=None)
        drift = Risk.objects.create(reference="R-0001", title="Drift", category="model_drift")
        bias = Risk.objects.create(reference="R-0002", title="Bias", category="bias_fairness")
        drift.controls.add(a624)  # linked on both sides already
        SoAEntry.objects.get(control=a624, ai_system=None).risks.add(drift)
        SoAEntry.objects.get(control=a92, ai_system=None).risks.add(drift, bias)

        apps = migrate(AFTER)

        Risk = apps.get_model("risks", "Risk")
        links = Risk.controls.through.objects.values_list("risk__reference", "control__code")
        assert sorted(links) == [("R-0001", "A.6.2.4"), ("R-0001", "A.9.2"), ("R-0002", "A.9.2")]

        apps = migrate(BEFORE)  # and back: each organization-wide entry links its control's risks
        SoAEntry = apps.get_model("controls", "SoAEntry")
        entry_links = SoAEntry.risks.through.objects.values_list(
            "soaentry__control__code", "risk__reference"
        )
        assert sorted(entry_links) == [
            ("A.6.2.4", "R-0001"),
            ("A.9.2", "R-0001"),
            ("A.9.2", "R-0002"),
        ]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
