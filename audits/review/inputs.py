"""The inputs of a management review (9.3.2), compiled from the portal's registers for the
review's period: a) actions of earlier reviews, b) changes in external and internal issues,
c) changes in the needs of interested parties, d) the AIMS's performance, e) opportunities for
improvement. Each section is plain JSON data (text, counts, links), so that the approved
review keeps it unchanged as its snapshot; each is read with a fixed number of queries.

The inputs are compiled for one reader: every record, count and change comes through the
permission layer (`restrict(user, "view")`), so nobody finds a record in the inputs they could
not open in its register. The review's page compiles them for whoever reads it; the approval
compiles them for the chair who approves (audits/review/approvals.py).

The snapshot and the minutes keep every row. The review's page shows the first rows of each
list that grows with a register, with the total and, where the register's list can be filtered
to exactly those entries, a link to it (aims/core/related_lists.py): compiled live, it reads only
those rows (`first_rows`); from a snapshot, it cuts the lists kept (`page_rows`)."""

import datetime

from django.db.models import Count, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from aims.context.models import (
    ContextIssue,
    InterestedParty,
    PartyRequirement,
    ScopeExclusion,
    ScopeStatement,
)
from aims.core.permissions import restrict_history
from aims.core.related_lists import SHOWN, FirstEntries, Rows
from aims.core.reversing import cached_reverse
from aims.objectives.models import KPI, AIObjective, Measurement
from aims.objectives.models import Status as KPIStatus
from audits.models import (
    AIIncident,
    Audit,
    AuditResult,
    ChecklistItem,
    CorrectiveAction,
    Improvement,
    Nonconformity,
    ReviewAction,
)
from risks.models import Risk, TreatmentAction

# The trend compares the review's period with the periods of the same length before it.
TREND_PERIODS = 4
CHANGE_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def every_row(queryset, row, list_url=""):
    """Every entry of `queryset` as its JSON row: the snapshot's and the minutes' lists."""
    return [row(entry) for entry in queryset]


def first_rows(queryset, row, list_url=""):
    """The first entries of `queryset` as JSON rows with their total, read in one query: the
    page's lists."""
    entries = FirstEntries(queryset)
    return Rows([row(entry) for entry in entries], entries.total, list_url)


def list_url(name, **filters):
    return f"{cached_reverse(name)}?{urlencode(filters)}" if filters else cached_reverse(name)


# Where the lists that grow with a register are in the inputs, and the list holding exactly
# their entries for as long as they are compiled live (a snapshot's entries are those of then).
LISTS = (
    ("actions",),
    ("issues",),
    ("parties",),
    ("performance", "nonconformities", "opened"),
    ("performance", "nonconformities", "closed"),
    ("performance", "nonconformities", "overdue_actions"),
    ("performance", "kpis"),
    ("performance", "audits", "audits"),
    ("performance", "incidents", "incidents"),
    ("performance", "risks", "overdue_actions"),
    ("performance", "objectives", "objectives"),
    ("improvements",),
)


def page_rows(inputs, shown=SHOWN):
    """The inputs with each of their lists as Rows: the first `shown` (None: all) for the
    template."""
    inputs = {**inputs}
    for *path, name in LISTS:
        section = inputs
        for key in path:
            section[key] = section = {**section[key]}
        section[name] = Rows(section[name], shown=shown)
    return inputs


def detail_url(model, pk):
    try:
        return reverse(f"{model._meta.app_label}:{model._meta.model_name}_detail", args=[pk])
    except NoReverseMatch:
        return ""


def day(value):
    return value.isoformat() if value else ""


def when(value):
    return timezone.localtime(value).isoformat(timespec="minutes")


def moments(start, end):
    """The first and last moment of the local days from `start` to `end`: a `__range` over them
    keeps the column's index and, in SQLite, needs no function per row as `__date` does."""
    first = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    last = timezone.make_aware(datetime.datetime.combine(end, datetime.time.max))
    return first, last


def user_name(user):
    return str(user) if user else ""


def record_label(historical):
    """The entry as it read then, from the history row alone (building the instance of a
    model with many-to-many history costs a query a row)."""
    if reference := getattr(historical, "reference", ""):
        title = getattr(historical, "title", "") or getattr(historical, "name", "")
        return f"{reference} {title}".strip()
    return getattr(historical, "subject", "") or str(historical.id)


def history_changes(models, start, end, user, rows=every_row):
    """Every created, changed and deleted entry of `models` in the period that the user may
    see: one query for the history and one for the entries that still exist, per model. A
    deleted entry holds no permission any more: only readers of the whole register see it.
    With `first_rows`, the first changes of all models (among the first of each) and their
    total."""
    changes, total = [], 0
    for model in models:
        visible = model._default_manager.restrict(user)
        history = restrict_history(model, user).filter(history_date__range=moments(start, end))
        history = rows(
            history.select_related("history_user").order_by("history_date", "history_id"),
            lambda h: h,
        )
        total += getattr(history, "total", len(history))
        alive = set(visible.filter(pk__in={h.id for h in history}).values_list("pk", flat=True))
        changes += [
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
    changes.sort(key=lambda row: row["when"])
    return Rows(changes, total) if rows is first_rows else changes


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


def previous_actions(review, start, end, user, rows=every_row):
    """a) Actions of earlier reviews still open, and those closed in the period."""
    actions = (
        ReviewAction.objects.restrict(user)
        .filter(review__date__lt=review.date)
        .exclude(review=review.pk)
        .filter(Q(status__in=ReviewAction.OPEN) | Q(closed_on__range=(start, end)))
        .select_related("review", "owner")
        .defer("review__snapshot")  # a closed review's whole record, parsed for its reference
        .order_by("review__date", "due_date", "pk")
    )
    return rows(actions, action_row)


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


# What the rows of overdue actions show.
ROW_FIELDS = ("title", "due_date", "owner__first_name", "owner__last_name", "owner__username")


def overdue_corrective_action_row(action):
    return {
        "nonconformity": action.nonconformity.reference,
        "title": action.title,
        "owner": user_name(action.owner),
        "due": day(action.due_date),
        "url": action.get_absolute_url(),
    }


def nonconformities(start, end, today, user, rows=every_row):
    visible = Nonconformity.objects.restrict(user)
    actions = CorrectiveAction.objects.restrict(user)
    opened = visible.filter(created_at__range=moments(start, end))
    closed = visible.filter(closed_on__range=(start, end))
    overdue = (
        actions.overdue(today)
        .select_related("nonconformity", "owner")
        .only(*ROW_FIELDS, "nonconformity__reference")
        .order_by("due_date", "pk")
    )
    counts = {}
    periods = periods_before(start, end)
    for i, (first, last) in enumerate(periods):
        counts[f"nc_opened_{i}"] = Count("pk", filter=Q(created_at__range=moments(first, last)))
        counts[f"nc_closed_{i}"] = Count("pk", filter=Q(closed_on__range=(first, last)))
    nc_counts = visible.aggregate(
        **counts, open=Count("pk", filter=~Q(status=Nonconformity.Status.CLOSED))
    )
    action_counts = actions.aggregate(
        **{
            f"opened_{i}": Count("pk", filter=Q(created_at__range=moments(first, last)))
            for i, (first, last) in enumerate(periods)
        },
        **{
            f"done_{i}": Count("pk", filter=Q(done_on__range=(first, last)))
            for i, (first, last) in enumerate(periods)
        },
    )
    return {
        "opened": rows(opened.order_by("reference"), nonconformity_row),
        "closed": rows(closed.order_by("reference"), nonconformity_row),
        "open_now": nc_counts["open"],
        "overdue_actions": rows(
            overdue,
            overdue_corrective_action_row,
            list_url("audits:correctiveaction_list", overdue="yes"),
        ),
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


def kpis(start, end, user, rows=every_row):
    """Each KPI with its measurements in the period, the latest one's status and the chart."""
    from aims.objectives.charts import kpi_chart_svg

    in_period = (
        Measurement.objects.restrict(user)
        .filter(period_start__gte=start, period_end__lte=end)
        .order_by("period_start")
    )

    def kpi_row(kpi):
        latest = kpi.in_period[-1] if kpi.in_period else None
        status = kpi.status(latest) if latest else KPIStatus.NO_DATA
        return {
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

    return rows(
        KPI.objects.restrict(user)
        .select_related("owner")
        .prefetch_related(Prefetch("measurements", queryset=in_period, to_attr="in_period"))
        .order_by("reference"),
        kpi_row,
        list_url("objectives:kpi_list"),
    )


def audits(start, end, user, rows=every_row):
    """Audits reported or closed with their end in the period, and the results of their
    checklists counted over them all (the page reads only the first audits)."""
    done = (
        Audit.objects.restrict(user)
        .filter(status__in=(Audit.Status.REPORTED, Audit.Status.CLOSED))
        .filter(
            Q(actual_end__range=(start, end)) | Q(actual_end=None, planned_end__range=(start, end))
        )
        .order_by("reference")
    )

    def audit_row(audit):
        return {
            "reference": audit.reference,
            "title": audit.title,
            "status": str(audit.get_status_display()),
            "url": audit.get_absolute_url(),
        }

    counts = ChecklistItem.objects.filter(audit__in=done.values("pk")).aggregate(
        **{result.value: Count("pk", filter=Q(result=result)) for result in AuditResult}
    )
    return {
        "audits": rows(done, audit_row),
        "results": [
            {"result": str(result.label), "count": counts[result.value]} for result in AuditResult
        ],
    }


def incident_row(incident):
    return {
        "reference": incident.reference,
        "title": incident.title,
        "system": incident.ai_system.reference,
        "aware": day(timezone.localtime(incident.aware_at).date()),
        "serious": incident.serious,
        "status": str(incident.get_status_display()),
        "url": incident.get_absolute_url(),
    }


def incidents(start, end, user, rows=every_row):
    found = AIIncident.objects.restrict(user).filter(aware_at__range=moments(start, end))
    return {
        "incidents": rows(
            found.select_related("ai_system").order_by("aware_at", "reference"), incident_row
        ),
        "serious": found.filter(serious=True).count(),
    }


def by_status(model, user):
    """(label, count) for every status of `model` the user may see, in the order of the
    choices."""
    counts = dict(model.objects.restrict(user).values_list("status").annotate(n=Count("pk")))
    return [
        {"status": str(label), "count": counts.get(value, 0)}
        for value, label in model.Status.choices
    ]


def overdue_treatment_action_row(action):
    return {
        "risk": action.risk.reference,
        "title": action.title,
        "owner": user_name(action.owner),
        "due": day(action.due_date),
        "url": action.get_absolute_url(),
    }


def risk_treatment(today, user, rows=every_row):
    overdue = (
        TreatmentAction.objects.restrict(user)
        .open()
        .filter(due_date__lt=today)
        .select_related("risk", "owner")
        # The rows' fields only: the page's count runs over every overdue action's row.
        .only(*ROW_FIELDS, "risk__reference")
        .order_by("due_date", "pk")
    )
    return {
        "risks": by_status(Risk, user),
        "overdue_actions": rows(
            overdue,
            overdue_treatment_action_row,
            list_url("risks:treatmentaction_list", overdue="yes"),
        ),
    }


def objectives(today, user, rows=every_row):
    def objective_row(objective):
        return {
            "reference": objective.reference,
            "title": objective.title,
            "status": str(objective.get_status_display()),
            "due": day(objective.due_date),
            "overdue": objective.status in AIObjective.OPEN and objective.due_date < today,
            "url": objective.get_absolute_url(),
        }

    return {
        "by_status": by_status(AIObjective, user),
        "objectives": rows(
            AIObjective.objects.restrict(user).order_by("reference"),
            objective_row,
            list_url("objectives:aiobjective_list"),
        ),
    }


def improvement_row(imp):
    return {
        "reference": imp.reference,
        "title": imp.title,
        "source": str(imp.get_source_display()),
        "decision": str(imp.get_decision_display()),
        "status": str(imp.get_status_display()),
        "owner": user_name(imp.owner),
        "url": imp.get_absolute_url(),
    }


def improvements(start, end, user, rows=every_row):
    """e) Improvements raised in the period and those still open."""
    found = (
        Improvement.objects.restrict(user)
        .filter(
            Q(created_at__range=moments(start, end))
            | Q(status__in=(Improvement.Status.OPEN, Improvement.Status.IN_PROGRESS))
        )
        .select_related("owner")
    )
    return rows(found.order_by("reference"), improvement_row)


def compile_inputs(review, user, today=None, rows=every_row):
    """All inputs of the review for its period as the user may see them, as JSON data (with
    `rows=first_rows`, for the page: each list in LISTS as the Rows of its first entries)."""
    today = today or timezone.localdate()
    start, end = review.period()
    issues = (ContextIssue, ScopeStatement, ScopeExclusion)
    return {
        "period": {"start": day(start), "end": day(end)},
        "compiled": day(today),
        "actions": previous_actions(review, start, end, user, rows),
        "issues": history_changes(issues, start, end, user, rows),
        "parties": history_changes((InterestedParty, PartyRequirement), start, end, user, rows),
        "performance": {
            "nonconformities": nonconformities(start, end, today, user, rows),
            "kpis": kpis(start, end, user, rows),
            "audits": audits(start, end, user, rows),
            "incidents": incidents(start, end, user, rows),
            "risks": risk_treatment(today, user, rows),
            "objectives": objectives(today, user, rows),
        },
        "improvements": improvements(start, end, user, rows),
    }
