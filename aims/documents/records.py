"""The index of records the portal keeps as documented information (7.5.3): one list across
the registers that freeze what was decided, so that an auditor finds every record in one place.

Each source is one query (two with its decisions) through the permission layer, whatever the
number of rows. A source whose model is not installed is skipped.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from aims.documents.models import ControlledDocument

KINDS = {
    "document": gettext_lazy("Controlled document"),
    "ai_policy": gettext_lazy("AI policy"),
    "soa": gettext_lazy("Statement of Applicability"),
    "impact": gettext_lazy("Impact assessment"),
    "audit": gettext_lazy("Audit report"),
    "review": gettext_lazy("Management review minutes"),
}


@dataclass(frozen=True)
class Record:
    kind: str
    reference: str
    title: str
    version: str
    day: date | None
    status: str
    sha256: str
    url: str
    download_url: str = ""

    @property
    def kind_label(self):
        return KINDS[self.kind]


def model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def as_date(value):
    if isinstance(value, datetime):
        return timezone.localdate(value)
    return value


def documents(user):
    """Approved and retired versions of controlled documents, with their frozen hash."""
    versions = (
        ControlledDocument.objects.restrict(user)
        .filter(status__in=(ControlledDocument.Status.APPROVED, ControlledDocument.Status.RETIRED))
        .select_related("evidence", "revision")
    )
    for doc in versions:
        download = ""
        if doc.revision_id:
            download = reverse(
                "controls:evidence_download", args=[doc.evidence_id, doc.revision.number]
            )
        yield Record(
            "document",
            doc.reference,
            doc.title,
            doc.version_label,
            doc.approved_on,
            doc.get_status_display(),
            doc.approved_sha256,
            doc.get_absolute_url(),
            download,
        )


def ai_policies(user):
    AIPolicy = model("context.AIPolicy")
    if AIPolicy is None:
        return
    decided = (AIPolicy.Status.APPROVED, AIPolicy.Status.RETIRED)
    for policy in AIPolicy.objects.restrict(user).filter(status__in=decided):
        yield Record(
            "ai_policy",
            policy.reference,
            policy.title,
            policy.policy_version,
            policy.approved_on,
            policy.get_status_display(),
            "",
            policy.get_absolute_url(),
        )


def soa_versions(user):
    SoAVersion = model("controls.SoAVersion")
    if SoAVersion is None:
        return
    for version in SoAVersion.objects.restrict(user):
        yield Record(
            "soa",
            "",
            str(version),
            str(version.number),
            as_date(version.decided_at or version.issued_at),
            version.get_status_display(),
            version.sha256,
            version.get_absolute_url(),
        )


def impact_assessments(user):
    ImpactAssessment = model("impact.ImpactAssessment")
    if ImpactAssessment is None:
        return
    decisions = model("impact.AssessmentDecision").objects.exclude(outcome="rejected")
    assessments = (
        ImpactAssessment.objects.restrict(user)
        .filter(status__in=ImpactAssessment.DECIDED)
        .select_related("system")
        .prefetch_related(Prefetch("decisions", queryset=decisions.order_by("-decided_at")))
    )
    for assessment in assessments:
        decision = next(iter(assessment.decisions.all()), None)
        yield Record(
            "impact",
            assessment.reference,
            str(assessment.system),
            str(assessment.number),
            as_date(decision.decided_at) if decision else None,
            assessment.get_status_display(),
            decision.snapshot_sha256 if decision else "",
            assessment.get_absolute_url(),
        )


def audits(user):
    Audit = model("audits.Audit")
    if Audit is None:
        return
    reported = (Audit.Status.REPORTED, Audit.Status.CLOSED)
    for audit in Audit.objects.restrict(user).filter(status__in=reported):
        yield Record(
            "audit",
            audit.reference,
            audit.title,
            "",
            audit.actual_end or audit.planned_end,
            audit.get_status_display(),
            "",
            audit.get_absolute_url(),
            reverse("audits:audit_report_pdf", args=[audit.pk]),
        )


def management_reviews(user):
    ManagementReview = model("audits.ManagementReview")
    if ManagementReview is None:
        return
    closed = ManagementReview.objects.restrict(user).filter(status=ManagementReview.Status.CLOSED)
    for review in closed:
        yield Record(
            "review",
            review.reference,
            review.title,
            "",
            review.date,
            review.get_status_display(),
            review.snapshot_sha256,
            review.get_absolute_url(),
            reverse("audits:managementreview_minutes_pdf", args=[review.pk]),
        )


SOURCES = {
    "document": documents,
    "ai_policy": ai_policies,
    "soa": soa_versions,
    "impact": impact_assessments,
    "audit": audits,
    "review": management_reviews,
}


def records_index(user, kind=""):
    """The records the user may see, of one kind or all: newest first within each kind."""
    kinds = [kind] if kind in SOURCES else list(SOURCES)
    records = []
    for name in kinds:
        found = list(SOURCES[name](user))
        found.sort(key=lambda r: (r.day or date.min, r.reference, r.version), reverse=True)
        records.extend(found)
    return records
