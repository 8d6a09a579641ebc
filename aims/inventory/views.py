"""Pages of the inventory beyond the registers: the system's classification panel, the
classification questionnaire and the inventory overview. (The import wizard is the core's,
declared in imports.py.)"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.permissions import can
from aims.inventory import classification, forms, services
from aims.inventory.classification import Answers, applicable_obligations, classify
from aims.inventory.models import AIActObligation, AISystem, LifecycleStage


def classification_view(record):
    """What a page shows of a stored classification, in the reader's language.

    The stored English text is the record; it is re-worded in the reader's language when
    re-running the answers gives the same result (it does unless the rules have changed).
    """
    try:
        result = record.result()
    except ValueError:  # an answer code the rules no longer know: show the record as stored
        result = None
    same = result is not None and (result.tier, list(result.flags), result.route) == (
        record.tier,
        record.flags,
        record.route,
    )
    obligations = (
        applicable_obligations(result, record.roles, AIActObligation.objects.all()) if same else []
    )
    return {
        "record": record,
        "summary": result.summary if same else record.summary,
        "trail": result.trail if same else record.trail,
        "flags": flag_labels(record.flags),
        "obligations": obligations,
        "today": timezone.localdate(),
    }


def flag_labels(flags):
    return [classification.label_for(classification.FLAGS, flag) for flag in flags]


def system_detail_context(system, user):
    """Extra sections of an AI system's detail page."""
    latest = system.current_classification
    return {
        "classification": classification_view(latest) if latest else None,
        "earlier_classifications": system.classifications.exclude(pk=getattr(latest, "pk", None)),
        "datasets": system.datasets.restrict(user),
        "third_parties": system.third_parties.restrict(user),
        "may_classify": AISystem.objects.restrict(user, "change").filter(pk=system.pk).exists(),
    }


# --- The classification questionnaire --------------------------------------------------------

STEPS = (
    ("prohibited", forms.ProhibitedStep),
    ("annex_i", forms.AnnexIStep),
    ("annex_iii", forms.AnnexIIIStep),
    ("exemptions", forms.ExemptionStep),
    ("transparency", forms.TransparencyStep),
)


def steps_for(answers):
    """The steps that matter given the answers so far (no exemptions without an area, …)."""
    if answers.get("prohibited"):
        return ["prohibited"]
    names = ["prohibited", "annex_i", "annex_iii"]
    if answers.get("annex_iii_area"):
        names.append("exemptions")
    return [*names, "transparency"]


@login_required
def classify_system(request, pk):
    """Step by step through the questionnaire; answers live in the session until saved."""
    system = get_object_or_404(AISystem.objects.restrict(request.user, "change"), pk=pk)
    key = f"classification-{system.pk}"
    state = request.session.get(key, {"answers": {}, "done": []})
    answers = state["answers"]
    names = steps_for(answers)
    step = request.GET.get("step", names[0])
    if step == "review" or step not in dict(STEPS):
        return review(request, system, key, state)
    form_class = dict(STEPS)[step]
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            answers.update(form.cleaned_data)
            state["done"] = sorted({*state["done"], step})
            request.session[key] = state
            names = steps_for(answers)
            following = names[names.index(step) + 1 :] if step in names else []
            return redirect(f"{request.path}?step={following[0] if following else 'review'}")
    else:
        form = form_class(initial=answers)
    position = names.index(step) if step in names else 0
    return render(
        request,
        "inventory/classify_step.html",
        {
            "system": system,
            "form": form,
            "step": step,
            "number": position + 1,
            "count": len(names) + 1,
            "previous": names[position - 1] if position else None,
        },
    )


def review(request, system, key, state):
    """The result of the answers on the path the questionnaire took; saved on POST."""
    answers, path = state["answers"], steps_for(state["answers"])
    unanswered = [step for step in path if step not in state["done"]]
    if unanswered:
        return redirect(f"{request.path}?step={unanswered[0]}")
    # Answers of steps left behind (exemptions after the area was cleared) do not count.
    on_path = {name for step in path for name in dict(STEPS)[step].base_fields}
    parsed = Answers.from_dict({k: v for k, v in answers.items() if k in on_path})
    if request.method == "POST":
        record = services.ai_system_classify(system=system, answers=parsed, user=request.user)
        del request.session[key]
        messages.success(
            request, _("Classification #%(number)d saved.") % {"number": record.number}
        )
        return redirect(system)
    result = classify(parsed)
    roles = result.roles(system.ai_act_roles)
    obligations = applicable_obligations(result, roles, AIActObligation.objects.all())
    return render(
        request,
        "inventory/classify_review.html",
        {
            "system": system,
            "roles": AISystem._meta.get_field("ai_act_roles").labels(roles),
            "result": result,
            "flags": flag_labels(result.flags),
            "obligations": obligations,
            "today": timezone.localdate(),
            "previous": path[-1],
        },
    )


# --- The inventory overview ------------------------------------------------------------------


@login_required
def inventory_dashboard(request):
    if not can(request.user, "view", AISystem):
        raise PermissionDenied
    systems = list(AISystem.objects.restrict(request.user).prefetch_related("classifications"))
    latest = {
        s.pk: max(s.classifications.all(), key=lambda c: c.number, default=None) for s in systems
    }
    tiers = Counter(c.tier for c in latest.values() if c)
    stages = Counter(s.lifecycle_stage for s in systems)
    roles = Counter(role for s in systems for role in s.ai_act_roles)
    return render(
        request,
        "inventory/dashboard.html",
        {
            "total": len(systems),
            "charts": [
                (_("By risk tier"), bars(classification.TIERS, tiers, len(systems))),
                (_("By life-cycle stage"), bars(LifecycleStage.choices, stages, len(systems))),
                (_("By our EU AI Act role"), bars(classification.ROLES, roles, len(systems))),
            ],
            "lists": [
                (
                    _("Overdue reviews"),
                    [s for s in systems if s.review_overdue],
                    _("No review is overdue."),
                ),
                (
                    _("Not classified"),
                    [
                        s
                        for s in systems
                        if latest[s.pk] is None and s.status != AISystem.Status.DECOMMISSIONED
                    ],
                    _("Every system is classified."),
                ),
                (
                    _("Re-classification needed"),
                    [s for s in systems if s.reclassification_needed],
                    _("No classification is out of date."),
                ),
            ],
        },
    )


def bars(choices, counts, total):
    return [
        {
            "code": code,
            "label": label,
            "count": counts[code],
            "percent": round(100 * counts[code] / total) if total else 0,
        }
        for code, label in choices
    ]


@login_required
@require_POST
def forget_classification_answers(request, pk):
    system = get_object_or_404(AISystem.objects.restrict(request.user, "change"), pk=pk)
    request.session.pop(f"classification-{system.pk}", None)
    return redirect(system)
