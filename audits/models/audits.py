"""The audit programme (9.2.2), audits with their scope, team and independence record, and the
audit checklist (9.2.1)."""

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.models import (
    ReferencedModel,
    TrackedModel,
    object_permission_models,
)
from aims.core.permissions import RestrictedQuerySet

__all__ = [
    "AuditProgramme",
    "Audit",
    "AuditUserObjectPermission",
    "AuditGroupObjectPermission",
    "ChecklistItem",
    "AuditResult",
]

SHORT_TEXT = 200
LONG_TEXT = 10_000


class AuditProgramme(ReferencedModel):
    """The internal audit programme of one period, approved by the AI officer (9.2.2)."""

    reference_prefix = "PRG"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    period = models.CharField(
        _("period"),
        max_length=20,
        unique=True,
        help_text=_("The period the programme covers, e.g. 2027 or 2026–2028."),
    )
    objectives = models.TextField(_("objectives"), max_length=LONG_TEXT)
    criteria = models.TextField(
        _("audit criteria"),
        max_length=LONG_TEXT,
        help_text=_("What audits are measured against: the standard, policies, contracts, law."),
    )
    methods = models.TextField(
        _("methods"),
        max_length=LONG_TEXT,
        help_text=_("Interviews, document review, sampling of records, observation, remote."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True, editable=False)

    class Meta(ReferencedModel.Meta):
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")
        ordering = ["-period"]

    def __str__(self):
        return f"{self.reference} {self.title} ({self.period})"

    @property
    def lock_reason(self):
        if self.status == self.Status.DRAFT:
            return ""
        return _("An approved programme is not changed. Plan a new audit to revise it.")


class AuditResult(models.TextChoices):
    CONFORMING = "conforming", _("Conforming")
    MAJOR = "major", _("Major nonconformity")
    MINOR = "minor", _("Minor nonconformity")
    OBSERVATION = "observation", _("Observation")
    IMPROVEMENT = "improvement", _("Opportunity for improvement")
    NOT_AUDITED = "not_audited", _("Not audited")

    @classmethod
    def nonconformities(cls):
        return (cls.MAJOR, cls.MINOR)

    @classmethod
    def improvements(cls):
        return (cls.OBSERVATION, cls.IMPROVEMENT)


class AuditQuerySet(RestrictedQuerySet):
    def of_team_member(self, user):
        return self.filter(Q(lead_auditor=user) | Q(team=user)).distinct()


class Audit(ReferencedModel):
    """One audit: its plan, scope, team, independence record, checklist and report."""

    owner_field = None  # the team gets object permissions, see audits.team

    class Type(models.TextChoices):
        INTERNAL = "internal", _("Internal audit")
        STAGE_1 = "stage_1", _("Certification audit, stage 1")
        STAGE_2 = "stage_2", _("Certification audit, stage 2")
        SURVEILLANCE = "surveillance", _("Surveillance audit")
        SUPPLIER = "supplier", _("Supplier audit")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        REPORTED = "reported", _("Reported")
        CLOSED = "closed", _("Closed")

    # AUD-2027-01: numbered per year of the planned start.
    reference_prefix = "AUD"
    reference_digits = 2

    programme = models.ForeignKey(
        AuditProgramme,
        verbose_name=_("audit programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
    )
    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    audit_type = models.CharField(
        _("type"), max_length=15, choices=Type.choices, default=Type.INTERNAL
    )
    clauses = models.ManyToManyField(
        "audits.Clause",
        verbose_name=_("clauses in scope"),
        blank=True,
        related_name="audits",
        limit_choices_to={"leaf": True},
    )
    controls = models.ManyToManyField(
        "controls.Control",
        verbose_name=_("Annex A controls in scope"),
        blank=True,
        related_name="audits",
        limit_choices_to={"framework": "iso42001"},
    )
    ai_systems = models.ManyToManyField(
        "inventory.AISystem",
        verbose_name=_("AI systems in scope"),
        blank=True,
        related_name="audits",
    )
    organizational_units = models.TextField(
        _("organizational units"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("The units of the AIMS scope this audit visits, one per line."),
    )
    criteria = models.TextField(_("audit criteria"), max_length=LONG_TEXT, blank=True)
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lead auditor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits_led",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("audit team"),
        blank=True,
        related_name="audit_teams",
    )
    auditees = models.TextField(
        _("auditees"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("The people and functions interviewed, one per line."),
    )
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.PLANNED, editable=False
    )
    conclusion = models.TextField(
        _("audit conclusion"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("The team's overall conclusion, as it appears in the report."),
    )
    # A conflict of interest the compliance officer accepted, with the reason.
    independence_override = models.TextField(
        _("independence override"), max_length=LONG_TEXT, blank=True, editable=False
    )
    independence_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("override recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    independence_override_at = models.DateTimeField(
        _("override recorded at"), null=True, blank=True, editable=False
    )
    # The conflicts the override accepted, as named when it was recorded.
    independence_conflicts = models.TextField(
        _("accepted conflicts"), max_length=LONG_TEXT, blank=True, editable=False
    )

    objects = AuditQuerySet.as_manager()
    _history_m2m_fields = ["clauses", "controls", "ai_systems", "team"]
    # The page shows the independence record in its own section.
    hidden_detail_fields = (
        "independence_override",
        "independence_override_by",
        "independence_override_at",
        "independence_conflicts",
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-planned_start", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="audit_planned_end_after_start",
                violation_error_message=_("The planned end cannot be before the planned start."),
            )
        ]

    def next_reference(self):
        year = (self.planned_start or timezone.localdate()).year
        prefix = f"{self.reference_prefix}-{year}"
        pattern = re.compile(rf"^{prefix}-(\d{{1,6}})$")
        numbers = [
            int(match.group(1))
            for ref in type(self)
            ._default_manager.filter(reference__startswith=f"{prefix}-")
            .values_list("reference", flat=True)
            if (match := pattern.match(ref))
        ]
        return f"{prefix}-{max(numbers, default=0) + 1:0{self.reference_digits}d}"

    @property
    def lock_reason(self):
        if self.status == self.Status.CLOSED:
            return _("A closed audit is a record and is not changed.")
        return ""


AuditUserObjectPermission, AuditGroupObjectPermission = object_permission_models(Audit)


class ChecklistItem(TrackedModel):
    """One line of an audit's checklist: a clause, an Annex A control or an AI system whose
    records are sampled, with the result the auditor found."""

    scope_parent = "audit"
    _history_m2m_fields = [
        "sampled_risks",
        "sampled_soa_entries",
        "sampled_assessments",
        "sampled_evidence",
        "evidence",
    ]

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="checklist"
    )
    clause = models.ForeignKey(
        "audits.Clause",
        verbose_name=_("clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    control = models.ForeignKey(
        "controls.Control",
        verbose_name=_("control"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ai_system = models.ForeignKey(
        "inventory.AISystem",
        verbose_name=_("AI system"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    question = models.CharField(
        _("what is checked"),
        max_length=500,
        help_text=_("The requirement or question the auditor checks."),
    )
    result = models.CharField(_("result"), max_length=15, choices=AuditResult.choices, blank=True)
    notes = models.TextField(
        _("audit notes"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("What was seen, asked and sampled; the basis of the result."),
    )
    sampled_risks = models.ManyToManyField(
        "risks.Risk", verbose_name=_("sampled risks"), blank=True, related_name="+"
    )
    sampled_soa_entries = models.ManyToManyField(
        "controls.SoAEntry", verbose_name=_("sampled SoA entries"), blank=True, related_name="+"
    )
    sampled_assessments = models.ManyToManyField(
        "impact.ImpactAssessment",
        verbose_name=_("sampled impact assessments"),
        blank=True,
        related_name="+",
    )
    sampled_evidence = models.ManyToManyField(
        "controls.Evidence", verbose_name=_("sampled evidence"), blank=True, related_name="+"
    )
    evidence = models.ManyToManyField(
        "controls.Evidence",
        verbose_name=_("audit evidence"),
        blank=True,
        related_name="checklist_items",
        help_text=_("Files gathered during the audit, kept as evidence with their SHA-256."),
    )
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["audit", "position", "pk"]

    def __str__(self):
        return f"{self.audit.reference}: {self.subject_code} {self.question}".replace("  ", " ")

    @property
    def subject_code(self):
        if self.clause_id:
            return self.clause.code
        if self.control_id:
            return self.control.code
        if self.ai_system_id:
            return self.ai_system.reference
        return ""

    @property
    def lock_reason(self):
        return self.audit.lock_reason
