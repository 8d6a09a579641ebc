"""AI system impact assessments (6.1.4, 8.4, A.5) with the fundamental rights impact assessment
of EU AI Act Art. 27, their impacts, and the AI officer's decisions with their conditions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aims.core.dates import short_date
from aims.core.models import ReferencedModel, TrackedModel
from aims.core.permissions import RestrictedQuerySet
from aims.inventory.models import AISystem, AutomationLevel

SHORT_TEXT = 200
LONG_TEXT = 10_000
OPEN_EXISTS = _("This AI system has an assessment in draft or awaiting approval already.")
# EU AI Act Art. 27 (1) (a)–(f), each with what submission asks for when it is empty. The
# result is notified to the authority after the assessment, so its date is not asked for.
FRIA_REQUIRED = {
    "fria_processes": _("(a) Describe the processes in which the system is used."),
    "fria_period": _("(b) State the period and frequency of use."),
    "fria_affected_persons": _("(c) Name the categories of persons and groups likely affected."),
    "fria_risks": _("(d) Describe the specific risks of harm to these persons and groups."),
    "fria_oversight": _("(e) Describe the human oversight measures."),
    "fria_measures": _(
        "(f) Describe the measures if the risks materialise, including internal governance "
        "and complaint mechanisms."
    ),
}
# The whole FRIA part: shown and asked for only where Art. 27 applies.
FRIA_FIELDS = (*FRIA_REQUIRED, "fria_notified_on")


class Rating(models.TextChoices):
    """Ascending, as risk levels are."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class DataSensitivity(models.TextChoices):
    NONE = "none", _("No personal data")
    PERSONAL = "personal", _("Personal data")
    SPECIAL = "special", _("Special categories of personal data")


def long_text(label, help_text=""):
    return models.TextField(label, max_length=LONG_TEXT, blank=True, help_text=help_text)


class ImpactAssessmentQuerySet(RestrictedQuerySet):
    def open(self):
        """Drafts and submitted versions: at most one per system."""
        return self.filter(status__in=ImpactAssessment.OPEN)


class ImpactAssessmentManager(models.Manager.from_queryset(ImpactAssessmentQuerySet)):
    def get_queryset(self):
        # An assessment is named after its system, wherever it is listed or chosen.
        return super().get_queryset().select_related("system")


class ImpactAssessment(ReferencedModel):
    """One version of the impact assessment of an AI system.

    A draft is written and submitted; the AI officer approves it (with or without conditions)
    or sends it back to draft. An approved version never changes: a change starts the next
    version, which needs approval again.
    """

    reference_prefix = "IA"
    scope_parent = "system"  # whoever may change the system writes its assessments

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for approval")
        APPROVED = "approved", _("Approved")
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")

    DECIDED = (Status.APPROVED, Status.APPROVED_WITH_CONDITIONS)
    OPEN = (Status.DRAFT, Status.SUBMITTED)
    # The content a decision covers: the snapshot hashes these fields and the impacts.
    CONTENT_FIELDS = (
        "intended_use",
        "foreseeable_misuse",
        "technical_context",
        "societal_context",
        "jurisdictions",
        "affected_groups",
        "vulnerable_groups",
        "data_used",
        "data_sensitivity",
        "automation_level",
        "human_oversight",
        "predictable_failures",
        "positive_impacts",
        "negative_impacts",
        "overall_rating",
        "recommendation",
        "fria_processes",
        "fria_period",
        "fria_affected_persons",
        "fria_risks",
        "fria_oversight",
        "fria_measures",
    )

    system = models.ForeignKey(
        AISystem,
        verbose_name=_("AI system"),
        on_delete=models.PROTECT,
        related_name="impact_assessments",
    )
    objects = ImpactAssessmentManager()
    number = models.PositiveIntegerField(_("version"), default=1, editable=False)
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessment owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Keeps the assessment current and is told when it is due again."),
    )
    intended_use = long_text(_("intended use"))
    foreseeable_misuse = long_text(_("reasonably foreseeable misuse"))
    technical_context = long_text(_("technical context"))
    societal_context = long_text(_("societal context"))
    jurisdictions = models.CharField(
        _("jurisdictions"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("Where the system is used or has effect, e.g. Germany, Austria, EU."),
    )
    affected_groups = long_text(_("affected individuals and groups"))
    vulnerable_groups = long_text(
        _("vulnerable groups"), _("e.g. children, elderly people, people with impairments, workers")
    )
    data_used = long_text(_("data used"))
    data_sensitivity = models.CharField(
        _("data sensitivity"), max_length=10, choices=DataSensitivity.choices, blank=True
    )
    automation_level = models.CharField(
        _("level of automation"), max_length=20, choices=AutomationLevel.choices, blank=True
    )
    human_oversight = long_text(_("human oversight"))
    predictable_failures = long_text(_("predictable failures and their mitigation"))
    positive_impacts = long_text(_("positive impacts"))
    negative_impacts = long_text(_("negative impacts"))
    overall_rating = models.CharField(
        _("overall rating"), max_length=10, choices=Rating.choices, blank=True
    )
    recommendation = long_text(_("recommendation"))
    # EU AI Act Art. 27 (1) (a)–(f): deployers of high-risk systems.
    fria_processes = long_text(_("(a) processes in which the system is used"))
    fria_period = long_text(_("(b) period and frequency of use"))
    fria_affected_persons = long_text(_("(c) categories of persons and groups affected"))
    fria_risks = long_text(_("(d) specific risks of harm to them"))
    fria_oversight = long_text(_("(e) human oversight measures"))
    fria_measures = long_text(
        _("(f) measures if the risks materialise"),
        _("Including internal governance and complaint mechanisms."),
    )
    fria_notified_on = models.DateField(
        _("result notified to the market surveillance authority on"), null=True, blank=True
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("re-assess every (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    next_review = models.DateField(_("next re-assessment"), null=True, blank=True, editable=False)
    reassessment_due = models.BooleanField(_("re-assessment due"), default=False, editable=False)
    reassessment_reason = models.TextField(
        _("why it is due"), max_length=LONG_TEXT, blank=True, editable=False
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("impact assessment")
        verbose_name_plural = _("impact assessments")
        ordering = ["system__reference", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="assessment_version_unique"),
            models.UniqueConstraint(
                fields=["system"],
                condition=Q(status__in=["draft", "submitted"]),
                name="one_open_assessment_per_system",
                violation_error_message=OPEN_EXISTS,
            ),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding:
            latest = type(self)._default_manager.filter(system_id=self.system_id)
            self.number = (latest.aggregate(n=models.Max("number"))["n"] or 0) + 1
        super().save(*args, **kwargs)

    @property
    def title_text(self):
        return f"{self.system.name} v{self.number}"

    @property
    def lock_reason(self):
        if self.status == self.Status.SUBMITTED:
            return _("The assessment awaits the AI officer's decision and cannot be changed.")
        if self.status in self.DECIDED:
            return _("Approved versions are read-only; start a new version to change it.")
        return ""

    @cached_property
    def fria_required(self):
        """Art. 27 applies to the system, as its current classification says: the one rule
        for showing the FRIA part and for asking for it at submission."""
        return self.system.fria_required

    @property
    def hidden_detail_fields(self):
        """The FRIA part shows only where Art. 27 asks for it."""
        if self.fria_required:
            return ()
        return FRIA_FIELDS

    def submission_errors(self):
        """What must be filled in before the assessment can be submitted: field name →
        message, empty when nothing is missing. Where Art. 27 applies, its (a)–(f) points."""
        if not self.fria_required:
            return {}
        return {
            name: gettext(message)
            for name, message in FRIA_REQUIRED.items()
            if not (getattr(self, name) or "").strip()
        }

    @classmethod
    def values_from_system(cls, system):
        """A new assessment's starting values from what the AI system's record already
        holds; empty values are left out."""
        datasets = "\n".join(f"{d.reference} {d.name}" for d in system.datasets.all())
        if system.special_category_data:
            sensitivity = DataSensitivity.SPECIAL
        elif system.personal_data:
            sensitivity = DataSensitivity.PERSONAL
        else:
            sensitivity = ""  # "no personal data" is the assessor's finding, not a default
        groups = "\n".join(filter(None, [system.affected_persons, system.vulnerable_groups]))
        values = {
            "intended_use": system.purpose,
            "foreseeable_misuse": system.foreseeable_misuse,
            "jurisdictions": system.geography,
            "affected_groups": system.affected_persons,
            "vulnerable_groups": system.vulnerable_groups,
            "data_used": datasets,
            "data_sensitivity": sensitivity,
            "automation_level": system.automation_level,
            "human_oversight": system.human_oversight,
            "review_interval_months": min(system.review_cadence_months, 60),
        }
        if system.fria_required:
            values |= {
                "fria_processes": system.area_of_use,
                "fria_affected_persons": groups,
                "fria_oversight": system.human_oversight,
            }
        return {name: value for name, value in values.items() if value not in ("", None)}


class ImpactArea(models.TextChoices):
    FAIRNESS = "fairness", _("Fairness")
    ACCOUNTABILITY = "accountability", _("Accountability")
    TRANSPARENCY = "transparency", _("Transparency and explainability")
    PRIVACY_SECURITY = "privacy_security", _("Privacy and security")
    SAFETY_HEALTH = "safety_health", _("Safety and health")
    FINANCIAL = "financial", _("Financial consequences")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    HUMAN_RIGHTS = "human_rights", _("Human rights")
    ENVIRONMENT = "environment", _("Environment")
    ECONOMY = "economy", _("Economy")
    GOVERNMENT = "government", _("Government")
    CULTURE = "culture", _("Norms and culture")


class Impact(TrackedModel):
    """One impact of the system on a group, with its mitigation."""

    scope_parent = "assessment"
    HIGH = (Rating.HIGH, Rating.CRITICAL)

    assessment = models.ForeignKey(
        ImpactAssessment,
        verbose_name=_("impact assessment"),
        on_delete=models.CASCADE,
        related_name="impacts",
        limit_choices_to={"status": ImpactAssessment.Status.DRAFT},
    )
    area = models.CharField(_("area"), max_length=20, choices=ImpactArea.choices)
    description = models.TextField(_("impact"), max_length=LONG_TEXT)
    affected_group = models.CharField(_("affected group"), max_length=SHORT_TEXT)
    positive = models.BooleanField(_("positive impact"), default=False)
    likelihood = models.CharField(_("likelihood"), max_length=10, choices=Rating.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Rating.choices)
    mitigation = models.TextField(_("mitigation"), max_length=LONG_TEXT, blank=True)
    control = models.ForeignKey(
        "controls.Control",
        verbose_name=_("Annex A control"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="impacts",
        limit_choices_to={"framework": "iso42001"},
    )
    risk = models.ForeignKey(
        "risks.Risk",
        verbose_name=_("risk in the register"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="source_impacts",
        editable=False,
    )

    class Meta:
        verbose_name = _("impact")
        verbose_name_plural = _("impacts")
        ordering = ["assessment", "pk"]

    def __str__(self):
        return f"{self.get_area_display()}: {self.affected_group}"

    @property
    def lock_reason(self):
        return self.assessment.lock_reason

    @property
    def may_become_risk(self):
        return self.severity in self.HIGH and not self.positive and self.risk_id is None


class AssessmentDecision(models.Model):
    """The AI officer's decision on a submitted version: a record that never changes."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", _("Approved")
        APPROVED_WITH_CONDITIONS = "approved_with_conditions", _("Approved with conditions")
        REJECTED = "rejected", _("Rejected")

    assessment = models.ForeignKey(
        ImpactAssessment,
        verbose_name=_("impact assessment"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    outcome = models.CharField(_("decision"), max_length=30, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    comment = models.TextField(_("comment"), max_length=LONG_TEXT, blank=True)
    snapshot = models.JSONField(_("snapshot"))
    snapshot_sha256 = models.CharField(_("SHA-256 of the snapshot"), max_length=64)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.get_outcome_display()} ({short_date(timezone.localtime(self.decided_at))})"


class DecisionCondition(models.Model):
    """A condition of an approval, with its owner and due date; part of the decision's record."""

    decision = models.ForeignKey(
        AssessmentDecision,
        verbose_name=_("decision"),
        on_delete=models.CASCADE,
        related_name="conditions",
    )
    text = models.CharField(_("condition"), max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due"))
    met_on = models.DateField(_("met on"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    evidence = models.ForeignKey(
        "controls.Evidence",
        verbose_name=_("evidence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    met_note = models.TextField(_("how it was met"), max_length=LONG_TEXT, blank=True)

    # Who recorded a condition as met, and when, stays on record.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("condition")
        verbose_name_plural = _("conditions")
        ordering = ["due_date"]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return self.decision.assessment.get_absolute_url()
