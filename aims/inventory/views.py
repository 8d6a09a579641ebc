"""Pages of the inventory beyond the registers: the system's classification panel, the
classification questionnaire and the inventory overview. (The import wizard is the core's,
declared in imports.py.)"""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.forbidden import get_or_refuse
from aims.core.permissions import can, permits
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
        "rules_changed": not same,
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
        "may_classify": permits(user, "change", system),
    }


# --- The classification questionnaire --------------------------------------------------------

STEPS = {
    "prohibited": forms.ProhibitedStep,
    "annex_i": forms.AnnexIStep,
    "annex_iii": forms.AnnexIIIStep,
    "annex_iii_scope": forms.AnnexIIIScopeStep,
    "exemptions": forms.ExemptionStep,
    "transparency": forms.TransparencyStep,
    "gpai_systemic": forms.SystemicRiskStep,
}


def steps_for(answers):
    """The steps on the path the answers so far take (no exemptions without an area, no
    compute question without a general-purpose model, …)."""
    if answers.get("prohibited"):
        return ["prohibited"]
    names = ["prohibited", "annex_i", "annex_iii"]
    area = answers.get("annex_iii_area")
    if area in forms.AnnexIIIScopeStep.AREAS:
        names.append("annex_iii_scope")
    outside_area = (area == "biometrics" and answers.get("biometric_verification_only")) or (
        area == "essential_services" and answers.get("financial_fraud_only")
    )
    if area and not outside_area:
        names.append("exemptions")
    names.append("transparency")
    if answers.get("gpai"):
        names.append("gpai_systemic")
    return names


def answers_on_path(answers):
    """The answers to the questions asked on the path; those left behind (exemptions after the
    area was cleared, the compute answer after "no general-purpose model") do not count."""
    asked = {name for step in steps_for(answers) for name in STEPS[step].asked(answers)}
    return Answers.from_dict({key: value for key, value in answers.items() if key in asked})


def questionnaire_state(session, key, system):
    """The answers in progress; a new round starts from the answers of the current
    classification, so that classifying again means changing what changed."""
    if key in session:
        return session[key]
    latest = system.current_classification
    return {"answers": dict(latest.answers) if latest else {}, "done": []}


@login_required
def classify_system(request, pk):
    """Step by step through the questionnaire; answers live in the session until saved."""
    system = get_or_refuse(AISystem.objects, request.user, "change", pk)
    key = f"classification-{system.pk}"
    state = questionnaire_state(request.session, key, system)
    answers = state["answers"]
    names = steps_for(answers)
    step = request.GET.get("step", names[0])
    if step == "review" or step not in STEPS:
        return review(request, system, key, state)
    if step not in names:
        # A step that does not apply to the answers so far (opened by URL, or left behind):
        # go on where the path continues.
        following = [name for name in names if name not in state["done"]]
        return redirect(f"{request.path}?step={following[0] if following else 'review'}")
    form_class = STEPS[step]
    if request.method == "POST":
        form = form_class(request.POST, answers=answers)
        if form.is_valid():
            answers.update(form.cleaned_data)
            state["done"] = sorted({*state["done"], step})
            request.session[key] = state
            names = steps_for(answers)
            following = names[names.index(step) + 1 :]
            return redirect(f"{request.path}?step={following[0] if following else 'review'}")
    else:
        form = form_class(initial=answers, answers=answers)
    position = names.index(step)
    return render(
        request,
        "inventory/classify_step.html",
        {
            "system": system,
            "form": form,
            "step": step,
            "number": position + 1,
            "count": len(names) + 1,  # the steps and the review
            "previous": names[position - 1] if position else None,
        },
    )


def review(request, system, key, state):
    """The result of the answers on the path the questionnaire took; saved on POST."""
    answers, path = state["answers"], steps_for(state["answers"])
    unanswered = [step for step in path if step not in state["done"]]
    if unanswered:
        return redirect(f"{request.path}?step={unanswered[0]}")
    parsed = answers_on_path(answers)
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
    system = get_or_refuse(AISystem.objects, request.user, "change", pk)
    request.session.pop(f"classification-{system.pk}", None)
    return redirect(system)
