"""The inputs of a management review (9.3.2), compiled from the portal's registers for the
review's period: a) actions of earlier reviews, b) changes in external and internal issues,
c) changes in the needs of interested parties, d) the AIMS's performance, e) opportunities for
improvement. Each section is plain JSON data (text, counts, links), so that the approved
review keeps it unchanged as its snapshot; each is read with a fixed number of queries.

The inputs are compiled for one reader: every record, count and change comes through the
permission layer (`restrict(user, "view")`), so nobody finds a record in the inputs they could
not open in its register. The review's page compiles them for whoever reads it; the approval
compiles them for the chair who approves (audits/review/approvals.py)."""

import datetime

from django.db.models import Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from aims.context.models import (
    ContextIssue,
    InterestedParty,
    PartyRequirement,
    ScopeExclusion,
    ScopeStatement,
)
from aims.core.permissions import restrict_history
from aims.objectives.models import KPI, AIObjective, Measurement
from aims.objectives.models import Status as KPIStatus
from audits.models import (
    AIIncident,
    Audit,
    AuditResult,
    CorrectiveAction,
    Improvement,
    Nonconformity,
    ReviewAction,
)
from risks.models import Risk, TreatmentAction

# The trend compares the review's period with the periods of the same length before it.
TREND_PERIODS = 4
CHANGE_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def detail_url(model, pk):
    try:
        return reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail", args=[pk])
    except NoReverseMatch:
        return ""


def day(value):
    return value.isoformat() if value else ""


def when(value):
    return timezone.localtime(value).isoformat(timespec="minutes")


def user_name(user):
    return str(user) if user else ""


def record_label(historical):
    """The entry as it read then, from the history row alone (building the instance of a
    model with many-to-many history costs a query a row)."""
    if reference := getattr(historical, "reference", ""):
        title = getattr(historical, "title", "") or getattr(historical, "name", "")
        return f"{reference} {title}".strip()
    return getattr(historical, "subject", "") or str(historical.id)


def history_changes(models, start, end, user):
    """Every created, changed and deleted entry of `models` in the period that the user may
    see: one query for the history and one for the entries that still exist, per model. A
    deleted entry holds no permission any more: only readers of the whole register see it."""
    rows = []
    for model in models:
        visible = model._default_manager.restrict(user)
        history = restrict_history(model, user).filter(history_date__date__range=(start, end))
        history = list(
            history.select_related("history_user").order_by("history_date", "history_id")
        )
        alive = set(visible.filter(pk__in={h.id for h in history}).values_list("pk", flat=True))
        rows += [
            {
                "kind": str(model._meta.verbose_name),
                "record": record_label(h),
                "change": CHANGE_KINDS[h.history_type],
                "who": user_name(h.history_user),
                "when": when(h.history_date),
                "url": detail_url(model, h.id) if h.id in alive else "",
            }
            for h in history
        ]
    return sorted(rows, key=lambda row: row["when"])


def action_row(action):
    return {
        "review": action.review.reference,
        "title": action.title,
        "owner": user_name(action.owner),
        "due": day(action.due_date),
        "status": action.status,
        "status_label": str(action.get_status_display()),
        "overdue": action.overdue,
        "url": action.get_absolute_url(),
    }


def previous_actions(review, start, end, user):
    """a) Actions of earlier reviews still open, and those closed in the period."""
    actions = (
        ReviewAction.objects.restrict(user)
        .filter(review__date__lt=review.date)
        .exclude(review=review.pk)
        .filter(Q(status__in=ReviewAction.OPEN) | Q(closed_on__range=(start, end)))
        .select_related("review", "owner")
        .order_by("review__date", "due_date", "pk")
    )
    return [action_row(action) for action in actions]


def periods_before(start, end, count=TREND_PERIODS):
    """`count` periods of the review's length ending with it, oldest first."""
    length = (end - start).days + 1
    shift = datetime.timedelta(days=length)
    return [(start - shift * i, end - shift * i) for i in reversed(range(count))]


def nonconformity_row(nc):
    return {
        "reference": nc.reference,
        "title": nc.title,
        "grade": str(nc.get_grade_display()),
        "status": str(nc.get_status_display()),
        "url": nc.get_absolute_url(),
    }


def nonconformities(start, end, today, user):
    visible = Nonconformity.objects.restrict(user)
    actions = CorrectiveAction.objects.restrict(user)
    opened = visible.filter(created_at__date__range=(start, end))
    closed = visible.filter(closed_on__range=(start, end))
    overdue = (
        actions.overdue(today).select_related("nonconformity", "owner").order_by("due_date", "pk")
    )
    counts = {}
    periods = periods_before(start, end)
    for i, (first, last) in enumerate(periods):
        counts[f"nc_opened_{i}"] = Count("pk", filter=Q(created_at__date__range=(first, last)))
        counts[f"nc_closed_{i}"] = Count("pk", filter=Q(closed_on__range=(first, last)))
    nc_counts = visible.aggregate(
        **counts, open=Count("pk", filter=~Q(status=Nonconformity.Status.CLOSED))
    )
    action_counts = actions.aggregate(
        **{
            f"opened_{i}": Count("pk", filter=Q(created_at__date__range=(first, last)))
            for i, (first, last) in enumerate(periods)
        },
        **{
            f"done_{i}": Count("pk", filter=Q(done_on__range=(first, last)))
            for i, (first, last) in enumerate(periods)
        },
    )
    return {
        "opened": [nonconformity_row(nc) for nc in opened.order_by("reference")],
        "closed": [nonconformity_row(nc) for nc in closed.order_by("reference")],
        "open_now": nc_counts["open"],
        "overdue_actions": [
            {
                "nonconformity": action.nonconformity.reference,
                "title": action.title,
                "owner": user_name(action.owner),
                "due": day(action.due_date),
                "url": action.get_absolute_url(),
            }
            for action in overdue
        ],
        "trend": [
            {
                "start": day(first),
                "end": day(last),
                "opened": nc_counts[f"nc_opened_{i}"],
                "closed": nc_counts[f"nc_closed_{i}"],
                "actions_opened": action_counts[f"opened_{i}"],
                "actions_done": action_counts[f"done_{i}"],
            }
            for i, (first, last) in enumerate(periods)
        ],
    }


def kpis(start, end, user):
    """Each KPI with its measurements in the period, the latest one's status and the chart."""
    from aims.objectives.charts import kpi_chart_svg

    in_period = (
        Measurement.objects.restrict(user)
        .filter(period_start__gte=start, period_end__lte=end)
        .order_by("period_start")
    )
    rows = []
    for kpi in (
        KPI.objects.restrict(user)
        .select_related("owner")
        .prefetch_related(Prefetch("measurements", queryset=in_period, to_attr="in_period"))
    ):
        latest = kpi.in_period[-1] if kpi.in_period else None
        status = kpi.status(latest) if latest else KPIStatus.NO_DATA
        rows.append(
            {
                "reference": kpi.reference,
                "name": kpi.name,
                "unit": kpi.unit,
                "target": str(kpi.target),
                "higher_is_better": kpi.higher_is_better,
                "measurements": [
                    {"start": day(m.period_start), "end": day(m.period_end), "value": str(m.value)}
                    for m in kpi.in_period
                ],
                "latest": str(latest.value) if latest else "",
                "status": str(status),
                "status_label": str(KPIStatus(status).label),
                "chart": str(kpi_chart_svg(kpi, kpi.in_period)) if kpi.in_period else "",
                "url": kpi.get_absolute_url(),
            }
        )
    return rows


def audits(start, end, user):
    """Audits reported or closed with their end in the period, and their results counted in the
    same query: a separate count would query only when there are audits."""
    done = (
        Audit.objects.restrict(user)
        .filter(status__in=(Audit.Status.REPORTED, Audit.Status.CLOSED))
        .filter(
            Q(actual_end__range=(start, end)) | Q(actual_end=None, planned_end__range=(start, end))
        )
        .annotate(
            **{
                f"result_{result.value}": Count("checklist", filter=Q(checklist__result=result))
                for result in AuditResult
            }
        )
        .order_by("reference")
    )
    rows = [
        {
            "reference": audit.reference,
            "title": audit.title,
            "status": str(audit.get_status_display()),
            "url": audit.get_absolute_url(),
        }
        for audit in done
    ]
    return {
        "audits": rows,
        "results": [
            {
                "result": str(result.label),
                "count": sum(getattr(audit, f"result_{result.value}") for audit in done),
            }
            for result in AuditResult
        ],
    }


def incidents(start, end, user):
    found = (
        AIIncident.objects.restrict(user)
        .filter(aware_at__date__range=(start, end))
        .select_related("ai_system")
    )
    rows = [
        {
            "reference": incident.reference,
            "title": incident.title,
            "system": incident.ai_system.reference,
            "aware": day(timezone.localtime(incident.aware_at).date()),
            "serious": incident.serious,
            "status": str(incident.get_status_display()),
            "url": incident.get_absolute_url(),
        }
        for incident in found.order_by("aware_at", "reference")
    ]
    return {"incidents": rows, "serious": sum(row["serious"] for row in rows)}


def by_status(model, user):
    """(label, count) for every status of `model` the user may see, in the order of the
    choices."""
    counts = dict(model.objects.restrict(user).values_list("status").annotate(n=Count("pk")))
    return [
        {"status": str(label), "count": counts.get(value, 0)}
        for value, label in model.Status.choices
    ]


def risk_treatment(today, user):
    overdue = (
        TreatmentAction.objects.restrict(user)
        .open()
        .filter(due_date__lt=today)
        .select_related("risk", "owner")
        .order_by("due_date", "pk")
    )
    return {
        "risks": by_status(Risk, user),
        "overdue_actions": [
            {
                "risk": action.risk.reference,
                "title": action.title,
                "owner": user_name(action.owner),
                "due": day(action.due_date),
                "url": action.get_absolute_url(),
            }
            for action in overdue
        ],
    }


def objectives(today, user):
    return {
        "by_status": by_status(AIObjective, user),
        "objectives": [
            {
                "reference": objective.reference,
                "title": objective.title,
                "status": str(objective.get_status_display()),
                "due": day(objective.due_date),
                "overdue": objective.status in AIObjective.OPEN and objective.due_date < today,
                "url": objective.get_absolute_url(),
            }
            for objective in AIObjective.objects.restrict(user).order_by("reference")
        ],
    }


def improvements(start, end, user):
    """e) Improvements raised in the period and those still open."""
    found = (
        Improvement.objects.restrict(user)
        .filter(
            Q(created_at__date__range=(start, end))
            | Q(status__in=(Improvement.Status.OPEN, Improvement.Status.IN_PROGRESS))
        )
        .select_related("owner")
    )
    return [
        {
            "reference": imp.reference,
            "title": imp.title,
            "source": str(imp.get_source_display()),
            "decision": str(imp.get_decision_display()),
            "status": str(imp.get_status_display()),
            "owner": user_name(imp.owner),
            "url": imp.get_absolute_url(),
        }
        for imp in found.order_by("reference")
    ]


def compile_inputs(review, user, today=None):
    """All inputs of the review for its period as the user may see them, as JSON data."""
    today = today or timezone.localdate()
    start, end = review.period()
    return {
        "period": {"start": day(start), "end": day(end)},
        "compiled": day(today),
        "actions": previous_actions(review, start, end, user),
        "issues": history_changes((ContextIssue, ScopeStatement, ScopeExclusion), start, end, user),
        "parties": history_changes((InterestedParty, PartyRequirement), start, end, user),
        "performance": {
            "nonconformities": nonconformities(start, end, today, user),
            "kpis": kpis(start, end, user),
            "audits": audits(start, end, user),
            "incidents": incidents(start, end, user),
            "risks": risk_treatment(today, user),
            "objectives": objectives(today, user),
        },
        "improvements": improvements(start, end, user),
    }
