"""The audit report (9.2.2 e, 7.5.3: the results of the audit, reported and kept): the plan, the
scope, the team and its independence record, a summary by result, the checklist, the findings
with their nonconformities and improvements, and the conclusion, printed in the reader's
language through the core's safe PDF renderer (aims/core/pdf.py)."""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.context.models import ScopeStatement
from aims.core import pdf
from aims.inventory.models import AISystem
from audits.internal import independence
from audits.models import Audit, AuditPack, AuditResult, Improvement, Nonconformity
from audits.packs.documents import printed_in_request
from audits.packs.services import document_queue

logger = logging.getLogger(__name__)

FINDINGS = (*AuditResult.nonconformities(), *AuditResult.improvements())


def result_summary(items):
    """(label, count) per result in the order of the results, then the items without one."""
    counts = {}
    for item in items:
        counts[item.result] = counts.get(item.result, 0) + 1
    rows = [(result.label, counts.get(result.value, 0)) for result in AuditResult]
    rows.append((_("No result yet"), counts.get("", 0)))
    return rows


def independence_record(audit):
    """The override as recorded, and the conflicts of the team with the scope today that no
    override covers."""
    found = independence.conflicts(audit)
    return {
        "override": audit.independence_override,
        "accepted": [line for line in audit.independence_conflicts.splitlines() if line.strip()],
        "open_conflicts": [str(c) for c in independence.unaccepted(found, audit)],
    }


def findings(items, reader):
    """The items with a finding, each with the nonconformity or improvement raised from it as
    far as the reader may see it (None if none was raised; `hidden` if it is out of scope)."""
    found = [item for item in items if item.result in FINDINGS]
    ids = [item.pk for item in found]
    ncs = {
        nc.checklist_item_id: nc
        for nc in Nonconformity.objects.filter(checklist_item__in=ids).select_related("owner")
    }
    improvements = {
        imp.checklist_item_id: imp
        for imp in Improvement.objects.filter(checklist_item__in=ids).select_related("owner")
    }
    visible_ncs = set(
        Nonconformity.objects.restrict(reader)
        .filter(pk__in=[nc.pk for nc in ncs.values()])
        .values_list("pk", flat=True)
    )
    visible_improvements = set(
        Improvement.objects.restrict(reader)
        .filter(pk__in=[imp.pk for imp in improvements.values()])
        .values_list("pk", flat=True)
    )
    rows = []
    for item in found:
        nc, improvement = ncs.get(item.pk), improvements.get(item.pk)
        rows.append(
            {
                "item": item,
                "nonconformity": nc if nc and nc.pk in visible_ncs else None,
                "improvement": (
                    improvement if improvement and improvement.pk in visible_improvements else None
                ),
                "hidden": bool(
                    (nc and nc.pk not in visible_ncs)
                    or (improvement and improvement.pk not in visible_improvements)
                ),
            }
        )
    return rows


def audit_report(audit, *, reader):
    """Everything the report prints, for `reader` (who may view the audit)."""
    items = list(
        audit.checklist.select_related("clause", "control", "ai_system").order_by("position", "pk")
    )
    return {
        "audit": audit,
        "organization": ScopeStatement.current_title(),
        "printed": timezone.localtime(),
        "reader": reader,
        "clauses": list(audit.clauses.order_by("position")),
        "controls": list(audit.controls.order_by("position", "code")),
        "ai_systems": list(
            audit.ai_systems.filter(pk__in=AISystem.objects.restrict(reader).values("pk")).order_by(
                "reference"
            )
        ),
        "team": list(audit.team.order_by("last_name", "first_name", "username")),
        "auditees": [line.strip() for line in audit.auditees.splitlines() if line.strip()],
        "units": [line.strip() for line in audit.organizational_units.splitlines() if line.strip()],
        "independence": independence_record(audit),
        "summary": result_summary(items),
        "items": items,
        "findings": findings(items, reader),
        # Raised against the audit without a checklist item (e.g. found between the items).
        "other_nonconformities": list(
            Nonconformity.objects.restrict(reader)
            .filter(audit=audit, checklist_item=None)
            .order_by("reference")
        ),
    }


TEMPLATE = "audits/audit_report_pdf.html"


def readable_audits(user):
    return Audit.objects.restrict(user).select_related(
        "programme", "lead_auditor", "independence_override_by"
    )


def report_printed(user, *, audit):
    """(template, context) of the report of audit `audit` (its pk) as `user` may read it; the
    worker's builder of a large report (audits/packs/documents.py)."""
    return TEMPLATE, audit_report(get_object_or_404(readable_audits(user), pk=audit), reader=user)


def report_title(audit):
    return _("Audit report") + f" · {audit.reference} {audit.title}"


@login_required
def audit_report_pdf(request, pk):
    """The audit report of an audit the user may view, as a download; a report of more checklist
    items than a request may print goes to the worker, and the user to the page that offers it
    when ready. A render that fails goes back to the audit with the reason instead of an error
    page."""
    audit = get_object_or_404(readable_audits(request.user), pk=pk)
    if not printed_in_request(audit.checklist.count()):
        job = document_queue(
            user=request.user,
            document=AuditPack.Document.AUDIT_REPORT,
            parameters={"audit": audit.pk},
            title=report_title(audit),
            file_name=f"{audit.reference}-audit-report",
        )
        return redirect(job)
    try:
        context = audit_report(audit, reader=request.user)
        content = pdf.render_pdf(TEMPLATE, context)
    except Exception:  # WeasyPrint's and the template's errors vary; the user needs the page
        logger.exception("Audit report of %s not rendered", audit.reference)
        messages.error(
            request,
            _(
                "The audit report could not be produced. Please try again later; if it fails "
                "again, tell the administrator (the error is logged)."
            ),
        )
        return redirect(audit)
    return pdf.pdf_response(content, f"{audit.reference}-audit-report")
