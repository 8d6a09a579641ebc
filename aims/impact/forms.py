"""Forms of the impact assessments: the assessment, its impacts and the AI officer's decision."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aims.core import pickers
from aims.core.forms import DATE, RegisterForm, style_widgets
from aims.core.permissions import can
from aims.impact.models import (
    FRIA_FIELDS,
    FRIA_REQUIRED,
    OPEN_EXISTS,
    Impact,
    ImpactAssessment,
)
from controls.models import Evidence

# The assessment form's headed sections, in the order of ISO/IEC 42001 6.1.4 and 8.4; the
# FRIA part follows under its own heading where Art. 27 applies.
SECTIONS = (
    (_("The assessment"), ("system", "owner", "review_interval_months")),
    (
        _("Intended use and context"),
        (
            "intended_use",
            "foreseeable_misuse",
            "technical_context",
            "societal_context",
            "jurisdictions",
        ),
    ),
    (_("Affected people"), ("affected_groups", "vulnerable_groups")),
    (
        _("Data, automation and human oversight"),
        ("data_used", "data_sensitivity", "automation_level", "human_oversight"),
    ),
    (
        _("Impacts and conclusion"),
        (
            "predictable_failures",
            "positive_impacts",
            "negative_impacts",
            "overall_rating",
            "recommendation",
        ),
    ),
)
FRIA_HEADING = _("Fundamental rights impact assessment (EU AI Act Art. 27)")
FRIA_INTRO = _(
    "The AI system's classification says that Art. 27 applies: points (a) to (f) are needed "
    "before the assessment can be submitted."
)
NEEDED_FOR_SUBMISSION = _("Needed before the assessment can be submitted.")


class ImpactAssessmentForm(RegisterForm):
    class Meta:
        model = ImpactAssessment
        fields = [
            "system",
            "owner",
            *ImpactAssessment.CONTENT_FIELDS,
            "fria_notified_on",
            "review_interval_months",
        ]
        widgets = {
            **{n: forms.Textarea(attrs={"rows": 3}) for n in ImpactAssessment.CONTENT_FIELDS
               if n not in ("jurisdictions", "data_sensitivity", "automation_level",
                            "overall_rating")},
            "fria_notified_on": DATE,
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["system"].disabled = True
            self.fria_required = self.instance.fria_required
        else:
            system = self.initial_system()
            self.fria_required = system is not None and system.fria_required
            # Choosing the system reloads the form with what the system's record holds.
            self.fields["system"].widget.attrs.update(
                {
                    "hx-get": reverse("impact:impactassessment_add"),
                    "hx-include": "closest form",
                    "hx-target": "#assessment-form",
                    "hx-select": "#assessment-form",
                    "hx-swap": "outerHTML",
                }
            )
            if system is not None and not self.is_bound:
                for name, value in ImpactAssessment.values_from_system(system).items():
                    given = self.initial.get(name)
                    # The default a blank form shows (the interval) was not chosen.
                    if name in self.fields and (
                        given in (None, "") or str(given) == str(self.fields[name].initial)
                    ):
                        self.initial[name] = value
        # Art. 27, as the system's classification has it: the FRIA part or none of it.
        if not self.fria_required:
            for name in FRIA_FIELDS:
                del self.fields[name]
        else:
            for name in FRIA_REQUIRED:
                self.fields[name].help_text = " ".join(
                    filter(None, [str(self.fields[name].help_text), str(NEEDED_FOR_SUBMISSION)])
                )

    def initial_system(self):
        key = self.data.get("system") if self.is_bound else self.initial.get("system")
        if key and str(key).isdigit():
            return self.fields["system"].queryset.filter(pk=key).first()
        return None

    def clean_system(self):
        system = self.cleaned_data["system"]
        if not self.instance.pk and system.impact_assessments.open().exists():
            raise ValidationError(OPEN_EXISTS)
        return system

    def sections(self):
        """(heading, intro, [(bound field, what submission still needs)]) per section, the
        FRIA part last; a field no section names goes to the first."""
        missing = (
            self.instance.submission_errors()
            if self.instance.pk and self.instance.status == ImpactAssessment.Status.DRAFT
            else {}
        )
        groups = [(title, "", names) for title, names in SECTIONS]
        if self.fria_required:
            groups.append((FRIA_HEADING, FRIA_INTRO, FRIA_FIELDS))
        placed = {name for _title, _intro, names in groups for name in names}
        visible = [field.name for field in self.visible_fields()]
        leftover = tuple(name for name in visible if name not in placed)
        title, intro, names = groups[0]
        groups[0] = (title, intro, (*names, *leftover))
        return [
            (
                title,
                intro,
                [(self[name], missing.get(name, "")) for name in names if name in visible],
            )
            for title, intro, names in groups
        ]


class ImpactForm(RegisterForm):
    class Meta:
        model = Impact
        fields = [
            "assessment",
            "area",
            "affected_group",
            "description",
            "positive",
            "likelihood",
            "severity",
            "mitigation",
            "control",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }


class ConditionMetForm(forms.Form):
    picker_route = ("core:pick_form", ["condition-met"])  # long dropdowns search there
    met_on = forms.DateField(label=_("met on"), widget=DATE)
    evidence = forms.ModelChoiceField(
        label=_("evidence"), queryset=Evidence.objects.none(), required=False
    )
    met_note = forms.CharField(
        label=_("how it was met"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = Evidence.objects.restrict(user)
        style_widgets(self)


@pickers.form_source("condition-met")
def condition_met_form(request):
    if not can(request.user, "view", Evidence):
        raise Http404
    return ConditionMetForm(user=request.user)
