"""Demo competence records: what the AIMS roles and the operators of the high-risk CV screening
tool (AIS-003) must know, the people (two recruiters without a portal account among them) and
their training, with a few gaps, one training that runs out soon and one that has expired.
Idempotent: looked up by natural keys, dates counted back from the day of seeding."""

from datetime import timedelta

from django.utils import timezone

from aims.competence.models import CompetenceRequirement, Person, TrainingRecord
from aims.competence.services import training_records_link
from aims.context.models import AIMSRole
from aims.core.roles import AI_OFFICER, AUDITOR, COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.core.seeding import ensure
from aims.inventory.models import AISystem

LITERACY = "KI-Kompetenz Grundlagen"
OVERSIGHT = "Menschliche Aufsicht AIS-003"

# reference, title, roles, systems, satisfied by, AI literacy, months valid
REQUIREMENTS = [
    (
        "CR-001",
        "AI literacy for everyone working with AI",
        [],
        [],
        [LITERACY, "AI literacy basics"],
        True,
        24,
    ),
    (
        "CR-002",
        "AI management system and ISO/IEC 42001",
        ["AI Officer", "Compliance Officer"],
        [],
        ["ISO/IEC 42001 Lead Implementer", "ISO/IEC 42001 Foundation"],
        False,
        None,
    ),
    (
        "CR-003",
        "Auditing an AI management system",
        ["Internal Audit"],
        [],
        ["ISO/IEC 42001 Lead Auditor"],
        False,
        36,
    ),
    (
        "CR-004",
        "AI governance briefing for the board",
        ["Management board"],
        [],
        ["Board briefing on AI governance"],
        True,
        12,
    ),
    (
        "CR-005",
        "Human oversight of the CV screening tool",
        [],
        ["AIS-003"],
        [OVERSIGHT, "Human oversight of AIS-003"],
        False,
        12,
    ),
]

# name, e-mail, unit, user role (None: no account), manager role, AIMS roles, systems operated,
# trainings as (course, provider, days ago, valid for days or None)
PEOPLE = [
    (
        "Claudia Brandt",
        "Compliance",
        COMPLIANCE_OFFICER,
        None,
        ["Compliance Officer"],
        [],
        [(LITERACY, "KI-Akademie", 200, 730), ("ISO/IEC 42001 Lead Implementer", "TÜV", 400, None)],
    ),
    (
        "Tobias Keller",
        "AI Office",
        AI_OFFICER,
        None,
        ["AI Officer"],
        [],
        [(LITERACY, "KI-Akademie", 150, 730), ("ISO/IEC 42001 Foundation", "DEKRA", 300, None)],
    ),
    (
        "Sabine Wolff",
        "HR",
        SYSTEM_OWNER,
        None,
        ["AI system owner"],
        [],
        [(LITERACY, "KI-Akademie", 710, 730)],  # runs out within 30 days
    ),
    (
        "Martin Huber",
        "Internal Audit",
        AUDITOR,
        None,
        ["Internal Audit"],
        [],
        [("ISO/IEC 42001 Lead Auditor", "TÜV", 500, None)],  # AI literacy missing
    ),
    (
        "Lena Vogt",
        "HR",
        None,
        SYSTEM_OWNER,
        [],
        ["AIS-003"],
        [(LITERACY, "KI-Akademie", 90, 730), (OVERSIGHT, "Intern", 420, 365)],  # expired
    ),
    (
        "Jonas Becker",
        "HR",
        None,
        SYSTEM_OWNER,
        [],
        ["AIS-003"],
        [(LITERACY, "KI-Akademie", 60, 730)],  # human oversight missing
    ),
]


def seed(users):
    compliance = users[COMPLIANCE_OFFICER]
    roles = {role.name: role for role in AIMSRole.objects.all()}
    systems = {system.reference: system for system in AISystem.objects.all()}
    for reference, title, role_names, system_refs, courses, literacy, months in REQUIREMENTS:
        requirement = CompetenceRequirement.objects.filter(reference=reference).first()
        if requirement is None:
            requirement = ensure(
                CompetenceRequirement,
                {"reference": reference},
                {
                    "title": title,
                    "satisfied_by": "\n".join(courses),
                    "ai_literacy": literacy,
                    "validity_months": months,
                },
                author=compliance,
            )
            requirement.roles.set([roles[n] for n in role_names if n in roles])
            requirement.ai_systems.set([systems[r] for r in system_refs if r in systems])
    today = timezone.localdate()
    for name, unit, user_role, manager_role, role_names, system_refs, trainings in PEOPLE:
        user = users.get(user_role) if user_role else None
        person = Person.objects.filter(name=name).first()
        if person is None:
            person = ensure(
                Person,
                {"name": name},
                {
                    "email": user.email if user else "",
                    "unit": unit,
                    "user": user,
                    "manager": users.get(manager_role) if manager_role else None,
                },
                author=compliance,
            )
            person.roles.set([roles[n] for n in role_names if n in roles])
            person.ai_systems.set([systems[r] for r in system_refs if r in systems])
        for course, provider, days_ago, valid_days in trainings:
            if TrainingRecord.objects.filter(person=person, course=course).exists():
                continue
            completed = today - timedelta(days=days_ago)
            record = ensure(
                TrainingRecord,
                {"person": person, "course": course},
                {
                    "completed_on": completed,
                    "valid_until": completed + timedelta(days=valid_days) if valid_days else None,
                    "provider": provider,
                },
                author=compliance,
            )
            training_records_link([record])
