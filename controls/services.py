"""State changes of the Statement of Applicability and of evidence: issuing and deciding SoA
versions, adding evidence files. Each runs in a transaction with the rows it changes locked."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.core import approvals
from aims.core.approvals import content_authors
from aims.core.digests import canonical_sha256
from aims.core.permissions import can, permits
from aims.core.related_lists import Rows
from controls.approvals import SOA_VERSION
from controls.evidence_files import check_upload, display_name
from controls.models import (
    Control,
    Evidence,
    EvidenceRevision,
    SoAEntry,
    SoAFramework,
    SoAVersion,
)
from controls.models.soa import DRIVER_PREFETCH
from risks.models import Risk


def and_more(first):
    """ "and N more": the entries of `first` (`FirstEntries`) beyond those it holds."""
    rest = first.total - len(first)
    return ngettext("and %(count)d more", "and %(count)d more", rest) % {"count": rest}


class UnjustifiedEntries(ValidationError):
    """A version was refused because included controls lack a justification for inclusion;
    `entries` are those SoA entries, for the page to link them. The message names the first
    of them (`Rows`): a new SoA of a thousand own controls makes no message of a thousand."""

    def __init__(self, entries, framework=SoAFramework.ISO42001):
        self.entries = entries
        self.framework = SoAFramework(framework)
        first = Rows(entries)
        names = ", ".join(str(entry) for entry in first)
        if first.more:
            names += ", " + and_more(first)
        super().__init__(
            ngettext(
                "The version cannot be issued: %(count)d applicable control has no "
                "justification for inclusion (%(standard)s %(clause)s requires one): "
                "%(controls)s.",
                "The version cannot be issued: %(count)d applicable controls have no "
                "justification for inclusion (%(standard)s %(clause)s requires one): "
                "%(controls)s.",
                len(entries),
            )
            % {
                "count": len(entries),
                "standard": self.framework.label,
                "clause": self.framework.clause,
                "controls": names,
            }
        )


def unjustified(framework=SoAFramework.ISO42001):
    """The SoA's applicable entries that have no justification for inclusion, in SoA order."""
    return (
        SoAEntry.objects.for_framework(framework)
        .unjustified()
        .select_related("control", "ai_system")
        .order_by(
            "control__framework", "control__position", "control__code", "ai_system__reference"
        )
    )


def soa_content(framework=SoAFramework.ISO42001):
    """The whole current SoA of a framework as plain data: what a version freezes and the PDF
    prints."""
    entries = (
        SoAEntry.objects.for_framework(framework)
        .select_related("control__objective", "ai_system", "owner")
        .prefetch_related(*DRIVER_PREFETCH, "evidence", "control__evidence")
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
                # Derived from the one link, Risk.controls (see SoAEntry.driver_risks).
                "risks": sorted(str(risk) for risk in entry.driver_risks),
                "impact_assessments": sorted(str(ia) for ia in entry.impact_assessments.all()),
                "requirements": sorted(str(req) for req in entry.requirements.all()),
                "legal_requirements": sorted(c.code for c in entry.legal_requirements.all()),
                "status": entry.status,
                "owner": str(entry.owner) if entry.owner_id else "",
                "evidence": sorted(str(item) for item in entry.all_evidence),
                "last_review": entry.last_review.isoformat() if entry.last_review else "",
                "next_review": entry.next_review.isoformat() if entry.next_review else "",
            }
        )
    return {"entries": rows}


def soa_started(framework):
    """Whether the framework's SoA has its entries. The ISO 42001 one always has: the catalogue
    migration creates them."""
    if framework == SoAFramework.ISO42001:
        return True
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


def soa_entry_risks_set(*, entry, risks, user):
    """Make `risks` the driver risks of the entry, as far as the user may change risks: the
    link is the risk's own (`Risk.controls`), so each risk that gains or loses the control is
    saved as a change of that risk, in its history under the user's name."""
    changeable = Risk.objects.restrict(user, "change")
    if entry.ai_system_id:
        changeable = changeable.filter(ai_systems=entry.ai_system_id)
    chosen = {risk.pk for risk in risks}
    if chosen - set(changeable.filter(pk__in=chosen).values_list("pk", flat=True)):
        raise PermissionDenied
    with transaction.atomic():
        linked = set(changeable.filter(controls=entry.control_id).values_list("pk", flat=True))
        for risk in Risk.objects.select_for_update().filter(pk__in=linked ^ chosen).order_by("pk"):
            # One history record per risk (the save below), holding the new set of controls.
            risk.skip_history_when_saving = True
            try:
                if risk.pk in chosen:
                    risk.controls.add(entry.control_id)
                else:
                    risk.controls.remove(entry.control_id)
            finally:
                del risk.skip_history_when_saving
            risk._history_user = user
            risk.save()


def soa_entry_editors(framework):
    """Who ever wrote or changed an entry of the framework's SoA: none of them may approve a
    version of it issued now (workflow saves do not count)."""
    entries = SoAEntry.history.filter(control__framework__in=SoAFramework(framework).catalogues)
    return sorted(content_authors(entries))


def check_issuable(framework):
    """Raise what keeps the framework's SoA from being issued as a version now."""
    awaiting = SoAVersion.objects.filter(
        framework=framework, status=SoAVersion.Status.AWAITING_APPROVAL
    )
    if awaiting.exists():
        raise ValidationError(
            _("A version awaits approval; it must be approved or rejected before the next.")
        )
    if entries := list(unjustified(framework)):
        raise UnjustifiedEntries(entries, framework)


def soa_version_issue(*, user, note="", framework=SoAFramework.ISO42001):
    """Freeze the current SoA of the framework as its next version, awaiting approval."""
    if not can(user, "add", SoAVersion):
        raise PermissionDenied
    if not soa_started(framework):
        raise ValidationError(not_started_message(framework))
    # The statement's own rules first, so that their message says what to fix.
    check_issuable(framework)
    editors = soa_entry_editors(framework)
    approvals.ensure_decider(SOA_VERSION, SoAVersion(issued_by=user, editor_ids=editors))
    with transaction.atomic():
        # Locking the versions serialises issuing: two clicks cannot draw the same number.
        numbers = list(
            SoAVersion.objects.select_for_update()
            .filter(framework=framework)
            .values_list("number", flat=True)
        )
        check_issuable(framework)
        content = soa_content(framework)
        version = SoAVersion(
            framework=framework,
            number=max(numbers, default=0) + 1,
            note=note,
            content=content,
            sha256=canonical_sha256(content),
            editor_ids=editors,
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
        approvals.notify_deciders(SOA_VERSION, version, user=user)
    return version


def soa_version_decide(*, version, user, approve, comment="", seen=None):
    data = {"outcome": "approve" if approve else "reject", "comment": comment}
    return approvals.decide(SOA_VERSION, version, user=user, data=data, seen=seen)


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
    if not permits(user, "change", evidence):
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
