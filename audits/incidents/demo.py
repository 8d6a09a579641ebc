"""Demo incidents: an ordinary one of the customer-service chatbot, and a serious one of the
CV screening tool, which the organization deploys: a fundamental-rights infringement, the
provider informed at once and the initial report to the authority logged in time. Recorded
through the services, by the person who would record them. Running it again changes nothing."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aims.core.roles import COMPLIANCE_OFFICER
from aims.inventory.models import AISystem
from audits.incidents import services
from audits.models import AIIncident, IncidentReport

ORDINARY = {
    "system": "AIS-002",
    "title": "Chatbot quoted an outdated deductible",
    "days_ago": 12,
    "description": "For two days the chatbot quoted last year's deductible for household "
    "insurance; the knowledge base had not been refreshed after the tariff change.",
    "affected_persons": "About 40 customers who asked about household insurance.",
    "harm": "Wrong expectations; no contract was concluded on the wrong figure.",
    "flags": {},
}
SERIOUS = {
    "system": "AIS-003",
    "title": "CV screening ranked down applicants with career breaks",
    "days_ago": 3,
    "description": "A recruiter noticed that applicants with parental-leave gaps were ranked "
    "in the bottom quarter regardless of qualification. A check of 600 rankings confirmed it.",
    "affected_persons": "Applicants for the 2026 trainee positions, mainly women.",
    "harm": "Indirect discrimination in access to employment (EU Charter Art. 21, 23; AGG).",
    "flags": {"fundamental_rights": True},
}


def seed(users):
    officer = users[COMPLIANCE_OFFICER]
    recorded(ORDINARY, officer)
    serious = recorded(SERIOUS, officer, provider_informed_after=timedelta(hours=2))
    if serious is not None and not serious.reports.exists():
        report = IncidentReport(
            incident=serious,
            kind=IncidentReport.Kind.INITIAL,
            sent_at=serious.aware_at + timedelta(days=1, hours=3),
            authority="Bundesnetzagentur (market surveillance)",
            authority_reference="MSA-KI-2026-0042",
            summary="Initial report: ranking bias against career breaks; the ranking is "
            "switched off, recruiters review every application by hand.",
        )
        upload = SimpleUploadedFile(
            "initial-report-inc.txt",
            b"Initial report of a serious incident (EU AI Act Art. 73)\n"
            b"System: CV screening tool (TalentSift B.V.), used as deployer.\n",
        )
        services.incident_report_log(report=report, user=officer, upload=upload)


def recorded(data, user, provider_informed_after=None):
    system = AISystem.objects.filter(reference=data["system"]).first()
    if system is None:
        return None
    existing = AIIncident.objects.filter(ai_system=system, title=data["title"]).first()
    if existing is not None:
        return existing
    aware = timezone.now().replace(second=0, microsecond=0) - timedelta(days=data["days_ago"])
    incident = AIIncident(
        ai_system=system,
        title=data["title"],
        occurred_at=aware - timedelta(hours=20),
        aware_at=aware,
        description=data["description"],
        affected_persons=data["affected_persons"],
        harm=data["harm"],
        provider_informed_at=aware + provider_informed_after if provider_informed_after else None,
        **data["flags"],
    )
    return services.incident_record(incident=incident, user=user)
