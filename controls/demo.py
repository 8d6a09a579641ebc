"""Demo Statement of Applicability of Rheinwerk Versicherung AG: justified entries for the
controls that carry its AI risks, one exclusion for a bought system, and evidence."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.core.roles import COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.core.seeding import ensure
from aims.inventory.models import AISystem
from controls.models import Control, Evidence, ImplementationStatus, SoAEntry
from controls.services import evidence_revision_add
from risks.models import Risk

IMPLEMENTED, PARTIAL, PLANNED = (
    ImplementationStatus.IMPLEMENTED,
    ImplementationStatus.PARTIAL,
    ImplementationStatus.PLANNED,
)
ENTRIES = [
    # control, status, risks, justification
    (
        "A.2.2",
        IMPLEMENTED,
        [],
        "The board approved the AI policy; BaFin expects documented AI governance.",
    ),
    (
        "A.5.2",
        PARTIAL,
        ["R-0002", "R-0005"],
        "Claims and recruiting decisions affect customers and applicants.",
    ),
    (
        "A.6.2.4",
        IMPLEMENTED,
        ["R-0003", "R-0004"],
        "Model quality must be shown before each release.",
    ),
    ("A.6.2.6", PARTIAL, ["R-0003"], "Drift of the claims model is monitored monthly."),
    ("A.6.2.8", PLANNED, ["R-0001"], "Chatbot conversations must be traceable after an incident."),
    (
        "A.7.4",
        IMPLEMENTED,
        ["R-0002"],
        "Training data quality drives fairness of the claims model.",
    ),
    ("A.9.2", PARTIAL, ["R-0005"], "Case handlers must not follow model scores blindly."),
    ("A.10.3", IMPLEMENTED, ["R-0002"], "CV screening is bought from TalentSift B.V."),
]


def seed(users):
    compliance, owner = users[COMPLIANCE_OFFICER], users[SYSTEM_OWNER]
    today = timezone.localdate()
    for code, status, risk_refs, justification in ENTRIES:
        entry = SoAEntry.objects.get(control__code=code, ai_system=None)
        if entry.version > 1:  # changed since the catalogue was loaded: leave it
            continue
        entry.inclusion_justification = justification
        entry.status = status
        entry.owner = compliance
        entry.last_review = today - timedelta(days=40)
        entry.next_review = today + timedelta(days=325)
        entry._history_user = compliance
        entry.save()
        entry.risks.set(Risk.objects.filter(reference__in=risk_refs))
    recruiting = AISystem.objects.get(reference="AIS-003")
    ensure(
        SoAEntry,
        {"control": Control.objects.get(code="A.7.5"), "ai_system": recruiting},
        {
            "applicable": False,
            "exclusion_justification": "TalentSift B.V. trains and provides the model; we hand "
            "over no training data. Data provenance is the supplier's and is covered by A.10.3.",
        },
        author=compliance,
    )
    validation = ensure(
        Evidence,
        {"reference": "EV-0001"},
        {
            "title": "Validation report claims-triage model 2.3",
            "description": "Hold-out accuracy, fairness metrics per age group, sign-off.",
            "evidence_date": today - timedelta(days=30),
            "valid_until": today + timedelta(days=335),
            "uploaded_by": owner,
        },
        author=owner,
    )
    if not validation.revisions.exists():
        validation.controls.set(Control.objects.filter(code__in=["A.6.2.4", "A.7.4"]))
        validation.ai_systems.set(AISystem.objects.filter(reference="AIS-001"))
        report = SimpleUploadedFile(
            "validation-report-2.3.txt",
            b"Claims triage 2.3: accuracy 0.91 on hold-out; parity gap below 2 points.\n",
        )
        evidence_revision_add(evidence=validation, upload=report, user=owner)
    minutes = ensure(
        Evidence,
        {"reference": "EV-0002"},
        {
            "title": "AI policy approval minutes",
            "link": "https://intranet.rheinwerk-versicherung.example/board/2026-03",
            "evidence_date": today - timedelta(days=200),
            "uploaded_by": compliance,
        },
        author=compliance,
    )
    if not minutes.controls.exists():
        minutes.controls.add(Control.objects.get(code="A.2.2"))
