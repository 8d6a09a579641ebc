"""The request form of an audit pack: which AI systems (those the requester may see), which
period, which sections, and whether the evidence files come along."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.dates import add_years
from aims.core.forms import DATE, style_widgets
from aims.inventory.models import AISystem
from audits.packs.sections import all_sections


class PackRequestForm(forms.Form):
    systems = forms.ModelMultipleChoiceField(
        label=_("AI systems"),
        queryset=AISystem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none for a pack of the whole AIMS."),
    )
    since = forms.DateField(label=_("From"), widget=DATE)
    until = forms.DateField(
        label=_("To"),
        widget=DATE,
        help_text=_("The period of the change log and of the records of the period."),
    )
    sections = forms.MultipleChoiceField(label=_("Sections"), widget=forms.CheckboxSelectMultiple)
    include_evidence = forms.BooleanField(
        label=_("Include the evidence files"),
        required=False,
        help_text=_(
            "The download becomes a ZIP archive with the PDF, every evidence file and a "
            "manifest of their SHA-256 hashes."
        ),
    )

    archival = forms.BooleanField(
        label=_("PDF/A-3b with the evidence files embedded"),
        required=False,
        help_text=_("The archival PDF format, each evidence file attached to the PDF itself."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["systems"].queryset = AISystem.objects.restrict(user).order_by("reference")
        self.fields["since"].initial = add_years(today, -1)
        self.fields["until"].initial = today
        choices = [(s.key, s.title) for s in all_sections()]
        self.fields["sections"].choices = choices
        self.fields["sections"].initial = [key for key, _title in choices]
        style_widgets(self)

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The period ends before it starts."))
        return cleaned
