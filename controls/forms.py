"""Forms of the controls registers: own controls, SoA entries, evidence and its revisions."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.forms import DATE, RegisterForm, single_line, style_widgets
from controls.evidence_files import check_upload
from controls.models import Control, Evidence, Framework, SoAEntry
from controls.services import evidence_revision_add, soa_entry_risks_set
from risks.models import Risk

LIST_SIZE = {"size": 8}


class ControlForm(RegisterForm):
    """The organization's own controls; the shipped catalogues are not edited."""

    class Meta:
        model = Control
        fields = ["code", "title", "title_de", "guidance", "guidance_de", "mappings"]
        widgets = {"mappings": forms.SelectMultiple(attrs={"size": 12})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mappings"].queryset = self.fields["mappings"].queryset.exclude(
            framework=Framework.OWN
        )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Control.objects.filter(framework=Framework.OWN, code__iexact=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Another own control has this ID."))
        return code


class SoAEntryForm(RegisterForm):
    class Meta:
        model = SoAEntry
        fields = [
            "control",
            "ai_system",
            "applicable",
            "inclusion_justification",
            "exclusion_justification",
            "risks",
            "impact_assessments",
            "requirements",
            "legal_requirements",
            "status",
            "owner",
            "last_review",
            "next_review",
        ]
        widgets = {
            "impact_assessments": forms.SelectMultiple(attrs=LIST_SIZE),
            "requirements": forms.SelectMultiple(attrs=LIST_SIZE),
            "legal_requirements": forms.SelectMultiple(attrs=LIST_SIZE),
            "last_review": DATE,
            "next_review": DATE,
        }

    # Not a field of the entry: the link is the risk's (Risk.controls), edited from here too.
    risks = forms.ModelMultipleChoiceField(
        label=_("risks"),
        queryset=Risk.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs=LIST_SIZE),
        help_text=_(
            "Risks this control treats. It is one link: each risk lists the control among its "
            "linked controls, and changing it on either page changes both."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only risks the user may change can be linked or unlinked here; links to others stay.
        changeable = Risk.objects.restrict(self.user, "change")
        if self.instance.ai_system_id:
            changeable = changeable.filter(ai_systems=self.instance.ai_system_id)
        self.fields["risks"].queryset = changeable
        if self.instance.pk:
            drivers = self.instance.driver_risk_queryset().values("pk")
            self.initial.setdefault(
                "risks", list(changeable.filter(pk__in=drivers).values_list("pk", flat=True))
            )
        if self.instance.pk:
            # What an entry is about stays; a different scope is another entry.
            self.fields["control"].disabled = True
            self.fields["ai_system"].disabled = True
        else:
            self.fields["ai_system"].required = True
            self.fields["ai_system"].help_text = _(
                "Every control has its organization-wide entry already; add an entry here to "
                "record how a control applies to one AI system differently."
            )

    def clean(self):
        cleaned = super().clean()
        system, risks = cleaned.get("ai_system"), cleaned.get("risks") or []
        if system is not None:
            elsewhere = [risk.reference for risk in risks if system not in risk.ai_systems.all()]
            if elsewhere:
                self.add_error(
                    "risks",
                    _(
                        "This entry is for %(system)s: link only risks of that system (not "
                        "%(risks)s)."
                    )
                    % {"system": system.reference, "risks": ", ".join(elsewhere)},
                )
        return cleaned

    def save(self, commit=True):
        entry = super().save(commit)
        if commit:
            soa_entry_risks_set(entry=entry, risks=self.cleaned_data["risks"], user=self.user)
        return entry


class EvidenceForm(RegisterForm):
    link = forms.URLField(
        label=_("link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=Evidence._meta.get_field("link").help_text,
    )
    file = forms.FileField(
        label=_("file"),
        required=False,
        help_text=_("Stored privately; a later file becomes a new revision, never a replacement."),
    )

    class Meta:
        model = Evidence
        fields = [
            "title",
            "description",
            "file",
            "link",
            "evidence_date",
            "valid_until",
            "controls",
            "soa_entries",
            "risks",
            "ai_systems",
        ]
        widgets = {
            "evidence_date": DATE,
            "valid_until": DATE,
            "controls": forms.SelectMultiple(attrs=LIST_SIZE),
            "soa_entries": forms.SelectMultiple(attrs=LIST_SIZE),
            "risks": forms.SelectMultiple(attrs=LIST_SIZE),
            "ai_systems": forms.SelectMultiple(attrs=LIST_SIZE),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # New files arrive as revisions on the evidence page.
            del self.fields["file"]
        self.fields["soa_entries"].queryset = self.fields["soa_entries"].queryset.select_related(
            "control", "ai_system"
        )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload)
        return upload

    def clean_evidence_date(self):
        day = self.cleaned_data["evidence_date"]
        if day > timezone.localdate():
            raise ValidationError(_("Evidence cannot be dated in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        missing = not cleaned.get("file") and not cleaned.get("link")
        if not self.instance.pk and missing and "file" not in self.errors:
            self.add_error("file", _("Attach a file or give a link."))
        if not any(
            cleaned.get(name) for name in ("controls", "soa_entries", "risks", "ai_systems")
        ):
            self.add_error(
                None,
                _("Attach the evidence to at least one control, SoA entry, risk or AI system."),
            )
        start, end = cleaned.get("evidence_date"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The validity cannot end before the evidence date."))
        return cleaned

    def save(self, commit=True):
        if not self.instance.pk:
            self.instance.uploaded_by = self.user
        evidence = super().save(commit)
        if self.cleaned_data.get("file"):
            evidence_revision_add(
                evidence=evidence, upload=self.cleaned_data["file"], user=self.user
            )
        return evidence


class EvidenceRevisionForm(forms.Form):
    file = forms.FileField(label=_("file"))
    note = forms.CharField(
        label=_("what changed"), max_length=200, required=False, validators=[single_line]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)

    def clean_file(self):
        check_upload(self.cleaned_data["file"])
        return self.cleaned_data["file"]


class SoAIssueForm(forms.Form):
    note = forms.CharField(
        label=_("summary of changes"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_widgets(self)
