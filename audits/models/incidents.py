"""AI incidents (A.8.4) with the EU AI Act's serious-incident test (Art. 3(49), Art. 73), the
reporting deadlines as data an administrator can change, and the log of reports sent."""

import json
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from aims.core.models import ReferencedModel, TrackedModel
from aims.core.permissions import RestrictedQuerySet

__all__ = ["ReportingPeriod", "AIIncident", "IncidentReport", "load_reporting_periods"]

PERIODS_FILE = Path(__file__).resolve().parent.parent / "data" / "reporting_periods.json"

SHORT_TEXT = 200
LONG_TEXT = 10_000


class ReportingPeriod(TrackedModel):
    """How many days after becoming aware a serious incident must be reported (Art. 73(2)–(4)).
    Shipped by a migration; law can change them, so administrators edit them like the
    obligation dates."""

    class Case(models.TextChoices):
        WIDESPREAD = "widespread", _("Widespread infringement")
        CRITICAL_INFRASTRUCTURE = (
            "critical_infrastructure",
            _("Serious and irreversible disruption of critical infrastructure"),
        )
        DEATH = "death", _("Death of a person")
        OTHER = "other", _("Any other serious incident")

    case = models.CharField(_("case"), max_length=30, choices=Case.choices, unique=True)
    days = models.PositiveSmallIntegerField(_("days after becoming aware"))
    legal_source = models.CharField(_("legal source"), max_length=SHORT_TEXT)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["days", "case"]

    def __str__(self):
        return f"{self.get_case_display()}: {self.days}"


class AIIncidentQuerySet(RestrictedQuerySet):
    def serious(self):
        return self.filter(serious=True)


class AIIncident(ReferencedModel):
    """Something an AI system did or failed to do that harmed or could have harmed (A.8.4)."""

    reference_prefix = "INC"
    reference_digits = 4
    scope_parent = "ai_system"  # whoever may change the system records its incidents
    _history_m2m_fields = ["risks"]

    class Role(models.TextChoices):
        PROVIDER = "provider", _("Provider")
        DEPLOYER = "deployer", _("Deployer")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        REPORTED = "reported", _("Final report sent")
        CLOSED = "closed", _("Closed")

    ai_system = models.ForeignKey(
        "inventory.AISystem",
        verbose_name=_("AI system"),
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    occurred_at = models.DateTimeField(_("occurred at"))
    aware_at = models.DateTimeField(
        _("became aware at"),
        help_text=_("When the organization learned of it; the reporting clock starts here."),
    )
    description = models.TextField(_("what happened"), max_length=LONG_TEXT)
    affected_persons = models.TextField(
        _("affected persons and groups"), max_length=LONG_TEXT, blank=True
    )
    harm = models.TextField(_("harm caused or possible"), max_length=LONG_TEXT, blank=True)
    our_role = models.CharField(
        _("our role"),
        max_length=10,
        choices=Role.choices,
        help_text=_("Provider or deployer of the system; taken from the system when left blank."),
        blank=True,
    )
    # The serious-incident test of Art. 3(49) and Art. 3(61).
    death = models.BooleanField(_("death of a person"), default=False)
    health_harm = models.BooleanField(_("serious harm to a person's health"), default=False)
    critical_infrastructure = models.BooleanField(
        _("serious and irreversible disruption of critical infrastructure"), default=False
    )
    fundamental_rights = models.BooleanField(
        _("infringement of obligations protecting fundamental rights"), default=False
    )
    property_or_environment = models.BooleanField(
        _("serious harm to property or the environment"), default=False
    )
    widespread = models.BooleanField(
        _("widespread infringement"),
        default=False,
        help_text=_("Affects the collective interests of people in several Member States."),
    )
    serious = models.BooleanField(_("serious incident"), default=False, editable=False)
    report_due_at = models.DateTimeField(_("report due by"), null=True, blank=True, editable=False)
    provider_informed_at = models.DateTimeField(
        _("provider informed at"),
        null=True,
        blank=True,
        help_text=_("A deployer informs the provider immediately (Art. 26(5))."),
    )
    risks = models.ManyToManyField(
        "risks.Risk", verbose_name=_("risks"), blank=True, related_name="incidents"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = AIIncidentQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("AI incident")
        verbose_name_plural = _("AI incidents")
        ordering = ["-aware_at", "-reference"]


class IncidentReport(TrackedModel):
    """A report of a serious incident sent to a market surveillance authority."""

    scope_parent = "incident"

    class Kind(models.TextChoices):
        INITIAL = "initial", _("Initial report")
        FOLLOW_UP = "follow_up", _("Follow-up report")
        FINAL = "final", _("Final report")

    incident = models.ForeignKey(
        AIIncident, verbose_name=_("incident"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField(_("sent at"))
    authority = models.CharField(_("authority"), max_length=SHORT_TEXT)
    authority_reference = models.CharField(
        _("authority's reference"), max_length=SHORT_TEXT, blank=True
    )
    summary = models.TextField(_("summary"), max_length=LONG_TEXT, blank=True)
    document = models.ForeignKey(
        "controls.Evidence",
        verbose_name=_("report file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The report as sent, kept as evidence with its SHA-256."),
    )

    class Meta:
        verbose_name = _("incident report")
        verbose_name_plural = _("incident reports")
        ordering = ["sent_at", "pk"]

    def __str__(self):
        return f"{self.incident.reference}: {self.get_kind_display()}"


def load_reporting_periods(model):
    """Create the shipped periods that are missing; an administrator's change is kept."""
    data = json.loads(PERIODS_FILE.read_text(encoding="utf-8"))
    for row in data["periods"]:
        model.objects.get_or_create(
            case=row["case"], defaults={"days": row["days"], "legal_source": row["legal_source"]}
        )
