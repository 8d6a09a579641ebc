"""Forms of the nonconformity and improvement registers, and of the life-cycle steps."""

from itertools import groupby

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.forms import DATE, RegisterForm, style_widgets
from audits.models import (
    Clause,
    CorrectiveAction,
    EffectivenessCheck,
    Improvement,
    Nonconformity,
)
from audits.nonconformities.services import nonconformity_actions_changed
from controls.models.catalogue import Framework


class GroupedClauseIterator(forms.models.ModelChoiceIterator):
    """Leaf clauses under their main clause (4 … 10), as option groups."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        clauses = self.queryset.select_related("parent")
        for main, group in groupby(clauses, key=lambda clause: clause.main_clause):
            yield (
                _("Clause %(clause)s") % {"clause": main},
                [self.choice(clause) for clause in group],
            )


class ClauseChoiceField(forms.ModelChoiceField):
    iterator = GroupedClauseIterator


class NonconformityForm(RegisterForm):
    class Meta:
        model = Nonconformity
        fields = [
            "reference",
            "title",
            "source",
            "grade",
            "clause",
            "control",
            "audit",
            "incident",
            "ai_systems",
            "description",
            "owner",
            "correction",
            "correction_date",
            "root_cause",
            "cause_category",
        ]
        field_classes = {"clause": ClauseChoiceField}
        widgets = {
            "correction_date": DATE,
            "ai_systems": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = Clause.objects.leaves().order_by("position")
        self.fields["control"].queryset = (
            self.fields["control"]
            .queryset.filter(framework__in=Framework.in_soa())
            .order_by("framework", "position", "code")
        )
        self.fields["control"].help_text = _("An ISO/IEC 42001 Annex A control or an own control.")


def open_nonconformities(field, instance):
    """A closed nonconformity takes no new parts; the current one stays choosable."""
    current = getattr(instance, "nonconformity_id", None)
    field.queryset = field.queryset.filter(
        ~Q(status=Nonconformity.Status.CLOSED) | Q(pk=current)
    ).order_by("-reference")


class CorrectiveActionForm(RegisterForm):
    class Meta:
        model = CorrectiveAction
        fields = ["nonconformity", "title", "description", "owner", "due_date", "status"]
        widgets = {"due_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_nonconformities(self.fields["nonconformity"], self.instance)

    def save(self, commit=True):
        action = self.instance
        if action.status == CorrectiveAction.Status.DONE:
            action.done_on = action.done_on or timezone.localdate()
        else:
            action.done_on = None
        action = super().save(commit)
        if commit:
            nonconformity_actions_changed(nonconformity=action.nonconformity, user=self.user)
        return action


class EffectivenessCheckForm(RegisterForm):
    class Meta:
        model = EffectivenessCheck
        fields = ["nonconformity", "method", "due_date"]
        widgets = {"due_date": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        open_nonconformities(self.fields["nonconformity"], self.instance)

    def clean(self):
        cleaned = super().clean()
        nonconformity = cleaned.get("nonconformity")
        if nonconformity is not None:
            pending = nonconformity.effectiveness_checks.pending().exclude(pk=self.instance.pk)
            if pending.exists():
                self.add_error(
                    "nonconformity",
                    _("This nonconformity has a check waiting for its result already."),
                )
        return cleaned


class ImprovementForm(RegisterForm):
    class Meta:
        model = Improvement
        fields = [
            "reference",
            "title",
            "description",
            "source",
            "owner",
            "decision",
            "decision_note",
            "due_date",
            "status",
        ]
        widgets = {"due_date": DATE}

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if (
            decision
            and decision != Improvement.Decision.PENDING
            and not cleaned.get("decision_note", "").strip()
        ):
            self.add_error("decision_note", _("Give the reason for the decision."))
        if cleaned.get("status") in (
            Improvement.Status.IN_PROGRESS,
            Improvement.Status.DONE,
        ) and decision not in (None, Improvement.Decision.ADOPTED):
            self.add_error("status", _("Only an adopted improvement is implemented."))
        return cleaned


# The life-cycle steps ---------------------------------------------------------------------


class StepForm(forms.Form):
    def __init__(self, *args, nonconformity, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.nonconformity = nonconformity
        self.user = user
        style_widgets(self)


class CorrectionForm(StepForm):
    correction = forms.CharField(
        label=_("Immediate correction"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    correction_date = forms.DateField(label=_("Correction done on"), widget=DATE)


class PlanActionsForm(StepForm):
    root_cause = forms.CharField(
        label=_("Root-cause analysis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
    )
    cause_category = forms.ChoiceField(
        label=_("Cause category"),
        choices=[("", "—"), *Nonconformity.CauseCategory.choices],
        required=False,
    )


class VerificationForm(StepForm):
    result = forms.ChoiceField(
        label=_("Result"), choices=EffectivenessCheck.Result.choices, widget=forms.RadioSelect
    )
    notes = forms.CharField(
        label=_("What was found"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )
    action_title = forms.CharField(
        label=_("New corrective action"),
        max_length=200,
        required=False,
        help_text=_("Needed when the actions were not effective."),
    )
    action_owner = forms.ModelChoiceField(
        label=_("Action owner"), queryset=get_user_model().objects.none(), required=False
    )
    action_due_date = forms.DateField(label=_("Due date"), widget=DATE, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action_owner"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("last_name", "username")
        )

    def new_action(self):
        return {
            "title": self.cleaned_data.get("action_title", ""),
            "owner": self.cleaned_data.get("action_owner"),
            "due_date": self.cleaned_data.get("action_due_date"),
        }
