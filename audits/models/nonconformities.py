"""Nonconformities with correction, root cause, corrective actions and the check that they
worked (10.2), and opportunities for improvement (10.1)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.models import ReferencedModel, TrackedModel, object_permission_models
from aims.core.permissions import RestrictedQuerySet

__all__ = [
    "Nonconformity",
    "NonconformityUserObjectPermission",
    "NonconformityGroupObjectPermission",
    "CorrectiveAction",
    "EffectivenessCheck",
    "Improvement",
    "ImprovementUserObjectPermission",
    "ImprovementGroupObjectPermission",
]

SHORT_TEXT = 200
LONG_TEXT = 10_000


class NonconformityQuerySet(RestrictedQuerySet):
    def open(self):
        return self.exclude(status=Nonconformity.Status.CLOSED)


class Nonconformity(ReferencedModel):
    """A nonconformity and what was done about it (10.2)."""

    reference_prefix = "NC"
    reference_digits = 4
    owner_field = "owner"
    _history_m2m_fields = ["ai_systems"]

    class Source(models.TextChoices):
        INTERNAL_AUDIT = "internal_audit", _("Internal audit")
        EXTERNAL_AUDIT = "external_audit", _("External audit")
        INCIDENT = "incident", _("Incident")
        MANAGEMENT_REVIEW = "management_review", _("Management review")
        COMPLAINT = "complaint", _("Complaint")
        MONITORING = "monitoring", _("Monitoring and measurement")

    class Grade(models.TextChoices):
        MAJOR = "major", _("Major")
        MINOR = "minor", _("Minor")

    class CauseCategory(models.TextChoices):
        PROCESS = "process", _("Process missing or unclear")
        COMPETENCE = "competence", _("Competence or awareness")
        RESOURCES = "resources", _("Resources")
        TECHNOLOGY = "technology", _("Technology or tooling")
        DATA = "data", _("Data")
        SUPPLIER = "supplier", _("Supplier or third party")
        COMMUNICATION = "communication", _("Communication")
        OVERSIGHT = "oversight", _("Monitoring or oversight")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CORRECTED = "corrected", _("Correction done")
        ACTIONS_PLANNED = "actions_planned", _("Actions planned")
        ACTIONS_DONE = "actions_done", _("Actions done")
        VERIFIED = "verified", _("Effectiveness verified")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    clause = models.ForeignKey(
        "audits.Clause",
        verbose_name=_("clause"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"leaf": True},
    )
    control = models.ForeignKey(
        "controls.Control",
        verbose_name=_("control"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    audit = models.ForeignKey(
        "audits.Audit",
        verbose_name=_("audit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformities",
    )
    checklist_item = models.OneToOneField(
        "audits.ChecklistItem",
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="nonconformity",
    )
    incident = models.ForeignKey(
        "audits.AIIncident",
        verbose_name=_("incident"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nonconformities",
    )
    ai_systems = models.ManyToManyField(
        "inventory.AISystem",
        verbose_name=_("AI systems"),
        blank=True,
        related_name="nonconformities",
    )
    description = models.TextField(_("description"), max_length=LONG_TEXT)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Drives the nonconformity to closure; may edit it."),
    )
    correction = models.TextField(
        _("immediate correction"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("What was done at once to contain the nonconformity and its consequences."),
    )
    correction_date = models.DateField(_("correction done on"), null=True, blank=True)
    root_cause = models.TextField(_("root-cause analysis"), max_length=LONG_TEXT, blank=True)
    cause_category = models.CharField(
        _("cause category"), max_length=15, choices=CauseCategory.choices, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN, editable=False
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)

    objects = NonconformityQuerySet.as_manager()

    class Meta(ReferencedModel.Meta):
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        ordering = ["-reference"]

    @property
    def lock_reason(self):
        if self.status == self.Status.CLOSED:
            return _("A closed nonconformity is a record and is not changed.")
        return ""


NonconformityUserObjectPermission, NonconformityGroupObjectPermission = object_permission_models(
    Nonconformity
)


class CorrectiveActionQuerySet(RestrictedQuerySet):
    def open(self):
        return self.filter(status__in=CorrectiveAction.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())


class CorrectiveAction(TrackedModel):
    """An action that removes the cause of a nonconformity (10.2 c)."""

    scope_parent = "nonconformity"

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    nonconformity = models.ForeignKey(
        Nonconformity,
        verbose_name=_("nonconformity"),
        on_delete=models.CASCADE,
        related_name="actions",
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
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return f"{self.nonconformity.reference}: {self.title}"

    @property
    def overdue(self):
        return self.status in self.OPEN and self.due_date < timezone.localdate()

    @property
    def lock_reason(self):
        return self.nonconformity.lock_reason

    @property
    def delete_refusal(self):
        # What the effectiveness check judges must stay: reopening it is a change of status.
        if self.status == self.Status.DONE and self.nonconformity.status in (
            Nonconformity.Status.ACTIONS_DONE,
            Nonconformity.Status.VERIFIED,
        ):
            return _(
                "A done action of a nonconformity whose actions are done stays on record; set "
                "it back to in progress instead."
            )
        return self.lock_reason


class EffectivenessCheckQuerySet(RestrictedQuerySet):
    def pending(self):
        return self.filter(result="")

    def overdue(self, today=None):
        return self.pending().filter(due_date__lt=today or timezone.localdate())


class EffectivenessCheck(TrackedModel):
    """The check that a nonconformity's corrective actions worked (10.2 d). "Not effective"
    reopens the nonconformity; the check stays as a record."""

    scope_parent = "nonconformity"

    class Result(models.TextChoices):
        EFFECTIVE = "effective", _("Effective")
        NOT_EFFECTIVE = "not_effective", _("Not effective")

    nonconformity = models.ForeignKey(
        Nonconformity,
        verbose_name=_("nonconformity"),
        on_delete=models.CASCADE,
        related_name="effectiveness_checks",
    )
    method = models.TextField(
        _("method"),
        max_length=LONG_TEXT,
        help_text=_("How the effect is checked, e.g. re-sample ten records after three months."),
    )
    due_date = models.DateField(_("check due on"))
    result = models.CharField(
        _("result"), max_length=15, choices=Result.choices, blank=True, editable=False
    )
    notes = models.TextField(_("what was found"), max_length=LONG_TEXT, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    checked_on = models.DateField(_("checked on"), null=True, blank=True, editable=False)

    objects = EffectivenessCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("effectiveness check")
        verbose_name_plural = _("effectiveness checks")
        ordering = ["due_date", "pk"]

    def __str__(self):
        return f"{self.nonconformity.reference}: {self.method[:60]}"

    @property
    def lock_reason(self):
        if self.result:
            return _("A check with a recorded result is a record and is not changed.")
        return self.nonconformity.lock_reason


class Improvement(ReferencedModel):
    """An opportunity for improvement and what was decided about it (10.1)."""

    reference_prefix = "IMP"
    owner_field = "owner"

    class Source(models.TextChoices):
        AUDIT = "audit", _("Audit")
        MANAGEMENT_REVIEW = "management_review", _("Management review")
        INCIDENT = "incident", _("Incident")
        SUGGESTION = "suggestion", _("Suggestion")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Not yet decided")
        ADOPTED = "adopted", _("Adopted")
        DEFERRED = "deferred", _("Deferred")
        DECLINED = "declined", _("Declined")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Implemented")
        CLOSED = "closed", _("Closed without change")

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    description = models.TextField(_("description"), max_length=LONG_TEXT)
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.SUGGESTION
    )
    checklist_item = models.OneToOneField(
        "audits.ChecklistItem",
        verbose_name=_("checklist item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="improvement",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decision_note = models.TextField(_("reason for the decision"), max_length=LONG_TEXT, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.OPEN
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("improvement")
        verbose_name_plural = _("improvements")
        ordering = ["-reference"]


ImprovementUserObjectPermission, ImprovementGroupObjectPermission = object_permission_models(
    Improvement
)
