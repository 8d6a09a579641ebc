"""Forms of the impact assessments: the assessment, its impacts and the AI officer's decision."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.forms import DATE, RegisterForm, restrict_choices, single_line, style_widgets
from aims.impact.models import (
    FRIA_FIELDS,
    FRIA_REQUIRED,
    OPEN_EXISTS,
    AssessmentDecision,
    Impact,
    ImpactAssessment,
)

CONDITION_ROWS = 3


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


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("decision"), choices=AssessmentDecision.Outcome.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("comment"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when you reject: the reasons go back to the authors."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.all()
        for row in range(CONDITION_ROWS):
            number = {"number": row + 1}
            self.fields[f"condition_{row}"] = forms.CharField(
                label=_("Condition %(number)d") % number,
                max_length=500,
                required=False,
                validators=[single_line],
            )
            self.fields[f"condition_{row}_owner"] = forms.ModelChoiceField(
                label=_("Owner of condition %(number)d") % number, queryset=users, required=False
            )
            self.fields[f"condition_{row}_due"] = forms.DateField(
                label=_("Due date of condition %(number)d") % number, required=False, widget=DATE
            )
        restrict_choices(self.fields, user)
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        conditions = []
        for row in range(CONDITION_ROWS):
            text = cleaned.get(f"condition_{row}", "").strip()
            owner, due = cleaned.get(f"condition_{row}_owner"), cleaned.get(f"condition_{row}_due")
            if not (text or owner or due):
                continue
            if not (text and owner and due):
                self.add_error(
                    f"condition_{row}", _("A condition needs its text, an owner and a due date.")
                )
            elif due < timezone.localdate():
                self.add_error(f"condition_{row}_due", _("The due date lies in the past."))
            else:
                conditions.append((text, owner, due))
        cleaned["conditions"] = conditions
        return cleaned

    def condition_rows(self):
        return [
            (self[f"condition_{row}"], self[f"condition_{row}_owner"], self[f"condition_{row}_due"])
            for row in range(CONDITION_ROWS)
        ]
