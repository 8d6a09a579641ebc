"""Pack section of internal audits (9.2): the audit programmes, and each audit of the period
with its scope, team, checklist results and the findings it raised (nonconformities and
opportunities for improvement)."""

from collections import Counter

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from audits.models import (
    Audit,
    AuditProgramme,
    AuditResult,
    ChecklistItem,
    Improvement,
    Nonconformity,
)
from audits.packs.sections import section


@section("audits", _("Internal audits"), order=600, model=Audit)
def internal_audits(scope):
    checklist = scope.visible(ChecklistItem).select_related("clause", "control", "ai_system")
    audits = list(
        scope.in_period(scope.for_systems(scope.visible(Audit), "ai_systems"), "planned_start")
        .select_related("programme", "lead_auditor")
        .prefetch_related(
            "team",
            "ai_systems",
            "clauses",
            Prefetch("checklist", queryset=checklist),
            Prefetch(
                "nonconformities",
                queryset=scope.visible(Nonconformity).order_by("reference"),
                to_attr="findings",
            ),
        )
        .order_by("planned_start", "reference")
    )
    improvements = {}
    for improvement in (
        scope.visible(Improvement)
        .filter(checklist_item__audit__in=audits)
        .select_related("checklist_item")
        .order_by("reference")
    ):
        improvements.setdefault(improvement.checklist_item.audit_id, []).append(improvement)
    programmes = scope.visible(AuditProgramme).select_related("approved_by")
    if not scope.whole_aims:
        programmes = programmes.filter(pk__in={a.programme_id for a in audits if a.programme_id})
    programmes = list(programmes)
    if not audits and not programmes:
        return None
    labels = dict(AuditResult.choices)
    return {
        "programmes": programmes,
        "audits": [
            {
                "audit": audit,
                "improvements": improvements.get(audit.pk, []),
                "results": [
                    (labels.get(result, result), count)
                    for result, count in sorted(
                        Counter(
                            item.result for item in audit.checklist.all() if item.result
                        ).items()
                    )
                ],
            }
            for audit in audits
        ],
    }
