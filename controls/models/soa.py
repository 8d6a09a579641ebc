"""The Statement of Applicability (6.1.3): one entry per control of the AIMS catalogues, with
per-system overrides, and the versions issued from it."""

from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from aims.core.digests import canonical_sha256
from aims.core.models import TrackedModel
from aims.core.permissions import RestrictedQuerySet
from controls.models.catalogue import LONG_TEXT, Control, Framework


class ImplementationStatus(models.TextChoices):
    IMPLEMENTED = "implemented", _("Implemented")
    PARTIAL = "partial", _("Partially implemented")
    PLANNED = "planned", _("Planned")
    NOT_STARTED = "not_started", _("Not started")


class SoAFramework(models.TextChoices):
    """The Statements of Applicability the portal keeps: the AIMS one (ISO/IEC 42001 Annex A and
    the organization's own controls) and, once started, the ISMS one (ISO/IEC 27001:2022)."""

    ISO42001 = "iso42001", _("ISO/IEC 42001")
    ISO27001 = "iso27001", _("ISO/IEC 27001:2022")

    @property
    def catalogues(self):
        """The control catalogues whose controls this SoA lists."""
        if self == SoAFramework.ISO27001:
            return [Framework.ISO27001]
        return [Framework.ISO42001, Framework.OWN]

    @property
    def clause(self):
        """Where the standard asks for the statement (shown on the printed document)."""
        return "6.1.3 d)" if self == SoAFramework.ISO27001 else "6.1.3"

    @classmethod
    def of_catalogue(cls, catalogue):
        """The SoA a control of the catalogue belongs to (None for the AI Act)."""
        return next((soa for soa in cls if catalogue in soa.catalogues), None)


# The links of an entry that justify including its control. Risks are drivers too, but their
# link lives on the risk (`Risk.controls`): an entry's driver risks are derived from it.
DRIVERS = ("impact_assessments", "requirements", "legal_requirements")
# What to prefetch to list an entry's drivers without a query per entry.
DRIVER_PREFETCH = (*DRIVERS, "control__risks__ai_systems")


def driver_risk_queries():
    """The driver risks of an outer entry (see `SoAEntry.driver_risks`): of an
    organization-wide entry, and of an override."""
    risks = apps.get_model("risks", "Risk").objects.filter(controls=OuterRef("control_id"))
    return risks, risks.filter(ai_systems=OuterRef("ai_system_id"))


def driver_risk_links():
    """`driver_risk_queries` as rows of the link tables, one per risk, counted without joining
    the risks (a control linked to thousands of risks cost a sort of them all per entry). An
    override's are read from its AI system's links, fewer than its control's."""
    risk = apps.get_model("risks", "Risk")
    controls = risk.controls.through.objects
    of_control = controls.filter(control=OuterRef("control_id"))
    about_system = risk.ai_systems.through.objects.filter(
        Exists(controls.filter(risk=OuterRef("risk_id"), control=OuterRef(OuterRef("control_id")))),
        aisystem=OuterRef("ai_system_id"),
    )
    return of_control, about_system


def count_of(queryset):
    """The number of distinct rows of a subquery on the outer row, 0 when none."""
    counted = queryset.order_by().values(one=Value(1)).annotate(n=Count("pk", distinct=True))
    return Coalesce(Subquery(counted.values("n")), 0)


def links_of(queryset):
    """The number of rows of a subquery on a link table, 0 when none: a link table holds one
    row per pair, so no row needs telling apart (COUNT(*) reads the index alone)."""
    counted = queryset.order_by().values(one=Value(1)).annotate(n=Count("*"))
    return Coalesce(Subquery(counted.values("n")), 0)


@cache
def driver_total():
    """The expression of an entry's `driver_count`, built once: annotating resolves a copy of
    it, and building it anew took longer than the query it adds to."""
    of_control, about_system = driver_risk_links()
    linked = [
        links_of(getattr(SoAEntry, name).through.objects.filter(soaentry=OuterRef("pk")))
        for name in DRIVERS
    ]
    risk_count = Case(
        When(ai_system__isnull=True, then=links_of(of_control)),
        default=links_of(about_system),
        output_field=IntegerField(),
    )
    return sum(linked, risk_count)


class SoAEntryQuerySet(RestrictedQuerySet):
    def with_driver_count(self):
        """Annotate `driver_total`, the `driver_count` of each entry, in one query for all
        entries instead of loading every risk linked to their controls."""
        return self.annotate(driver_total=driver_total())

    def without_driver(self):
        """Included entries that link no risk, assessment or requirement to justify them."""
        risks, about_system = driver_risk_queries()
        return self.filter(applicable=True, **{f"{name}__isnull": True for name in DRIVERS}).filter(
            (Q(ai_system__isnull=True) & ~Exists(risks))
            | (Q(ai_system__isnull=False) & ~Exists(about_system))
        )

    def unjustified(self):
        """Included entries whose justification for inclusion is empty (6.1.3 requires one)."""
        # "Nothing but whitespace" as "no character other than whitespace": a search for the
        # first such character stops there, where matching the whole text read all of it.
        return self.filter(applicable=True).exclude(inclusion_justification__regex=r"\S")

    def organization_wide(self):
        return self.filter(ai_system__isnull=True)

    def for_framework(self, framework):
        """The entries of one Statement of Applicability (an `SoAFramework`)."""
        return self.filter(control__framework__in=SoAFramework(framework).catalogues)


class SoAEntry(TrackedModel):
    """How one control applies: to the whole organization, or (an override) to one AI system."""

    _history_m2m_fields = list(DRIVERS)

    control = models.ForeignKey(
        Control,
        verbose_name=_("control"),
        on_delete=models.CASCADE,
        related_name="soa_entries",
        # The ISO 27001 controls get their entries when the organization starts that SoA.
        limit_choices_to={"framework__in": [*Framework.in_soa(), Framework.ISO27001]},
    )
    ai_system = models.ForeignKey(
        "inventory.AISystem",
        verbose_name=_("scope"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="soa_entries",
        help_text=_(
            "Leave empty for the whole organization; choose an AI system to record how the "
            "control applies to that system alone."
        ),
    )
    applicable = models.BooleanField(_("applicable"), default=True)
    inclusion_justification = models.TextField(
        _("justification for inclusion"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_(
            "Why the control is needed; link the risks, impact assessments and requirements "
            "behind it."
        ),
    )
    exclusion_justification = models.TextField(
        _("justification for exclusion"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("Required when the control is not applicable."),
    )
    impact_assessments = models.ManyToManyField(
        "impact.ImpactAssessment",
        verbose_name=_("impact assessments"),
        blank=True,
        related_name="soa_entries",
    )
    requirements = models.ManyToManyField(
        "context.PartyRequirement",
        verbose_name=_("requirements of interested parties"),
        blank=True,
        related_name="soa_entries",
    )
    legal_requirements = models.ManyToManyField(
        Control,
        verbose_name=_("legal requirements"),
        blank=True,
        related_name="soa_entries_as_legal_requirement",
        limit_choices_to={"framework": Framework.EU_AI_ACT},
        help_text=_("EU AI Act obligations the control helps to meet."),
    )
    status = models.CharField(
        _("implementation status"),
        max_length=12,
        choices=ImplementationStatus.choices,
        default=ImplementationStatus.NOT_STARTED,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_review = models.DateField(_("last review"), null=True, blank=True)
    next_review = models.DateField(_("next review"), null=True, blank=True)
    source_import = models.ForeignKey(
        "controls.SoAImport",
        verbose_name=_("last imported from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="entries",
    )

    objects = SoAEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("SoA entry")
        verbose_name_plural = _("Statement of Applicability")
        ordering = ["control__framework", "control__position", "control__code", "ai_system"]
        constraints = [
            models.UniqueConstraint(
                fields=["control"],
                condition=Q(ai_system__isnull=True),
                name="soa_one_organization_wide_entry_per_control",
                violation_error_message=_(
                    "The control has its organization-wide entry already; edit that one."
                ),
            ),
            models.UniqueConstraint(
                fields=["control", "ai_system"],
                name="soa_one_override_per_control_and_system",
                violation_error_message=_(
                    "The control has an entry for this AI system already; edit that one."
                ),
            ),
            models.CheckConstraint(
                condition=Q(applicable=True) | ~Q(exclusion_justification=""),
                name="soa_exclusion_needs_justification",
                violation_error_message=_("An exclusion needs a justification."),
            ),
        ]

    def __str__(self):
        scope = self.ai_system.reference if self.ai_system_id else _("organization-wide")
        return f"{self.control.code} ({scope})"

    def clean(self):
        errors = {}
        if not self.applicable and not self.exclusion_justification.strip():
            errors["exclusion_justification"] = _(
                "Say why the control is excluded: an exclusion needs a justification."
            )
        if self.last_review and self.next_review and self.next_review < self.last_review:
            errors["next_review"] = _("The next review cannot come before the last one.")
        if self.ai_system_id and self.control_id and not self.pk:
            soa = SoAFramework.of_catalogue(self.control.framework)
            if soa and not SoAEntry.objects.organization_wide().for_framework(soa).exists():
                errors["control"] = _(
                    "The %(framework)s Statement of Applicability has not been started; start "
                    "it before recording how one of its controls applies to an AI system."
                ) % {"framework": soa.label}
        if errors:
            raise ValidationError(errors)

    @property
    def driver_risks(self):
        """The risks behind the entry: those linked to its control (`Risk.controls`, the one
        link) and, for an override, about its AI system. Reads `DRIVER_PREFETCH` if loaded."""
        risks = self.control.risks.all()
        if self.ai_system_id:
            risks = [r for r in risks if any(s.pk == self.ai_system_id for s in r.ai_systems.all())]
        return sorted(risks, key=lambda risk: risk.reference)

    def driver_risk_queryset(self):
        """`driver_risks` as a query, for whoever needs them filtered rather than listed."""
        risks = apps.get_model("risks", "Risk").objects.filter(controls=self.control_id)
        return risks.filter(ai_systems=self.ai_system_id) if self.ai_system_id else risks

    @property
    def driver_count(self):
        """Read from `with_driver_count` if annotated."""
        if hasattr(self, "driver_total"):
            return self.driver_total
        return len(self.driver_risks) + sum(len(getattr(self, name).all()) for name in DRIVERS)

    @property
    def missing_driver(self):
        """Included, yet linked to nothing that justifies it (see `without_driver`)."""
        return self.applicable and not self.driver_count

    @property
    def all_evidence(self):
        """Evidence attached to the entry and, for the organization-wide entry, to its control."""
        items = {item.pk: item for item in self.evidence.all()}
        if not self.ai_system_id:
            items.update((item.pk, item) for item in self.control.evidence.all())
        return sorted(items.values(), key=lambda item: item.reference)

    @property
    def scope_label(self):
        return str(self.ai_system) if self.ai_system_id else _("Organization-wide")

    @property
    def delete_refusal(self):
        if self.ai_system_id is None:
            return _(
                "The organization-wide entry of a control stays in the Statement of "
                "Applicability; mark the control not applicable instead."
            )
        return ""


class SoAVersion(TrackedModel):
    """The whole Statement of Applicability frozen as version n: issued by one person, approved
    or rejected by another (four-eyes), identified by the SHA-256 of its content."""

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    framework = models.CharField(
        _("Statement of Applicability"),
        max_length=12,
        choices=SoAFramework.choices,
        default=SoAFramework.ISO42001,
        editable=False,
    )
    # Numbered per framework: the ISO 27001 SoA has its own version 1.
    number = models.PositiveIntegerField(_("version"), editable=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.AWAITING_APPROVAL,
        editable=False,
    )
    note = models.TextField(_("summary of changes"), max_length=LONG_TEXT, blank=True)
    content = models.JSONField(_("content"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    # Who last changed each entry when the version was issued: none of them may approve it.
    editor_ids = models.JSONField(default=list, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    issued_at = models.DateTimeField(_("issued"), editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField(_("decided"), null=True, editable=False)
    decision_comment = models.TextField(
        _("comment"), max_length=LONG_TEXT, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("SoA version")
        verbose_name_plural = _("SoA versions")
        ordering = ["-number", "framework"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="soa_version_number_unique_per_framework"
            ),
            models.UniqueConstraint(
                fields=["framework"],
                condition=Q(status="awaiting"),
                name="soa_one_version_awaiting_approval_per_framework",
            ),
        ]

    def __str__(self):
        if self.framework == SoAFramework.ISO42001:
            return _("SoA version %(number)s") % {"number": self.number}
        return _("%(framework)s SoA version %(number)s") % {
            "framework": self.get_framework_display(),
            "number": self.number,
        }

    @property
    def entries(self):
        return self.content["entries"]

    @property
    def intact(self):
        """Whether the stored content still matches the hash taken when it was issued."""
        return canonical_sha256(self.content) == self.sha256

    @property
    def lock_reason(self):
        return _("Issued versions of the Statement of Applicability are records and never change.")
