"""The audit programme's approval on the core approval machinery: the AI officer approves a
draft programme with its planned audits; four-eyes from the history of the programme and of
every audit ever planned in it."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.approvals import (
    Approval,
    approvals,
    authored_by,
    content_authors,
    field_content,
    part_authors,
    parts_authored_by,
    workflow_save,
)
from audits.models import Audit, AuditProgramme

PROGRAMME_FIELDS = ("reference", "title", "period", "objectives", "criteria", "methods")


def audit_plan(audit):
    """What the programme decides about one audit: the fields the AI officer approves."""
    return {
        "reference": audit.reference,
        "title": audit.title,
        "type": audit.audit_type,
        "clauses": sorted(c.code for c in audit.clauses.all()),
        "controls": sorted(c.code for c in audit.controls.all()),
        "ai_systems": sorted(s.reference for s in audit.ai_systems.all()),
        "organizational_units": audit.organizational_units,
        "planned_start": audit.planned_start.isoformat(),
        "planned_end": audit.planned_end.isoformat(),
    }


class AuditProgrammeApproval(Approval):
    """The AI officer approves a draft programme."""

    model = AuditProgramme
    key = "audit-programme"
    title = gettext_lazy("Audit programme")
    action_label = gettext_lazy("Approve the programme")
    verbose_name = gettext_lazy("this audit programme")
    role_refusal = gettext_lazy("Only the AI officer approves the audit programme.")
    not_awaiting = gettext_lazy("Only a draft programme can be approved.")

    def awaiting(self):
        return AuditProgramme.objects.filter(status=AuditProgramme.Status.DRAFT)

    def audits(self, programme):
        return programme.audits.order_by("planned_start", "reference").prefetch_related(
            "clauses", "controls", "ai_systems"
        )

    def content(self, programme):
        return {
            **field_content(programme, PROGRAMME_FIELDS),
            "audits": [audit_plan(audit) for audit in self.audits(programme)],
        }

    def parts(self, programme):
        def label(name):
            return Audit._meta.get_field(name).verbose_name

        return [
            (
                Audit._meta.verbose_name_plural,
                [
                    [
                        (label("reference"), audit.reference),
                        (label("title"), audit.title),
                        (label("audit_type"), audit.get_audit_type_display()),
                        (_("scope"), " ".join(scope_codes(audit))),
                        (label("planned_start"), audit.planned_start),
                        (label("planned_end"), audit.planned_end),
                    ]
                    for audit in self.audits(programme)
                ],
            )
        ]

    def authors(self, programme):
        # The programme is its fields and its audits: whoever wrote or changed one, here or
        # before the audit moved into it.
        return content_authors(programme.history.all()) | part_authors(
            Audit, "programme", programme.pk
        )

    def four_eyes(self, user):
        return Q(pk__in=authored_by(AuditProgramme.history, user)) | Q(
            pk__in=parts_authored_by(Audit, "programme", user)
        )

    def apply(self, programme, user, data):
        if not programme.audits.exists():
            raise ValidationError(_("Plan at least one audit before approving the programme."))
        programme.status = AuditProgramme.Status.APPROVED
        programme.approved_by, programme.approved_on = user, timezone.localdate()
        workflow_save(programme, user)
        return programme


def scope_codes(audit):
    return [
        *(c.code for c in audit.clauses.all()),
        *(c.code for c in audit.controls.all()),
        *(s.reference for s in audit.ai_systems.all()),
    ]


PROGRAMME = approvals.register(AuditProgrammeApproval())
