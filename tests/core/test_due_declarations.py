"""Everything the AI management system asks to be reviewed by a date declares that date to the
reminder engine: a register of this list without a `Due` would never remind anyone."""

import pytest

from aims.core.registry import registry
from aims.core.reminders import declarations, sweep

# Register → what is due there. Not here, for want of a date on the record: classifications
# (re-classification is a flag set by a change of the system), SoA versions, the audit
# programme and nonconformities themselves (their due dates are their actions and checks).
REVIEWABLE = {
    "inventory.aisystem": "next review",
    "risks.risk": "next review and acceptance expiry",
    "risks.treatmentaction": "due date",
    "controls.soaentry": "next review",
    "controls.evidence": "valid until",
    "context.aipolicy": "next review",
    "documents.controlleddocument": "next review",
    "impact.impactassessment": "re-assessment and the conditions of its approval",
    "audits.audit": "planned start",
    "audits.correctiveaction": "due date",
    "audits.effectivenesscheck": "due date",
    "audits.aiincident": "report deadline",
    "competence.trainingrecord": "end of validity",
    "objectives.kpi": "next measurement",
    "audits.managementreview": "the next review",
    "audits.reviewaction": "due date",
}


@pytest.mark.parametrize("label", sorted(REVIEWABLE))
def test_every_reviewable_register_declares_its_due_dates(label):
    (register,) = [register for register in registry if register.label == label]
    assert register.due, f"{label} declares no due date ({REVIEWABLE[label]})"


def test_the_risk_and_impact_registers_declare_each_of_their_dates():
    keys = set(declarations())
    assert {
        "risks.risk:next_review",
        "risks.risk:acceptance_expires",
        "impact.impactassessment:next_review",
        "impact.impactassessment:decisioncondition.due_date",
    } <= keys


def test_every_declaration_sweeps_an_empty_portal(db):
    assert sweep().reminders == 0
