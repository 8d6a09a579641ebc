"""State changes of the Statement of Applicability and of evidence: issuing and deciding SoA
versions, adding evidence files. Each runs in a transaction with the rows it changes locked."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core.digests import canonical_sha256
from aims.core.permissions import can
from aims.core.roles import may_approve
from controls.evidence_files import check_upload, display_name
from controls.models import (
    Control,
    Evidence,
    EvidenceRevision,
    SoAEntry,
    SoAFramework,
    SoAVersion,
)


def soa_content(framework=SoAFramework.ISO42001):
    """The whole current SoA of a framework as plain data: what a version freezes and the PDF
    prints."""
    entries = (
        SoAEntry.objects.for_framework(framework)
        .select_related("control__objective", "ai_system", "owner")
        .prefetch_related(
            "risks",
            "impact_assessments",
            "requirements",
            "legal_requirements",
            "evidence",
        )
        .order_by(
            "control__framework", "control__position", "control__code", "ai_system__reference"
        )
    )
    rows = []
    for entry in entries:
        control = entry.control
        rows.append(
            {
                "control": control.code,
                "catalogue": control.framework,
                "objective": control.objective.code if control.objective_id else "",
                "title": control.title,
                "title_de": control.title_de,
                "scope": entry.ai_system.reference if entry.ai_system_id else "",
                "scope_name": entry.ai_system.name if entry.ai_system_id else "",
                "applicable": entry.applicable,
                "inclusion_justification": entry.inclusion_justification,
                "exclusion_justification": entry.exclusion_justification,
                "risks": sorted(str(risk) for risk in entry.risks.all()),
                "impact_assessments": sorted(str(ia) for ia in entry.impact_assessments.all()),
                "requirements": sorted(str(req) for req in entry.requirements.all()),
                "legal_requirements": sorted(c.code for c in entry.legal_requirements.all()),
                "status": entry.status,
                "owner": str(entry.owner) if entry.owner_id else "",
                "evidence": sorted(str(item) for item in entry.evidence.all()),
                "last_review": entry.last_review.isoformat() if entry.last_review else "",
                "next_review": entry.next_review.isoformat() if entry.next_review else "",
            }
        )
    return {"entries": rows}


def soa_started(framework):
    """Whether the framework's SoA has its entries (the ISO 42001 one always has)."""
    return SoAEntry.objects.organization_wide().for_framework(framework).exists()


def not_started_message(framework):
    return _("The %(framework)s Statement of Applicability has not been started yet.") % {
        "framework": SoAFramework(framework).label
    }


def soa_start(*, user, framework=SoAFramework.ISO27001):
    """Start the framework's SoA: one organization-wide entry per control of its catalogue,
    not yet assessed, recorded in history as created by the user. Done once."""
    if not can(user, "add", SoAEntry):
        raise PermissionDenied
    with transaction.atomic():
        # Locking the catalogue's controls makes a second, concurrent start wait and then
        # find the entries already there.
        controls = list(
            Control.objects.select_for_update()
            .filter(framework__in=SoAFramework(framework).catalogues)
            .order_by("position", "code")
        )
        if soa_started(framework):
            raise ValidationError(
                _("The %(framework)s Statement of Applicability has been started already.")
                % {"framework": SoAFramework(framework).label}
            )
        entries = []
        for control in controls:
            entry = SoAEntry(control=control, ai_system=None)
            entry._history_user = user
            entry.save()
            entries.append(entry)
    return entries


def soa_entry_editors():
    """Who changed each SoA entry last: none of them may approve a version issued now."""
    last_editor = (
        SoAEntry.history.filter(id=OuterRef("pk"))
        .order_by("-history_date", "-history_id")
        .values("history_user_id")[:1]
    )
    editors = SoAEntry.objects.annotate(editor=Subquery(last_editor)).values_list(
        "editor", flat=True
    )
    return sorted({editor for editor in editors if editor})


def soa_version_issue(*, user, note="", framework=SoAFramework.ISO42001):
    """Freeze the current SoA of the framework as its next version, awaiting approval."""
    if not can(user, "add", SoAVersion):
        raise PermissionDenied
    if not soa_started(framework):
        raise ValidationError(not_started_message(framework))
    with transaction.atomic():
        # Locking the versions serialises issuing: two clicks cannot draw the same number.
        numbers = list(
            SoAVersion.objects.select_for_update()
            .filter(framework=framework)
            .values_list("number", "status")
        )
        if any(status == SoAVersion.Status.AWAITING_APPROVAL for _n, status in numbers):
            raise ValidationError(
                _("A version awaits approval; it must be approved or rejected before the next.")
            )
        content = soa_content(framework)
        version = SoAVersion(
            framework=framework,
            number=max((n for n, _s in numbers), default=0) + 1,
            note=note,
            content=content,
            sha256=canonical_sha256(content),
            editor_ids=soa_entry_editors(),
            issued_by=user,
            issued_at=timezone.now(),
        )
        version._history_user = user
        try:
            with transaction.atomic():
                version.save()
        except IntegrityError as clash:
            raise ValidationError(
                _("Another version was issued at the same moment; reload.")
            ) from clash
    return version


def soa_approval_refusal(user, version):
    """Why the user may not decide on the version ("" when they may): the AI officer decides,
    never on a version they issued or whose entries they changed last (four-eyes)."""
    if version.status != SoAVersion.Status.AWAITING_APPROVAL:
        return _("This version has been decided.")
    if not may_approve(user):
        return _("Only the AI officer approves the Statement of Applicability.")
    if user.pk == version.issued_by_id:
        return _("You issued this version; someone else must approve it.")
    if user.pk in version.editor_ids:
        return _("You changed entries of this version; someone else must approve it.")
    return ""


def soa_version_decide(*, version, user, approve, comment=""):
    with transaction.atomic():
        version = SoAVersion.objects.select_for_update().get(pk=version.pk)
        refusal = soa_approval_refusal(user, version)
        if refusal:
            raise ValidationError(refusal)
        if not approve and not comment.strip():
            raise ValidationError(_("Say why the version is rejected."))
        version.status = SoAVersion.Status.APPROVED if approve else SoAVersion.Status.REJECTED
        version.decided_by = user
        version.decided_at = timezone.now()
        version.decision_comment = comment
        version._history_user = user
        version.save()
    return version


COMPARED = (
    "applicable",
    "inclusion_justification",
    "exclusion_justification",
    "risks",
    "impact_assessments",
    "requirements",
    "legal_requirements",
    "status",
    "owner",
    "evidence",
    "last_review",
    "next_review",
    "title",
)


def soa_diff(older, newer):
    """What changed from one version's entries to another's: added, removed and changed
    entries, each change as (field, before, after)."""
    before = {(row["control"], row["scope"]): row for row in older}
    after = {(row["control"], row["scope"]): row for row in newer}
    changed = []
    for key, row in after.items():
        if key in before:
            changes = [
                (name, before[key].get(name), row.get(name))
                for name in COMPARED
                if before[key].get(name) != row.get(name)
            ]
            if changes:
                changed.append((row, changes))
    return {
        "added": [row for key, row in after.items() if key not in before],
        "removed": [row for key, row in before.items() if key not in after],
        "changed": changed,
    }


def evidence_revision_add(*, evidence, upload, user, note=""):
    """Store a new file for the evidence as its next revision; earlier files stay as they are."""
    content_type, sha256 = check_upload(upload)
    if not Evidence.objects.restrict(user, "change").filter(pk=evidence.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
        number = (evidence.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
        revision = EvidenceRevision(
            evidence=evidence,
            number=number,
            file_name=display_name(upload.name),
            content_type=content_type,
            size=upload.size,
            sha256=sha256,
            note=note,
            uploaded_by=user,
        )
        revision.file.save("upload", upload, save=False)
        revision.save()
    return revision
