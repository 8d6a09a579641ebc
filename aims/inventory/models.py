"""The AI system inventory: systems, their model versions, datasets (A.7), third parties
(A.10), EU AI Act classifications and the obligations that follow, and spreadsheet imports."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aims.core.fields import MultipleChoiceField
from aims.core.models import (
    ImportRecord,
    ReferencedModel,
    TrackedModel,
    object_permission_models,
)
from aims.core.reviews import ReviewCadence
from aims.inventory import classification

SHORT_TEXT = 200
LONG_TEXT = 10_000


class LifecycleStage(models.TextChoices):
    IDEA = "idea", _("Idea")
    DESIGN = "design", _("Design and development")
    VERIFICATION = "verification", _("Verification and validation")
    DEPLOYMENT = "deployment", _("Deployment")
    OPERATION = "operation", _("Operation and monitoring")
    RETIRED = "retired", pgettext_lazy("life-cycle stage", "Retired")


class AutomationLevel(models.TextChoices):
    ASSISTIVE = "assistive", _("Decision support: a person decides")
    HUMAN_IN_LOOP = "human_in_loop", _("Human in the loop: a person confirms each output")
    HUMAN_ON_LOOP = "human_on_loop", _("Human on the loop: a person monitors and can intervene")
    AUTONOMOUS = "autonomous", _("Fully automated")


class AISystem(ReviewCadence, ReferencedModel):
    """An AI system the organization builds, buys or uses."""

    reference_prefix = "AIS"
    owner_field = "owner"
    # Changing any of these may change the EU AI Act classification.
    classification_inputs = ("purpose", "ai_act_roles", "area_of_use")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_USE = "in_use", _("In use")
        SUSPENDED = "suspended", _("Suspended")
        DECOMMISSIONED = "decommissioned", _("Decommissioned")

    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    purpose = models.TextField(_("purpose and intended use"), max_length=LONG_TEXT)
    foreseeable_misuse = models.TextField(
        _("reasonably foreseeable misuse"), max_length=LONG_TEXT, blank=True
    )
    area_of_use = models.CharField(
        _("area of use"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("The business process it serves, e.g. recruiting or claims handling."),
    )
    business_unit = models.CharField(_("business unit"), max_length=SHORT_TEXT, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("system owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Maintains this system's records; may edit it."),
    )
    # An owner named in an imported register who has no account yet (see link_named_owners).
    owner_name = models.CharField(
        _("owner (no portal user)"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("The owner as an imported register names them, until linked to a user."),
    )
    owner_email = models.EmailField(_("owner's e-mail"), blank=True)
    lifecycle_stage = models.CharField(
        _("life-cycle stage"), max_length=20, choices=LifecycleStage.choices
    )
    ai_act_roles = MultipleChoiceField(
        _("our EU AI Act role"),
        options=classification.ROLES,
        help_text=_("What the organization is for this system under the EU AI Act."),
    )
    deployment_environment = models.CharField(
        _("deployment environment"), max_length=SHORT_TEXT, blank=True
    )
    geography = models.CharField(_("geography"), max_length=SHORT_TEXT, blank=True)
    automation_level = models.CharField(
        _("level of automation"), max_length=20, choices=AutomationLevel.choices, blank=True
    )
    human_oversight = models.TextField(
        _("human oversight mechanism"), max_length=LONG_TEXT, blank=True
    )
    affected_persons = models.TextField(_("affected persons"), max_length=LONG_TEXT, blank=True)
    vulnerable_groups = models.TextField(_("vulnerable groups"), max_length=LONG_TEXT, blank=True)
    # Empty (None) means not known yet: a register that leaves the cell blank has not said "no".
    personal_data = models.BooleanField(
        _("processes personal data"), null=True, blank=True, default=None
    )
    special_category_data = models.BooleanField(
        _("processes special-category data"), null=True, blank=True, default=None
    )
    in_scope = models.BooleanField(_("in AIMS scope"), default=True)
    review_cadence_months = models.PositiveSmallIntegerField(
        _("review every (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    next_review = models.DateField(_("next review"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.IN_USE
    )
    reclassification_needed = models.BooleanField(
        _("re-classification needed"), default=False, editable=False
    )
    source_import = models.ForeignKey(
        "SystemImport",
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="systems",
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("AI system")
        verbose_name_plural = _("AI systems")

    def save(self, *args, **kwargs):
        if self.pk and not self.reclassification_needed and self.classifications.exists():
            stored = (
                type(self)
                ._default_manager.filter(pk=self.pk)
                .values(*self.classification_inputs)[0]
            )
            field = self._meta.get_field
            if any(
                comparable(field(name).to_python(stored[name])) != comparable(getattr(self, name))
                for name in self.classification_inputs
            ):
                self.reclassification_needed = True
        super().save(*args, **kwargs)

    @property
    def review_overdue(self):
        return bool(self.next_review and self.next_review < timezone.localdate())

    @property
    def current_classification(self):
        return self.classifications.order_by("-number").first()

    @property
    def fria_required(self):
        """EU AI Act Art. 27 applies, as the current classification has it (see
        `Classification.fria_required`); unclassified systems need no FRIA."""
        latest = self.current_classification
        return bool(latest and latest.fria_required)


AISystemUserObjectPermission, AISystemGroupObjectPermission = object_permission_models(AISystem)


def comparable(value):
    """Values as they matter for re-classification: choices as a set, text without the
    difference between the line ends of a browser (CRLF) and of a file (LF)."""
    if isinstance(value, list):
        return frozenset(value)
    return (value or "").replace("\r\n", "\n").strip()


class ModelVersion(TrackedModel):
    """A released version of a system's model: what ModelOps rolls out or back to."""

    scope_parent = "system"

    system = models.ForeignKey(
        AISystem, verbose_name=_("AI system"), on_delete=models.CASCADE, related_name="versions"
    )
    # Named apart from TrackedModel.version, the edit counter.
    version_label = models.CharField(_("version"), max_length=50)
    release_date = models.DateField(_("release date"), null=True, blank=True)
    training_data_snapshot = models.CharField(
        _("training-data snapshot"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("Identifier or date of the data the model was trained on."),
    )
    key_metrics = models.TextField(_("key metrics"), max_length=LONG_TEXT, blank=True)
    run_url = models.URLField(
        _("training run"),
        max_length=500,
        blank=True,
        help_text=_("Link to the run in the ML platform that produced this version."),
    )
    release_approved_by = models.CharField(
        _("release approved by"), max_length=SHORT_TEXT, blank=True
    )
    release_approved_on = models.DateField(_("release approved on"), null=True, blank=True)
    change_summary = models.TextField(_("change summary"), max_length=LONG_TEXT, blank=True)

    class Meta:
        verbose_name = _("model version")
        verbose_name_plural = _("model versions")
        ordering = ["system", "-release_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["system", "version_label"],
                name="one_version_label_per_system",
                violation_error_message=_("This system already has a version with this label."),
            )
        ]

    def __str__(self):
        return f"{self.system.reference} {self.version_label}"


class Dataset(ReferencedModel):
    """Data used to develop, test or run AI systems (A.7)."""

    reference_prefix = "DS"
    _history_m2m_fields = ["systems"]

    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    source = models.CharField(_("source"), max_length=SHORT_TEXT)
    acquisition = models.TextField(_("acquisition"), max_length=LONG_TEXT, blank=True)
    provenance = models.TextField(_("provenance"), max_length=LONG_TEXT, blank=True)
    licence = models.CharField(_("licence"), max_length=SHORT_TEXT, blank=True)
    personal_data = models.BooleanField(_("contains personal data"), default=False)
    quality_checks = models.TextField(_("quality checks"), max_length=LONG_TEXT, blank=True)
    quality_results = models.TextField(
        _("results of the quality checks"), max_length=LONG_TEXT, blank=True
    )
    preparation = models.TextField(_("preparation steps"), max_length=LONG_TEXT, blank=True)
    systems = models.ManyToManyField(
        AISystem, verbose_name=_("AI systems"), blank=True, related_name="datasets"
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")


class ThirdParty(ReferencedModel):
    """A supplier or customer and what it is responsible for (A.10)."""

    reference_prefix = "TP"
    _history_m2m_fields = ["systems"]

    class Relationship(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier")
        CUSTOMER = "customer", _("Customer")
        BOTH = "both", _("Supplier and customer")

    class DueDiligence(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        ISSUES = "issues", _("Completed with findings")

    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    relationship = models.CharField(_("relationship"), max_length=10, choices=Relationship.choices)
    delivers = models.TextField(
        _("what they deliver or receive"),
        max_length=LONG_TEXT,
        help_text=_("For example a hosted large language model."),
    )
    responsibilities = models.TextField(
        _("responsibilities allocated"), max_length=LONG_TEXT, blank=True
    )
    due_diligence = models.CharField(
        _("due diligence"),
        max_length=12,
        choices=DueDiligence.choices,
        default=DueDiligence.NOT_STARTED,
    )
    review_date = models.DateField(_("next review"), null=True, blank=True)
    systems = models.ManyToManyField(
        AISystem, verbose_name=_("AI systems"), blank=True, related_name="third_parties"
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("third party")
        verbose_name_plural = _("third parties")


class AIActObligation(TrackedModel):
    """An obligation under the EU AI Act. Application dates are data: the law changes them."""

    class DateSource(models.TextChoices):
        ART_113 = "art_113", _("Art. 113 of the AI Act as adopted")
        DIGITAL_OMNIBUS = "digital_omnibus", _("Digital Omnibus amending the AI Act (2026)")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    article = models.CharField(_("article"), max_length=40)
    title = models.CharField(_("obligation"), max_length=SHORT_TEXT)
    title_de = models.CharField(_("obligation (German)"), max_length=SHORT_TEXT, blank=True)
    condition = models.CharField(_("applies to"), max_length=40, choices=classification.CONDITIONS)
    roles = MultipleChoiceField(
        _("for the roles"),
        options=classification.ROLES,
        help_text=_("None ticked: every role."),
    )
    application_date = models.DateField(_("applies from"))
    date_source = models.CharField(
        _("legal source of the date"),
        max_length=20,
        choices=DateSource.choices,
        default=DateSource.ART_113,
        help_text=_("The act that sets the date: the Regulation as adopted or the amending act."),
    )
    note = models.TextField(_("note"), max_length=LONG_TEXT, blank=True)

    class Meta:
        verbose_name = _("EU AI Act obligation")
        verbose_name_plural = _("EU AI Act obligations")
        ordering = ["application_date", "article", "code"]

    def __str__(self):
        return f"{self.article} {self.localized_title}"

    @property
    def localized_title(self):
        if translation.get_language() == "de" and self.title_de:
            return self.title_de
        return self.title


class Classification(TrackedModel):
    """A dated EU AI Act classification of a system: the answers, the result and the trail.

    Records are never changed; classifying again adds the next number.
    """

    system = models.ForeignKey(
        AISystem,
        verbose_name=_("AI system"),
        # Classifications are records: a classified system is decommissioned, not deleted.
        on_delete=models.PROTECT,
        related_name="classifications",
    )
    number = models.PositiveIntegerField(_("number"))
    classified_on = models.DateField(_("classified on"))
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("classified by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    roles = MultipleChoiceField(_("our roles at the time"), options=classification.ROLES)
    answers = models.JSONField(_("answers"))
    tier = models.CharField(_("risk tier"), max_length=20, choices=classification.TIERS)
    flags = MultipleChoiceField(_("flags"), options=classification.FLAGS)
    route = models.CharField(_("route"), max_length=20, choices=classification.ROUTES, blank=True)
    annex_iii_area = models.CharField(
        _("Annex III area"), max_length=40, choices=classification.ANNEX_III_AREAS, blank=True
    )
    summary = models.CharField(_("result"), max_length=SHORT_TEXT)
    trail = models.JSONField(_("reasoning"))

    class Meta:
        verbose_name = _("EU AI Act classification")
        verbose_name_plural = _("EU AI Act classifications")
        ordering = ["system", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["system", "number"], name="classification_number")
        ]

    def __str__(self):
        return f"{self.system.reference} #{self.number}: {self.summary}"

    @property
    def lock_reason(self):
        return _("A classification is a record and is never changed. Classify the system again.")

    def result(self):
        return classification.classify(classification.Answers.from_dict(self.answers))

    @property
    def fria_required(self):
        """EU AI Act Art. 27: the classifier's own "fria" condition (public bodies and private
        providers of public services, creditworthiness, life and health insurance) for an
        organization that deploys the system."""
        if "deployer" not in self.roles:
            return False
        try:
            return self.result().fria_required
        except ValueError:
            # Answers the rules no longer know: rather ask for the assessment than miss it.
            return self.tier == "high_risk"


class SystemImport(ImportRecord):
    """One spreadsheet import into the AI-system inventory."""

    # Shapes of real registers and repeated uploads (aims/core/imports/shapes.py, matching.py).
    transposed = models.BooleanField(_("records are in columns"), default=False)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, blank=True)
    duplicate_actions = models.JSONField(_("duplicate handling"), default=dict)

    class Meta(ImportRecord.Meta):
        verbose_name = _("AI system import")
        verbose_name_plural = _("AI system imports")
