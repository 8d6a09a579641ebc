"""Forms of the incident registers: the incident with the serious-incident test, a report sent
to the authority (with its file), and a reporting period."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.forms import RegisterForm
from audits.incidents import deadlines, services
from audits.models import AIIncident, IncidentReport, ReportingPeriod
from controls.evidence_files import check_upload

# The browser's date-and-time picker; values are entered and shown in the portal's time zone.
DATE_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})

# Short help per flag of the serious-incident test, with the case whose period it brings.
FLAG_HELP = {
    "death": (_("Art. 3(49)(a): a person died."), ReportingPeriod.Case.DEATH),
    "health_harm": (
        _("Art. 3(49)(a): serious harm to someone's health, short of death."),
        ReportingPeriod.Case.OTHER,
    ),
    "critical_infrastructure": (
        _("Art. 3(49)(b): e.g. energy, water or transport failed and cannot simply be restored."),
        ReportingPeriod.Case.CRITICAL_INFRASTRUCTURE,
    ),
    "fundamental_rights": (
        _("Art. 3(49)(c): e.g. discrimination, privacy or freedom of expression."),
        ReportingPeriod.Case.OTHER,
    ),
    "property_or_environment": (
        _("Art. 3(49)(d): serious damage to property or the environment."),
        ReportingPeriod.Case.OTHER,
    ),
    "widespread": (
        _("Art. 3(61): the collective interests of people in several Member States."),
        ReportingPeriod.Case.WIDESPREAD,
    ),
}


def in_the_future(moment):
    return moment is not None and moment > timezone.now()


class AIIncidentForm(RegisterForm):
    serious_flags = deadlines.SERIOUS_FLAGS  # grouped on the page as the test

    class Meta:
        model = AIIncident
        fields = [
            "reference",
            "ai_system",
            "title",
            "occurred_at",
            "aware_at",
            "description",
            "affected_persons",
            "harm",
            "our_role",
            *deadlines.SERIOUS_FLAGS,
            "provider_informed_at",
            "risks",
            "status",
        ]
        widgets = {
            "occurred_at": DATE_TIME,
            "aware_at": DATE_TIME,
            "provider_informed_at": DATE_TIME,
            "description": forms.Textarea(attrs={"rows": 5}),
            "affected_persons": TEXT,
            "harm": TEXT,
            "risks": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["our_role"].choices = [
            ("", _("From the AI system's EU AI Act role")),
            *AIIncident.Role.choices,
        ]
        periods = deadlines.current_periods()
        for name, (text, case) in FLAG_HELP.items():
            self.fields[name].help_text = _("%(test)s Report within %(days)s days.") % {
                "test": text,
                "days": periods[case],
            }
        if self.role() == AIIncident.Role.PROVIDER and not self.instance.provider_informed_at:
            # A provider has no provider to inform (Art. 26(5) is a deployer's duty).
            del self.fields["provider_informed_at"]
        else:
            self.fields["provider_informed_at"].help_text = _(
                "Deployers only: a deployer informs the provider immediately of a serious "
                "incident (Art. 26(5)). Leave empty until done."
            )

    def role(self):
        """Our role as stored, or as it follows from the system being edited."""
        if self.instance.our_role:
            return self.instance.our_role
        if self.instance.ai_system_id:
            return services.role_from_system(self.instance.ai_system)
        return ""

    def clean(self):
        cleaned = super().clean()
        occurred, aware = cleaned.get("occurred_at"), cleaned.get("aware_at")
        if in_the_future(occurred):
            self.add_error("occurred_at", _("The incident cannot have occurred in the future."))
        if in_the_future(aware):
            self.add_error("aware_at", _("You cannot have become aware in the future."))
        elif occurred and aware and aware < occurred and not in_the_future(occurred):
            self.add_error(
                "aware_at", _("You cannot have become aware before the incident occurred.")
            )
        informed = cleaned.get("provider_informed_at")
        if informed:
            system, role = cleaned.get("ai_system"), cleaned.get("our_role")
            if not role and system is not None:
                role = services.role_from_system(system)
            if role == AIIncident.Role.PROVIDER:
                self.add_error(
                    "provider_informed_at",
                    _("You are the provider of this system; there is no provider to inform."),
                )
            elif in_the_future(informed):
                self.add_error(
                    "provider_informed_at",
                    _("The provider cannot have been informed in the future."),
                )
            elif aware and informed < aware:
                self.add_error(
                    "provider_informed_at",
                    _("The provider cannot have been informed before you became aware."),
                )
        return cleaned

    def save(self, commit=True):
        incident = super().save(commit=False)
        if commit:
            services.incident_record(incident=incident, user=self.user)
            self.save_m2m()
        return incident


class IncidentReportForm(RegisterForm):
    file = forms.FileField(
        label=_("report file"),
        required=False,
        help_text=_("The report as sent; kept privately as evidence with its SHA-256."),
    )

    class Meta:
        model = IncidentReport
        fields = ["incident", "kind", "sent_at", "authority", "authority_reference", "summary"]
        widgets = {"sent_at": DATE_TIME, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = self.fields["incident"].queryset.select_related(
            "ai_system"
        )
        if self.instance.pk:
            # The report belongs to its incident; the file as sent stays as it was.
            self.fields["incident"].disabled = True
            del self.fields["file"]

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        sent, incident = cleaned.get("sent_at"), cleaned.get("incident")
        if in_the_future(sent):
            self.add_error("sent_at", _("A report cannot have been sent in the future."))
        elif sent and incident and sent < incident.aware_at:
            self.add_error("sent_at", _("A report cannot have been sent before you became aware."))
        return cleaned

    def save(self, commit=True):
        report = super().save(commit=False)
        if commit:
            services.incident_report_log(
                report=report, user=self.user, upload=self.cleaned_data.get("file")
            )
        return report


class ReportingPeriodForm(RegisterForm):
    """The period of one case; the cases themselves are those of Art. 73."""

    class Meta:
        model = ReportingPeriod
        fields = ["days", "legal_source"]

    def clean_days(self):
        days = self.cleaned_data["days"]
        if days < 1:
            raise ValidationError(_("A reporting period is at least one day."))
        return days

    def save(self, commit=True):
        period = super().save(commit=False)
        if commit:
            services.reporting_period_change(period=period, user=self.user)
        return period
