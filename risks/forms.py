"""Forms of the risk registers: criteria with their scales and matrix, risks scored against the
active criteria, treatment actions, acceptance and the one-step risk from the library."""

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from aims.core import pickers
from aims.core.forms import DATE, RegisterForm, single_line, style_widgets
from aims.core.permissions import can
from aims.core.reviews import NEXT_REVIEW_HELP
from aims.inventory.models import AISystem
from risks.models import (
    MAX_LEVELS,
    MIN_LEVELS,
    Risk,
    RiskCriteria,
    RiskLevel,
    TreatmentAction,
    default_level,
)

SCALES = (("likelihood", _("Likelihood")), ("impact", _("Impact")))
SCALE_SIZE_ERRORS = {
    "likelihood": _("The likelihood scale needs %(min)d to %(max)d levels."),
    "impact": _("The impact scale needs %(min)d to %(max)d levels."),
}


class RiskCriteriaForm(RegisterForm):
    """Scales as up to six label/description rows each, the matrix as one choice per cell.

    Every cell is pre-filled with a proposal, so a scale that grows shows sensible levels.
    """

    class Meta:
        model = RiskCriteria
        fields = ["name", "acceptance_threshold"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        for axis, _label in SCALES:
            scale = getattr(instance, f"{axis}_scale") or []
            for position in range(1, MAX_LEVELS + 1):
                entry = scale[position - 1] if position <= len(scale) else {}
                self.fields[f"{axis}_{position}_label"] = forms.CharField(
                    label=_("Level %(number)d") % {"number": position},
                    max_length=60,
                    required=False,
                    initial=entry.get("label", ""),
                    validators=[single_line],
                )
                self.fields[f"{axis}_{position}_description"] = forms.CharField(
                    label=_("Description of level %(number)d") % {"number": position},
                    max_length=300,
                    required=False,
                    initial=entry.get("description", ""),
                    validators=[single_line],
                )
        rows, columns = len(instance.likelihood_scale) or 5, len(instance.impact_scale) or 5
        for likelihood in range(1, MAX_LEVELS + 1):
            for impact in range(1, MAX_LEVELS + 1):
                stored = (
                    instance.matrix[likelihood - 1][impact - 1]
                    if likelihood <= len(instance.matrix) and impact <= len(instance.matrix[0])
                    else default_level(
                        likelihood, impact, max(rows, likelihood), max(columns, impact)
                    )
                )
                self.fields[f"cell_{likelihood}_{impact}"] = forms.ChoiceField(
                    label=_("Likelihood %(likelihood)d, impact %(impact)d")
                    % {"likelihood": likelihood, "impact": impact},
                    choices=RiskLevel.choices,
                    initial=stored,
                    required=False,
                )
        style_widgets(self)

    def scale_rows(self, axis):
        return [
            (self[f"{axis}_{n}_label"], self[f"{axis}_{n}_description"])
            for n in range(1, MAX_LEVELS + 1)
        ]

    def scales(self):
        return [(title, self.scale_rows(axis)) for axis, title in SCALES]

    impact_numbers = range(1, MAX_LEVELS + 1)

    @property
    def matrix_errors(self):
        return any(name.startswith("cell_") for name in self.errors)

    def matrix_rows(self):
        """Highest likelihood on top, as the heat map draws it."""
        return [
            (n, [self[f"cell_{n}_{i}"] for i in range(1, MAX_LEVELS + 1)])
            for n in range(MAX_LEVELS, 0, -1)
        ]

    def clean(self):
        cleaned = super().clean()
        scales = {}
        for axis in dict(SCALES):
            scale, gap = [], False
            for n in range(1, MAX_LEVELS + 1):
                text = cleaned.get(f"{axis}_{n}_label", "").strip()
                description = cleaned.get(f"{axis}_{n}_description", "").strip()
                if text and gap:
                    self.add_error(
                        f"{axis}_{n}_label",
                        _("Fill the levels from the top without gaps."),
                    )
                if description and not text:
                    self.add_error(f"{axis}_{n}_label", _("Give this level a label."))
                if text:
                    scale.append({"label": text, "description": description})
                else:
                    gap = True
            if not MIN_LEVELS <= len(scale) <= MAX_LEVELS:
                self.add_error(
                    f"{axis}_1_label",
                    SCALE_SIZE_ERRORS[axis] % {"min": MIN_LEVELS, "max": MAX_LEVELS},
                )
            labels = [entry["label"].casefold() for entry in scale]
            if len(set(labels)) != len(labels):
                self.add_error(f"{axis}_1_label", _("Each level needs its own label."))
            scales[axis] = scale
        matrix = []
        for likelihood in range(1, len(scales["likelihood"]) + 1):
            row = []
            for impact in range(1, len(scales["impact"]) + 1):
                level = cleaned.get(f"cell_{likelihood}_{impact}")
                if not level:
                    self.add_error(f"cell_{likelihood}_{impact}", _("Choose a level."))
                row.append(level)
            matrix.append(row)
        self.instance.likelihood_scale = scales["likelihood"]
        self.instance.impact_scale = scales["impact"]
        self.instance.matrix = matrix
        return cleaned


class RiskForm(RegisterForm):
    """Scores are chosen from the active criteria; saving re-assesses the risk under them."""

    score_fields = (
        "inherent_likelihood",
        "inherent_impact",
        "residual_likelihood",
        "residual_impact",
    )

    class Meta:
        model = Risk
        fields = [
            "reference",
            "title",
            "description",
            "category",
            "risk_source",
            "objectives",
            "ai_systems",
            "owner",
            "owner_name",
            "owner_email",
            "inherent_likelihood",
            "inherent_impact",
            "existing_controls",
            "treatment_option",
            "controls",
            "residual_likelihood",
            "residual_impact",
            "status",
            "review_cadence_months",
            "next_review",
        ]
        help_texts = {"next_review": NEXT_REVIEW_HELP}
        widgets = {
            "next_review": DATE,
            "ai_systems": forms.CheckboxSelectMultiple,
            "controls": forms.SelectMultiple(attrs={"size": 10}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and self.initial.get("owner") is None:
            self.initial["owner"] = Risk.default_owner(self.user).pk
        self.criteria = RiskCriteria.active()
        for name in self.score_fields:
            axis = name.split("_", 1)[1]
            scale = getattr(self.criteria, f"{axis}_scale", []) if self.criteria else []
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=[("", "—")]
                + [(n, f"{n} – {entry['label']}") for n, entry in enumerate(scale, start=1)],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_("From the active risk criteria (%(criteria)s).")
                % {"criteria": self.criteria}
                if self.criteria
                else _("There are no active risk criteria yet; scores can be given later."),
            )
        status = self.fields["status"]
        if self.instance.status != Risk.Status.ACCEPTED:
            # Only a recorded acceptance makes a risk accepted.
            status.choices = [c for c in status.choices if c[0] != Risk.Status.ACCEPTED]
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        for stage in ("inherent", "residual"):
            likelihood = cleaned.get(f"{stage}_likelihood")
            impact = cleaned.get(f"{stage}_impact")
            if (likelihood is None) != (impact is None):
                missing = f"{stage}_impact" if impact is None else f"{stage}_likelihood"
                self.add_error(missing, _("Give likelihood and impact together, or neither."))
        return cleaned

    def save(self, commit=True):
        if any(self.cleaned_data.get(name) for name in self.score_fields):
            self.instance.criteria = self.criteria
        return super().save(commit)


class TreatmentActionForm(RegisterForm):
    class Meta:
        model = TreatmentAction
        fields = ["risk", "title", "description", "owner", "due_date", "status"]
        widgets = {"due_date": DATE}


class RiskFromLibraryForm(forms.Form):
    picker_route = ("core:pick_form", ["risk-from-library"])  # long lists search there
    ai_systems = forms.ModelMultipleChoiceField(
        label=_("AI systems"),
        queryset=AISystem.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the AI system the risk concerns.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ai_systems"].queryset = AISystem.objects.restrict(user).order_by("reference")
        style_widgets(self)


@pickers.form_source("risk-from-library")
def risk_from_library_form(request):
    if not can(request.user, "add", Risk):
        raise Http404
    return RiskFromLibraryForm(user=request.user)
