"""Pages of the inventory beyond the registers: the system's classification panel, the
classification questionnaire, the import wizard and the inventory overview."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.permissions import can
from aims.inventory import classification, forms, importing, services
from aims.inventory.classification import Answers, applicable_obligations, classify
from aims.inventory.models import (
    AIActObligation,
    AISystem,
    LifecycleStage,
    SystemImport,
)


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


# --- The import wizard -----------------------------------------------------------------------


def importer(request):
    if not can(request.user, "add", AISystem):
        raise PermissionDenied


def open_import(request, pk):
    importer(request)
    # An import is its uploader's until it is done; others see the record, not the wizard.
    imports = SystemImport.objects.restrict(request.user).filter(uploaded_by=request.user)
    system_import = get_object_or_404(imports, pk=pk)
    if system_import.status == SystemImport.Status.IMPORTED:
        messages.info(request, _("This file has been imported already."))
        return system_import, None
    return system_import, services.read_import(system_import)


@login_required
def import_upload(request):
    importer(request)
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            system_import = services.system_import_start(
                upload=form.cleaned_data["file"], user=request.user
            )
        except (ValidationError, importing.ImportFileError) as refused:
            form.add_error("file", " ".join(getattr(refused, "messages", [str(refused)])))
        else:
            earlier = services.imported_before(system_import)
            if earlier:
                messages.warning(
                    request,
                    _(
                        "This very file was imported before (%(import)s). Importing it again "
                        "creates the systems a second time."
                    )
                    % {"import": earlier},
                )
            return redirect("inventory:import_columns", pk=system_import.pk)
    return render(request, "inventory/import_upload.html", {"form": form})


@login_required
def import_columns(request, pk):
    system_import, table = open_import(request, pk)
    if table is None:
        return redirect(system_import)
    if request.method == "POST" and request.POST.get("sheet", system_import.sheet) != (
        system_import.sheet
    ):
        return choose_sheet(request, system_import)
    fields = importing.FIELDS
    proposed = services.proposed_columns(table)
    error = ""
    if request.method == "POST":
        mapping = {
            index: request.POST.get(f"column-{index}", "") for index in range(len(table.headers))
        }
        mapping = {index: code for index, code in mapping.items() if code in fields}
        duplicates = [code for code, n in Counter(mapping.values()).items() if n > 1]
        if duplicates:
            error = _("Each field can take one column only: %(fields)s.") % {
                "fields": ", ".join(str(fields[code]) for code in duplicates)
            }
        elif "name" not in mapping.values():
            error = _("Choose the column that holds the system's name.")
        else:
            services.save_column_mapping(
                system_import=system_import,
                table=table,
                mapping=mapping,
                remember=bool(request.POST.get("remember")),
            )
            return redirect("inventory:import_values", pk=system_import.pk)
        proposed = mapping
    elif system_import.column_mapping:
        proposed = {int(k): v for k, v in system_import.column_mapping.items()}
    columns = [
        {
            "index": index,
            "header": header,
            "samples": [cells[index] for _number, cells in table.rows[:3]],
            "field": proposed.get(index, ""),
        }
        for index, header in enumerate(table.headers)
    ]
    return render(
        request,
        "inventory/import_columns.html",
        {
            "system_import": system_import,
            "table": table,
            "columns": columns,
            "fields": fields.items(),
            "error": error,
        },
    )


def choose_sheet(request, system_import):
    system_import.sheet = request.POST["sheet"]
    try:
        table = services.read_import(system_import)
    except importing.ImportFileError as refused:
        messages.error(request, str(refused))
    else:
        system_import.sheet = table.sheet
        system_import.rows_total = len(table.rows)
        system_import.column_mapping = {}
        system_import.save()
    return redirect("inventory:import_columns", pk=system_import.pk)


@login_required
def import_values(request, pk):
    system_import, table = open_import(request, pk)
    if table is None:
        return redirect(system_import)
    values = services.distinct_values(system_import, table)
    if not values:
        return redirect("inventory:import_preview", pk=system_import.pk)
    if request.method == "POST":
        system_import.value_mapping = {
            code: {
                text: request.POST.get(f"value-{code}-{position}", "")
                for position, text in enumerate(texts)
            }
            for code, texts in values.items()
        }
        system_import.save()
        return redirect("inventory:import_preview", pk=system_import.pk)
    choices = {code: list(importing.CHOICES[code].items()) for code in values}
    groups = [
        {
            "code": code,
            "label": importing.FIELDS[code],
            "values": [
                (position, text, proposed)
                for position, (text, proposed) in enumerate(texts.items())
            ],
            "choices": choices[code],
        }
        for code, texts in values.items()
    ]
    return render(
        request,
        "inventory/import_values.html",
        {"system_import": system_import, "groups": groups},
    )


@login_required
def import_preview(request, pk):
    system_import, table = open_import(request, pk)
    if table is None:
        return redirect(system_import)
    if request.method == "POST":
        try:
            created = services.system_import_run(
                system_import=system_import,
                user=request.user,
                skip_invalid=bool(request.POST.get("skip_invalid")),
            )
        except ValidationError as refused:
            messages.error(request, " ".join(refused.messages))
        else:
            messages.success(request, _("%(count)d AI systems imported.") % {"count": created})
            return redirect(system_import)
    preview = services.import_preview(system_import, table)
    return render(
        request,
        "inventory/import_preview.html",
        {
            "system_import": system_import,
            "preview": preview,
            "sample": preview.valid[:20],
            "errors": preview.errors[:500],
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
