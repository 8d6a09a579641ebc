"""Forms of the impact assessments: the assessment, its impacts and the AI officer's decision."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.forms import DATE, RegisterForm, restrict_choices, single_line, style_widgets
from aims.impact.models import (
    FRIA_FIELDS,
    OPEN_EXISTS,
    AssessmentDecision,
    Impact,
    ImpactAssessment,
)

CONDITION_ROWS = 3


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
        system = self.instance.system if self.instance.system_id else self.initial_system()
        # Art. 27: only deployers of high-risk systems assess fundamental rights.
        hidden = (
            FRIA_FIELDS if system is None else ImpactAssessment(system=system).hidden_detail_fields
        )
        for name in hidden:
            del self.fields[name]

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
