"""Forms of the objectives registers: AI objectives, KPIs and the measurements owners enter."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.forms import DATE, RegisterForm, style_widgets
from aims.objectives.computed import computed_kpi_choices, computed_kpis
from aims.objectives.models import KPI, AIObjective, Measurement, period_containing


class AIObjectiveForm(RegisterForm):
    class Meta:
        model = AIObjective
        fields = [
            "reference",
            "title",
            "annex_c_objective",
            "target",
            "actions",
            "resources",
            "owner",
            "due_date",
            "evaluation",
            "status",
            "ai_systems",
        ]
        widgets = {
            "due_date": DATE,
            "ai_systems": forms.CheckboxSelectMultiple,
            "target": forms.Textarea(attrs={"rows": 2}),
        }


class KPIForm(RegisterForm):
    computed = forms.ChoiceField(label=_("computed from"), required=False)

    class Meta:
        model = KPI
        fields = [
            "reference",
            "name",
            "definition",
            "method",
            "kind",
            "computed",
            "unit",
            "higher_is_better",
            "target",
            "warning_threshold",
            "frequency",
            "owner",
            "objectives",
        ]
        widgets = {"objectives": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["computed"].choices = [("", "---------"), *computed_kpi_choices()]
        self.fields["computed"].help_text = KPI._meta.get_field("computed").help_text
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        computed = computed_kpis().get(cleaned.get("computed"))
        if cleaned.get("kind") == KPI.Kind.COMPUTED and computed:
            # The figure decides its unit and which way is better, not the form.
            cleaned["unit"] = self.instance.unit = computed.unit
            cleaned["higher_is_better"] = self.instance.higher_is_better = computed.higher_is_better
        return cleaned


class MeasurementForm(RegisterForm):
    class Meta:
        model = Measurement
        fields = ["kpi", "period_start", "period_end", "value", "comment", "evidence"]
        widgets = {"period_start": DATE, "period_end": DATE}
        help_texts = {
            "period_start": _("The first day of the period measured."),
            "period_end": _("Leave empty for the end of the KPI's period (by its frequency)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period_end"].required = False

    def clean_kpi(self):
        kpi = self.cleaned_data["kpi"]
        if kpi.is_computed:
            raise forms.ValidationError(
                _("The portal computes this KPI's measurements; they are not entered by hand.")
            )
        return kpi

    def clean(self):
        cleaned = super().clean()
        kpi, start = cleaned.get("kpi"), cleaned.get("period_start")
        if kpi is None or start is None:
            return cleaned
        if start > timezone.localdate():
            self.add_error("period_start", _("A period that has not begun cannot be measured."))
        if not cleaned.get("period_end"):
            cleaned["period_end"] = self.instance.period_end = period_containing(
                start, kpi.frequency
            )[1]
        taken = kpi.measurements.filter(period_start=start).exclude(pk=self.instance.pk)
        if taken.exists():
            self.add_error("period_start", _("This KPI has a measurement for this period."))
        return cleaned
