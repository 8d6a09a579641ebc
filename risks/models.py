"""The risk register (6.1.2, 6.1.3, 8.2, 8.3): the criteria risks are scored by, the risks with
their inherent and residual assessment, treatment actions, the acceptance of residual risk and
the built-in library of typical AI risks."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from aims.core.approvals import WORKFLOW
from aims.core.fields import MultipleChoiceField
from aims.core.models import ImportRecord, ReferencedModel, TrackedModel, object_permission_models
from aims.core.permissions import RestrictedQuerySet
from aims.core.reviews import ReviewCadence
from controls.catalogue import annex_a_choices
from controls.models import Control, Framework, SoAEntry

SHORT_TEXT = 200
LONG_TEXT = 10_000
MIN_LEVELS, MAX_LEVELS = 3, 6


class RiskLevel(models.TextChoices):
    """Levels in ascending order: comparisons use their position."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")

    @classmethod
    def rank(cls, level):
        return LEVEL_RANKS.get(level, -1)


# Positions computed once: `RiskLevel.values` builds a new list on every call.
LEVEL_RANKS = {level: position for position, level in enumerate(RiskLevel.values)}


class Category(models.TextChoices):
    BIAS_FAIRNESS = "bias_fairness", _("Bias and fairness")
    DATA_QUALITY = "data_quality", _("Data quality")
    MODEL_DRIFT = "model_drift", _("Model drift")
    ROBUSTNESS = "robustness", _("Robustness")
    TRANSPARENCY = "transparency", _("Transparency and explainability")
    PRIVACY = "privacy", _("Privacy")
    SECURITY = "security", _("Security (e.g. prompt injection, data poisoning)")
    SAFETY = "safety", _("Safety")
    MISUSE = "misuse", _("Misuse")
    THIRD_PARTY = "third_party", _("Third party and supply chain")
    LEGAL = "legal", _("Legal and regulatory")
    INFORMATION_SECURITY = "information_security", _("Information security (ISMS)")


class RiskSource(models.TextChoices):
    """Annex C.3."""

    ENVIRONMENT_COMPLEXITY = "environment_complexity", _("Complexity of the environment")
    LACK_OF_TRANSPARENCY = "lack_of_transparency", _("Lack of transparency and explainability")
    AUTOMATION_LEVEL = "automation_level", _("Level of automation")
    MACHINE_LEARNING = "machine_learning", _("Machine learning")
    HARDWARE = "hardware", _("System hardware")
    LIFE_CYCLE = "life_cycle", _("System life cycle")
    TECHNOLOGY_READINESS = "technology_readiness", _("Technology readiness")


OBJECTIVES = [  # Annex C.2
    ("accountability", _("Accountability")),
    ("ai_expertise", _("AI expertise")),
    ("data_quality", _("Availability and quality of training and test data")),
    ("environmental_impact", _("Environmental impact")),
    ("fairness", _("Fairness")),
    ("maintainability", _("Maintainability")),
    ("privacy", _("Privacy")),
    ("robustness", _("Robustness")),
    ("safety", _("Safety")),
    ("security", _("Security")),
    ("transparency", _("Transparency and explainability")),
]


class TreatmentOption(models.TextChoices):
    MODIFY = "modify", _("Modify (reduce with controls)")
    AVOID = "avoid", _("Avoid")
    SHARE = "share", _("Share (transfer)")
    RETAIN = "retain", _("Retain")


def default_level(likelihood, impact, likelihood_levels, impact_levels):
    """A proposal for a matrix cell from the relative score, for new or resized scales."""
    score = (likelihood / likelihood_levels) * (impact / impact_levels)
    for threshold, level in ((0.64, "critical"), (0.36, "high"), (0.16, "medium")):
        if score >= threshold:
            return level
    return "low"


class RiskCriteria(TrackedModel):
    """A version of the risk criteria (6.1.2): the scales, the matrix and the acceptance threshold.

    Risks keep the version they were scored under, so a new version rewrites no assessment.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    number = models.PositiveIntegerField(_("criteria version"), unique=True, editable=False)
    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    # [{"label": ..., "description": ...}, ...] from the lowest to the highest level.
    likelihood_scale = models.JSONField(_("likelihood scale"), default=list)
    impact_scale = models.JSONField(_("impact scale"), default=list)
    # matrix[likelihood - 1][impact - 1] is a RiskLevel code.
    matrix = models.JSONField(_("risk matrix"), default=list)
    acceptance_threshold = models.CharField(
        _("acceptance threshold"),
        max_length=10,
        choices=RiskLevel.choices,
        default=RiskLevel.MEDIUM,
        help_text=_(
            "The highest residual level a risk owner may accept; above it only the AI officer "
            "accepts."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("activated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    activated_on = models.DateField(_("activated on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("risk criteria")
        verbose_name_plural = _("risk criteria")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="one_active_risk_criteria"
            )
        ]

    def __str__(self):
        return f"v{self.number} {self.name}"

    def save(self, *args, **kwargs):
        if self.number is None:
            self.number = (RiskCriteria.objects.aggregate(n=models.Max("number"))["n"] or 0) + 1
        super().save(*args, **kwargs)

    @classmethod
    def active(cls):
        return cls.objects.filter(status=cls.Status.ACTIVE).first()

    @property
    def lock_reason(self):
        if self.status == self.Status.DRAFT:
            return ""
        return _("Only a draft can be changed or deleted. Start a new version of the criteria.")

    def check_scales(self):
        """The form checks each field; this guards what is activated, however it was stored."""
        sizes_ok = all(
            MIN_LEVELS <= len(scale) <= MAX_LEVELS
            for scale in (self.likelihood_scale, self.impact_scale)
        )
        matrix_ok = len(self.matrix) == len(self.likelihood_scale) and all(
            len(row) == len(self.impact_scale) and not set(row) - set(RiskLevel.values)
            for row in self.matrix
        )
        if not (sizes_ok and matrix_ok):
            raise ValidationError(
                _("Scales need %(min)d to %(max)d levels and every matrix cell a level.")
                % {"min": MIN_LEVELS, "max": MAX_LEVELS}
            )

    @property
    def likelihood_levels(self):
        return len(self.likelihood_scale)

    @property
    def impact_levels(self):
        return len(self.impact_scale)

    def level(self, likelihood, impact):
        """The matrix level of a cell, or "" when the assessment is incomplete."""
        if not (0 < (likelihood or 0) <= self.likelihood_levels) or not (
            0 < (impact or 0) <= self.impact_levels
        ):
            return ""
        return self.matrix[likelihood - 1][impact - 1]

    def likelihood_label(self, value):
        return scale_label(self.likelihood_scale, value)

    def impact_label(self, value):
        return scale_label(self.impact_scale, value)

    def above_threshold(self, level):
        return RiskLevel.rank(level) > RiskLevel.rank(self.acceptance_threshold)


def scale_label(scale, value):
    if not value or value > len(scale):
        return ""
    return f"{value} – {scale[value - 1]['label']}"


class RiskQuerySet(RestrictedQuerySet):
    def review_overdue(self):
        return self.filter(next_review__lt=timezone.localdate()).exclude(status=Risk.Status.CLOSED)

    def awaiting_plan_approval(self):
        """Risks with a treatment plan (actions not cancelled) that is not approved."""
        planned = TreatmentAction.objects.in_plan().values("risk")
        return self.filter(pk__in=planned, plan_approved_on__isnull=True)


class Risk(ReviewCadence, ReferencedModel):
    """An AI (or information-security) risk with its inherent and residual assessment."""

    reference_prefix = "R"
    reference_digits = 4
    owner_field = "owner"
    # The control links are the one link between risks and the SoA: keep who changed them.
    _history_m2m_fields = ["controls"]

    @staticmethod
    def default_owner(user):
        """Who owns a new risk unless someone else is chosen: whoever records it, in the form
        and from the risk library alike."""
        return user

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        ASSESSED = "assessed", _("Assessed")
        IN_TREATMENT = "in_treatment", _("In treatment")
        ACCEPTED = "accepted", _("Residual risk accepted")
        REVIEW = "review", _("Under review")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    description = models.TextField(_("description"), max_length=LONG_TEXT, blank=True)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    risk_source = models.CharField(
        _("risk source"),
        max_length=30,
        choices=RiskSource.choices,
        blank=True,
        help_text=_("Where the risk comes from (Annex C.3)."),
    )
    objectives = MultipleChoiceField(
        _("affected objectives"),
        options=OBJECTIVES,
        max_length=300,
        help_text=_("The organizational objectives the risk threatens (Annex C.2)."),
    )
    ai_systems = models.ManyToManyField(
        "inventory.AISystem", verbose_name=_("AI systems"), related_name="risks", blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("risk owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_risks",
    )
    # A risk owner named in an imported register who has no account yet.
    owner_name = models.CharField(
        _("risk owner (no portal user)"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("The owner as an imported register names them, until linked to a user."),
    )
    owner_email = models.EmailField(_("risk owner's e-mail"), blank=True)
    criteria = models.ForeignKey(
        RiskCriteria,
        verbose_name=_("risk criteria"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="risks",
    )
    inherent_likelihood = models.PositiveSmallIntegerField(
        _("inherent likelihood"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    inherent_impact = models.PositiveSmallIntegerField(
        _("inherent impact"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    inherent_level = models.CharField(
        _("inherent level"), max_length=10, choices=RiskLevel.choices, blank=True, editable=False
    )
    # The register's own rating as the imported file wrote it, kept beside the portal's levels.
    imported_likelihood = models.CharField(
        _("likelihood in the imported register"), max_length=50, blank=True, editable=False
    )
    imported_impact = models.CharField(
        _("impact in the imported register"), max_length=50, blank=True, editable=False
    )
    imported_score = models.CharField(
        _("risk score in the imported register"), max_length=50, blank=True, editable=False
    )
    imported_level = models.CharField(
        _("risk level in the imported register"), max_length=50, blank=True, editable=False
    )
    existing_controls = models.TextField(
        _("existing controls"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("Controls in place when the risk was identified, as the register says."),
    )
    treatment_option = models.CharField(
        _("treatment option"), max_length=10, choices=TreatmentOption.choices, blank=True
    )
    controls = models.ManyToManyField(
        "controls.Control",
        verbose_name=_("linked controls"),
        blank=True,
        related_name="risks",
        limit_choices_to={"framework__in": ["iso42001", "iso27001", "own"]},
        help_text=_(
            "Controls that treat the risk. The risk then shows as a driver of their entries in "
            "the Statement of Applicability; linking there edits this same link."
        ),
    )
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    residual_impact = models.PositiveSmallIntegerField(
        _("residual impact"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    residual_level = models.CharField(
        _("residual level"), max_length=10, choices=RiskLevel.choices, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.IDENTIFIED
    )
    review_cadence_months = models.PositiveSmallIntegerField(
        _("review every (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    next_review = models.DateField(_("next review"), null=True, blank=True)
    library_code = models.CharField(
        _("from library entry"), max_length=60, blank=True, editable=False
    )
    plan_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("treatment plan approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    plan_approved_on = models.DateField(
        _("treatment plan approved on"), null=True, blank=True, editable=False
    )

    source_import = models.ForeignKey(
        "RiskImport",
        verbose_name=_("imported from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="risks",
    )

    objects = RiskQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        indexes = [
            # The heat maps count every risk of the criteria per cell of both stages: from this
            # index alone, in its order, rather than from every row of the table.
            models.Index(
                fields=[
                    "criteria",
                    "inherent_likelihood",
                    "inherent_impact",
                    "residual_likelihood",
                    "residual_impact",
                ],
                name="risk_heat_map",
            ),
            # The dashboard counts risks by state and overdue review: from the index.
            models.Index(fields=["status", "next_review"], name="risk_status_review"),
        ]

    def save(self, *args, **kwargs):
        self.assess()
        if self.pk and self.status == self.Status.ACCEPTED:
            acceptance = self.current_acceptance
            if acceptance and not self.residual_matches(acceptance):
                # The acceptance covered other residual scores: they need accepting anew.
                self.status = self.Status.REVIEW
        super().save(*args, **kwargs)

    def assess(self):
        """Levels from the criteria the risk is scored under."""
        if self.criteria_id is None and (self.inherent_likelihood or self.residual_likelihood):
            self.criteria = RiskCriteria.active()
        criteria = self.criteria
        self.inherent_level = (
            criteria.level(self.inherent_likelihood, self.inherent_impact) if criteria else ""
        )
        self.residual_level = (
            criteria.level(self.residual_likelihood, self.residual_impact) if criteria else ""
        )

    @property
    def imported_level_code(self):
        """The level the imported register wrote ("High", "sehr hoch"), as a `RiskLevel`."""
        from risks.imports import level_of

        return level_of(self.imported_level)

    @property
    def imported_level_differs(self):
        """Whether the imported register rated the risk otherwise than the portal's criteria."""
        code = self.imported_level_code
        return bool(code and self.inherent_level and code != self.inherent_level)

    @property
    def needs_ai_officer(self):
        """Whether accepting the residual risk is the AI officer's decision."""
        return bool(self.criteria and self.criteria.above_threshold(self.residual_level))

    @property
    def soa_treatments(self):
        """The controls treating the risk, each with its organization-wide SoA entry (None for
        a catalogue outside the SoA): the same link the SoA shows as the entry's driver."""
        entries = SoAEntry.objects.filter(ai_system=None)
        controls = self.controls.prefetch_related(
            Prefetch("soa_entries", queryset=entries, to_attr="organization_entries")
        )
        return [
            (control, control.organization_entries[0] if control.organization_entries else None)
            for control in controls
        ]

    @property
    def review_overdue(self):
        return bool(
            self.next_review
            and self.next_review < timezone.localdate()
            and self.status != self.Status.CLOSED
        )

    @property
    def current_acceptance(self):
        return self.acceptances.order_by("-accepted_on", "-pk").first()

    @property
    def delete_refusal(self):
        # Decisions on the risk are records an auditor relies on: they outlive no risk.
        if self.plan_approved_on:
            return _(
                "The approval of this risk's treatment plan is on record; close the risk "
                "instead of deleting it."
            )
        return super().delete_refusal

    def withdraw_plan_approval(self):
        """A changed plan is no longer the plan management approved."""
        if self.plan_approved_on:
            self.plan_approved_by = self.plan_approved_on = None
            self._change_reason = f"{WORKFLOW}: treatment plan changed"
            self.save()

    def residual_matches(self, acceptance):
        return (
            acceptance.criteria_id,
            acceptance.residual_likelihood,
            acceptance.residual_impact,
        ) == (
            self.criteria_id,
            self.residual_likelihood,
            self.residual_impact,
        )


RiskUserObjectPermission, RiskGroupObjectPermission = object_permission_models(Risk)


class TreatmentActionQuerySet(RestrictedQuerySet):
    def in_plan(self):
        return self.exclude(status=TreatmentAction.Status.CANCELLED)

    def open(self):
        return self.filter(status__in=TreatmentAction.OPEN)

    def overdue(self):
        return self.open().filter(due_date__lt=timezone.localdate())


class TreatmentAction(TrackedModel):
    """One action of a risk's treatment plan (6.1.3)."""

    scope_parent = "risk"
    # Changing these changes the plan, which then needs approval again; progress does not.
    plan_fields = ("title", "description", "owner_id", "due_date")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="treatment_actions"
    )
    title = models.CharField(_("action"), max_length=SHORT_TEXT)
    description = models.TextField(_("description"), max_length=LONG_TEXT, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("action owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PLANNED
    )

    objects = TreatmentActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("treatment action")
        verbose_name_plural = _("treatment actions")
        ordering = ["due_date", "pk"]
        # The list's first page in this order read from the index, not sorted from every row.
        indexes = [models.Index(fields=["due_date", "id"], name="treatment_action_order")]

    def __str__(self):
        return f"{self.risk.reference}: {self.title}"

    def save(self, *args, **kwargs):
        changes_plan = self._state.adding or self.plan_changed()
        super().save(*args, **kwargs)
        if changes_plan:
            Risk.objects.get(pk=self.risk_id).withdraw_plan_approval()

    def delete(self, *args, **kwargs):
        risk_id = self.risk_id
        result = super().delete(*args, **kwargs)
        Risk.objects.get(pk=risk_id).withdraw_plan_approval()
        return result

    def plan_changed(self):
        stored = TreatmentAction.objects.filter(pk=self.pk).values(*self.plan_fields).first()
        return stored != {name: getattr(self, name) for name in self.plan_fields}


class RiskAcceptance(TrackedModel):
    """The formal acceptance of a risk's residual level, valid until it expires (6.1.3)."""

    # A decision's record outlives nothing it decided on: the risk cannot be deleted under it.
    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.PROTECT, related_name="acceptances"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_on = models.DateField(_("accepted on"))
    justification = models.TextField(_("justification"), max_length=LONG_TEXT)
    expires_on = models.DateField(_("valid until"))
    criteria = models.ForeignKey(
        RiskCriteria, verbose_name=_("risk criteria"), on_delete=models.PROTECT, related_name="+"
    )
    residual_likelihood = models.PositiveSmallIntegerField(_("residual likelihood"))
    residual_impact = models.PositiveSmallIntegerField(_("residual impact"))
    residual_level = models.CharField(_("residual level"), max_length=10, choices=RiskLevel.choices)
    by_ai_officer = models.BooleanField(
        _("above the threshold"),
        default=False,
        help_text=_("The residual level was above the acceptance threshold."),
    )

    class Meta:
        verbose_name = _("risk acceptance")
        verbose_name_plural = _("risk acceptances")
        ordering = ["-accepted_on", "-pk"]
        indexes = [models.Index(fields=["-accepted_on", "-id"], name="risk_acceptance_order")]

    def __str__(self):
        return _("%(risk)s accepted on %(date)s") % {
            "risk": self.risk.reference,
            "date": self.accepted_on,
        }

    @property
    def expired(self):
        return self.expires_on < timezone.localdate()

    @property
    def lock_reason(self):
        return _("Acceptances are records and are not changed.")


class LibraryRisk(TrackedModel):
    """A typical AI risk from the built-in library, the starting point for a register entry."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    title_de = models.CharField(_("title (German)"), max_length=SHORT_TEXT)
    description = models.TextField(_("description"), max_length=LONG_TEXT)
    description_de = models.TextField(_("description (German)"), max_length=LONG_TEXT)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    risk_source = models.CharField(_("risk source"), max_length=30, choices=RiskSource.choices)
    objectives = MultipleChoiceField(_("affected objectives"), options=OBJECTIVES, max_length=300)
    controls = MultipleChoiceField(_("typical controls"), options=annex_a_choices(), max_length=600)
    likelihood = models.PositiveSmallIntegerField(
        _("typical likelihood (of 5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("typical impact (of 5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("library risk")
        verbose_name_plural = _("risk library")
        ordering = ["category", "title"]

    def __str__(self):
        return self.localized_title

    @property
    def localized_title(self):
        return self.title_de if translation.get_language() == "de" else self.title

    @property
    def localized_description(self):
        return self.description_de if translation.get_language() == "de" else self.description

    @property
    def typical_controls(self):
        """The typical controls as entries of the Annex A catalogue."""
        return Control.objects.filter(framework=Framework.ISO42001, code__in=self.controls)

    @property
    def lock_reason(self):
        return _("Library entries are built in.")


class RiskImport(ImportRecord):
    """One spreadsheet import into the risk register (an ISMS register kept in Excel, say)."""

    # Shapes of real registers and repeated uploads (aims/core/imports/shapes.py, matching.py).
    transposed = models.BooleanField(_("records are in columns"), default=False)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, blank=True)
    duplicate_actions = models.JSONField(_("duplicate handling"), default=dict)

    class Meta(ImportRecord.Meta):
        verbose_name = _("risk import")
        verbose_name_plural = _("risk imports")
