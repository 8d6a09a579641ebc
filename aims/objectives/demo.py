"""Demo AI objectives and KPIs of Rheinwerk Versicherung AG with a year of monthly
measurements: the approval-rate gap of the claims triage model is off target."""

import datetime
from decimal import Decimal

from django.utils import timezone

from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.core.seeding import ensure
from aims.inventory.models import AISystem
from aims.objectives.models import KPI, AIObjective, Frequency, Measurement, period_before

OBJECTIVES = [
    # reference, title, Annex C objective, owner role, systems, months to the due date
    (
        "OBJ-01",
        "Fair decisions of the claims triage model",
        "fairness",
        AI_OFFICER,
        ["AIS-001"],
        9,
        "The approval rates of claims from comparable customer groups differ by at most "
        "3 percentage points, every month.",
        "Monthly fairness tests on a sample of decisions; retraining with rebalanced data when "
        "the gap exceeds the threshold; review of the features by the data science team.",
        "Data science team (0.5 FTE), fairness test tooling",
        "The AI officer reviews the monthly gap and the accuracy in the AI steering meeting.",
    ),
    (
        "OBJ-02",
        "Controls of the AIMS in place and every AI system assessed",
        "accountability",
        COMPLIANCE_OFFICER,
        ["AIS-001", "AIS-002", "AIS-003", "AIS-004", "AIS-005"],
        12,
        "90 % of the applicable Annex A controls implemented and an approved impact assessment "
        "for every AI system in scope by the due date; no corrective action overdue.",
        "Implementation plan for the open controls; impact assessments for the systems "
        "without one; monthly follow-up of corrective actions.",
        "Compliance team, system owners",
        "Reported to the management review from the computed KPIs.",
    ),
    (
        "OBJ-03",
        "Reliable customer service with AI",
        "robustness",
        SYSTEM_OWNER,
        ["AIS-002"],
        6,
        "95 % of chatbot escalations answered by a person within one working day and fewer "
        "than 5 complaints about AI decisions a month.",
        "Escalation queue with a service level; monthly review of complaints with the "
        "customer-service lead.",
        "Customer-service team leads",
        "The system owner reports the monthly figures to the AI officer.",
    ),
]

# reference, name, unit, higher is better, target, warning, owner role, objectives, kind or
# the code of the computed figure, definition, twelve monthly values (oldest first)
KPIS = [
    (
        "KPI-01",
        "Accuracy of the claims triage model",
        "%",
        True,
        "92",
        "88",
        AI_OFFICER,
        ["OBJ-01"],
        "",
        "Share of sampled triage decisions a claims handler confirms as correct.",
        [
            "91.2",
            "91.8",
            "92.4",
            "92.9",
            "93.1",
            "92.6",
            "92.2",
            "91.7",
            "92.5",
            "93.0",
            "92.8",
            "93.4",
        ],
    ),
    (
        "KPI-02",
        "Approval-rate gap between customer groups",
        "pp",
        False,
        "3",
        "5",
        AI_OFFICER,
        ["OBJ-01"],
        "",
        "Largest difference in approval rates between comparable customer groups, in "
        "percentage points.",
        ["2.4", "2.6", "2.9", "3.1", "2.8", "3.4", "3.9", "4.2", "4.8", "5.1", "5.7", "6.2"],
    ),
    (
        "KPI-03",
        "Chatbot escalations answered within a working day",
        "%",
        True,
        "95",
        "90",
        SYSTEM_OWNER,
        ["OBJ-03"],
        "",
        "Share of conversations handed to a person that got a reply within one working day.",
        [
            "89.5",
            "90.4",
            "92.1",
            "93.0",
            "94.2",
            "95.1",
            "95.6",
            "96.0",
            "95.2",
            "95.8",
            "96.3",
            "96.1",
        ],
    ),
    (
        "KPI-04",
        "Complaints about AI decisions",
        "",
        False,
        "5",
        "10",
        SYSTEM_OWNER,
        ["OBJ-03"],
        "",
        "Complaints in the month that concern a decision or answer of an AI system.",
        ["9", "8", "11", "7", "6", "6", "5", "7", "4", "5", "6", "4"],
    ),
    (
        "KPI-05",
        "Human overrides of the fraud detection model",
        "%",
        False,
        "15",
        "25",
        COMPLIANCE_OFFICER,
        ["OBJ-01"],
        "",
        "Share of fraud alerts a case handler overrides after review.",
        ["21", "20", "19", "18", "18", "17", "16", "16", "15", "14", "14", "13"],
    ),
    (
        "KPI-06",
        "Annex A controls implemented",
        "%",
        True,
        "90",
        "75",
        COMPLIANCE_OFFICER,
        ["OBJ-02"],
        "annex_a_controls_implemented",
        "Share of the applicable Annex A controls whose implementation status is implemented.",
        [
            "52.6",
            "55.3",
            "57.9",
            "60.5",
            "63.2",
            "65.8",
            "68.4",
            "71.1",
            "73.7",
            "76.3",
            "78.9",
            "81.6",
        ],
    ),
    (
        "KPI-07",
        "AI systems with an approved impact assessment",
        "%",
        True,
        "100",
        "80",
        COMPLIANCE_OFFICER,
        ["OBJ-02"],
        "ai_systems_impact_approved",
        "Share of the AI systems in scope with an approved impact assessment.",
        ["40", "40", "40", "60", "60", "60", "60", "80", "80", "80", "80", "80"],
    ),
    (
        "KPI-08",
        "Overdue corrective actions",
        "",
        False,
        "0",
        "2",
        COMPLIANCE_OFFICER,
        ["OBJ-02"],
        "corrective_actions_overdue",
        "Corrective actions past their due date and not done on the month's last day.",
        ["0", "0", "1", "1", "2", "1", "0", "0", "1", "1", "0", "1"],
    ),
]


def last_twelve_months(today):
    periods, day = [], today
    for _month in range(12):
        start, end = period_before(day, Frequency.MONTHLY)
        periods.append((start, end))
        day = start
    return list(reversed(periods))


def seed(users):
    compliance = users[COMPLIANCE_OFFICER]
    today = timezone.localdate()
    objectives = {}
    for (
        reference,
        title,
        annex_c,
        role,
        systems,
        months,
        target,
        actions,
        resources,
        how,
    ) in OBJECTIVES:
        objective = ensure(
            AIObjective,
            {"reference": reference},
            {
                "title": title,
                "annex_c_objective": annex_c,
                "target": target,
                "actions": actions,
                "resources": resources,
                "owner": users[role],
                "due_date": today.replace(day=1) + datetime.timedelta(days=31 * months),
                "evaluation": how,
                "status": AIObjective.Status.IN_PROGRESS,
            },
            author=compliance,
        )
        objective.ai_systems.add(*AISystem.objects.filter(reference__in=systems))
        objectives[reference] = objective
    periods = last_twelve_months(today)
    for (
        reference,
        name,
        unit,
        higher,
        target,
        warning,
        role,
        served,
        code,
        definition,
        values,
    ) in KPIS:
        kpi = ensure(
            KPI,
            {"reference": reference},
            {
                "name": name,
                "definition": definition,
                "method": "Computed by the portal from its registers."
                if code
                else "Entered by the KPI owner from the monthly report.",
                "unit": unit,
                "higher_is_better": higher,
                "target": Decimal(target),
                "warning_threshold": Decimal(warning),
                "frequency": Frequency.MONTHLY,
                "owner": users[role],
                "kind": KPI.Kind.COMPUTED if code else KPI.Kind.ENTERED,
                "computed": code,
            },
            author=compliance,
        )
        kpi.objectives.add(*(objectives[ref] for ref in served))
        for (start, end), value in zip(periods, values, strict=True):
            ensure(
                Measurement,
                {"kpi": kpi, "period_start": start},
                {"period_end": end, "value": Decimal(value)},
                author=None if code else users[role],
            )
