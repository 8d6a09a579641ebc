"""Forms of the competence registers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aims.competence import services
from aims.competence.models import CompetenceRequirement, Person, TrainingRecord
from aims.core.forms import DATE, RegisterForm
from controls.evidence_files import check_upload


class CompetenceRequirementForm(RegisterForm):
    class Meta:
        model = CompetenceRequirement
        fields = [
            "reference",
            "title",
            "description",
            "roles",
            "ai_systems",
            "satisfied_by",
            "ai_literacy",
            "validity_months",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "satisfied_by": forms.Textarea(attrs={"rows": 3}),
        }


class PersonForm(RegisterForm):
    class Meta:
        model = Person
        fields = ["name", "email", "unit", "manager", "user", "roles", "ai_systems"]


class TrainingRecordForm(RegisterForm):
    file = forms.FileField(
        label=_("certificate file"),
        required=False,
        help_text=_("Kept privately as evidence with its SHA-256; a new file adds a revision."),
    )

    class Meta:
        model = TrainingRecord
        fields = [
            "person",
            "course",
            "kind",
            "completed_on",
            "valid_until",
            "provider",
            "requirements",
        ]
        widgets = {"completed_on": DATE, "valid_until": DATE}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload)
        return upload

    def save(self, commit=True):
        record = super().save(commit=False)
        if commit:
            services.training_record_save(
                record=record,
                user=self.user,
                requirements=list(self.cleaned_data.get("requirements") or []),
                upload=self.cleaned_data.get("file"),
            )
        return record
