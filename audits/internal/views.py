"""Pages of internal audits beyond the registers: the audit's status steps and the independence
override. The detail pages' extra context lives here too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from aims.core.approvals import decision_state
from aims.core.forbidden import get_or_refuse
from aims.core.roles import may_override_independence
from aims.core.views import refused
from audits.internal import services
from audits.internal.approvals import PROGRAMME
from audits.internal.checklist import progress
from audits.internal.coverage import programme_coverage
from audits.internal.forms import IndependenceOverrideForm
from audits.internal.independence import conflicts, unaccepted
from audits.models import Audit


def programme_detail_context(programme, user):
    return {
        "decision": decision_state(PROGRAMME, user, programme),
        "reopened": services.reopened_by(programme),
        "planned_audits": programme.audits.restrict(user)
        .select_related("lead_auditor")
        .order_by("planned_start", "reference"),
        "coverage": programme_coverage(programme),
    }


def item_kind(item):
    if item.clause_id:
        return "clause"
    if item.control_id:
        return "control"
    return "ai_system" if item.ai_system_id else ""


def checklist_groups(audit, user):
    """The checklist as (heading, items): clauses, controls, AI systems, other items."""
    labels = {
        "clause": _("Clauses"),
        "control": _("Annex A controls"),
        "ai_system": _("AI systems: sampled records"),
        "": _("Other items"),
    }
    groups = {kind: [] for kind in labels}
    items = audit.checklist.restrict(user).select_related("clause", "control", "ai_system")
    for item in items:
        groups[item_kind(item)].append(item)
    return [(labels[kind], group) for kind, group in groups.items() if group]


def audit_detail_context(audit, user):
    """Stepping the audit and adding checklist items take the page's `can_change` (the
    register's own check: the user may change the audit and it is not closed)."""
    done, total, percent = progress(audit)
    current = conflicts(audit)
    programme = audit.programme
    return {
        "checklist_groups": checklist_groups(audit, user),
        "progress": {"done": done, "total": total, "percent": percent},
        "conflicts": current,
        "unaccepted_conflicts": unaccepted(current, audit),
        "accepted_conflicts": [
            line for line in audit.independence_conflicts.splitlines() if line.strip()
        ],
        "may_override": may_override_independence(user) and not audit.lock_reason,
        "programme_reopened": services.reopened_by(programme) if programme else None,
    }


STEPS = {
    "start": (services.audit_start, _lazy("Audit started; the checklist has been generated.")),
    "report": (services.audit_report_issue, _lazy("The audit is reported.")),
    "close": (services.audit_close, _lazy("The audit is closed.")),
}


def audit_step(step):
    @login_required
    @require_POST
    def view(request, pk):
        audit = get_or_refuse(Audit.objects, request.user, "change", pk)
        service, done = STEPS[step]
        try:
            service(audit=audit, user=request.user)
        except ValidationError as error:
            refused(request, error)
        else:
            messages.success(request, str(done))
        return redirect(audit)

    view.__name__ = f"audit_{step}"
    return view


audit_start = audit_step("start")
audit_report_issue = audit_step("report")
audit_close = audit_step("close")


@login_required
def audit_independence_override(request, pk):
    if not may_override_independence(request.user):
        raise PermissionDenied
    audit = get_or_refuse(Audit.objects, request.user, "change", pk)
    if audit.lock_reason:
        messages.error(request, audit.lock_reason)
        return redirect(audit)
    team = [person for person in [audit.lead_auditor, *audit.team.all()] if person]
    form = IndependenceOverrideForm(
        request.POST or None,
        initial={
            "people": [p.pk for p in team],
            "justification": audit.independence_override,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.audit_independence_override(
                audit=audit,
                user=request.user,
                people=list(form.cleaned_data["people"]),
                justification=form.cleaned_data["justification"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The independence override has been recorded."))
            return redirect(audit)
    return render(
        request,
        "audits/audit_independence_override.html",
        {"object": audit, "form": form, "conflicts": conflicts(audit)},
    )
