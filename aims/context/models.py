"""Clauses 4.1–4.3, 5.2 and 5.3: context issues, interested parties and their requirements,
the AIMS scope, the AI policy, and roles and responsibilities (RACI)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.models import ReferencedModel, TrackedModel, object_permission_models

SHORT_TEXT = 200
LONG_TEXT = 10_000


class Kind(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")


class ContextIssue(ReferencedModel):
    """An internal or external issue relevant to the AIMS (4.1)."""

    reference_prefix = "CTX"
    owner_field = "owner"

    class Category(models.TextChoices):
        LEGAL = "legal", _("Legal and regulatory")
        TECHNOLOGICAL = "technological", _("Technological")
        ECONOMIC = "economic", _("Economic and market")
        SOCIAL = "social", _("Social and cultural")
        ETHICAL = "ethical", _("Ethical")
        ENVIRONMENTAL = "environmental", _("Environmental and climate")
        ORGANIZATIONAL = "organizational", _("Organizational")
        CONTRACTUAL = "contractual", _("Contractual")

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    kind = models.CharField(_("internal or external"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.TextField(_("description"), max_length=LONG_TEXT)
    effect_on_aims = models.TextField(
        _("effect on the AIMS"),
        max_length=LONG_TEXT,
        help_text=_("How this issue affects what the AIMS must achieve or how it works."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Keeps an eye on the issue; may edit it."),
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("context issue")
        verbose_name_plural = _("context issues")


ContextIssueUserObjectPermission, ContextIssueGroupObjectPermission = object_permission_models(
    ContextIssue
)


class InterestedParty(ReferencedModel):
    """A party with a stake in the organization's use of AI (4.2)."""

    reference_prefix = "IP"
    owner_field = "owner"

    class Category(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        AFFECTED_PERSONS = "affected", _("Affected persons")
        EMPLOYEES = "employees", _("Employees and works council")
        REGULATORS = "regulators", _("Regulators and supervisory authorities")
        SUPPLIERS = "suppliers", _("Suppliers and partners")
        INVESTORS = "investors", _("Owners and investors")
        MANAGEMENT = "management", _("Top management")
        PUBLIC = "public", _("Public and civil society")

    name = models.CharField(_("name"), max_length=SHORT_TEXT)
    kind = models.CharField(_("internal or external"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    needs = models.TextField(
        _("needs and expectations"),
        max_length=LONG_TEXT,
        help_text=_("What this party expects from the organization's use of AI."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("interested party")
        verbose_name_plural = _("interested parties")


InterestedPartyUserObjectPermission, InterestedPartyGroupObjectPermission = (
    object_permission_models(InterestedParty)
)


class PartyRequirement(ReferencedModel):
    """A requirement of an interested party, and whether the AIMS takes it up (4.2 c)."""

    reference_prefix = "REQ"

    class Source(models.TextChoices):
        LAW = "law", _("Law or regulation")
        CONTRACT = "contract", _("Contract")
        STANDARD = "standard", _("Standard or code of conduct")
        EXPECTATION = "expectation", _("Voluntary commitment or expectation")

    class Decision(models.TextChoices):
        ADOPTED = "adopted", _("Addressed through the AIMS")
        NOT_ADOPTED = "not_adopted", _("Not addressed through the AIMS")

    party = models.ForeignKey(
        InterestedParty,
        verbose_name=_("interested party"),
        on_delete=models.PROTECT,
        related_name="requirements",
    )
    title = models.CharField(_("requirement"), max_length=SHORT_TEXT)
    description = models.TextField(_("description"), max_length=LONG_TEXT, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reason = models.TextField(
        _("reason for the decision"),
        max_length=LONG_TEXT,
        help_text=_("Why the AIMS does or does not take this requirement up."),
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("requirement of an interested party")
        verbose_name_plural = _("requirements of interested parties")


class ScopeStatement(ReferencedModel):
    """The boundaries and applicability of the AIMS (4.3); one is current at a time."""

    reference_prefix = "SCOPE"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CURRENT = "current", _("Current")
        SUPERSEDED = "superseded", _("Superseded")

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    statement = models.TextField(
        _("scope statement"),
        max_length=LONG_TEXT,
        help_text=_("The scope in a few sentences, as it appears in certificates and reports."),
    )
    boundaries = models.TextField(_("boundaries"), max_length=LONG_TEXT)
    sites = models.TextField(_("sites"), max_length=LONG_TEXT, blank=True)
    organizational_units = models.TextField(
        _("organizational units"), max_length=LONG_TEXT, blank=True
    )
    interfaces = models.TextField(
        _("interfaces and dependencies"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("Activities performed by others that the AIMS relies on."),
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)

    @classmethod
    def current_title(cls):
        """The AIMS's name on printed documents: the title of the current scope statement
        ("" while there is none)."""
        current = cls.objects.filter(status=cls.Status.CURRENT).first()
        return current.title if current else ""

    class Meta(ReferencedModel.Meta):
        verbose_name = _("scope statement")
        verbose_name_plural = _("scope statements")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="current"),
                name="one_current_scope",
                violation_error_message=_(
                    "Another scope statement is already current. Mark it superseded first."
                ),
            )
        ]


class ScopeExclusion(TrackedModel):
    """Something deliberately left out of the AIMS scope, with its justification."""

    scope = models.ForeignKey(
        ScopeStatement,
        verbose_name=_("scope statement"),
        on_delete=models.CASCADE,
        related_name="exclusions",
    )
    subject = models.CharField(_("excluded"), max_length=SHORT_TEXT)
    justification = models.TextField(_("justification"), max_length=LONG_TEXT)

    class Meta:
        verbose_name = _("scope exclusion")
        verbose_name_plural = _("scope exclusions")
        ordering = ["scope", "subject"]

    def __str__(self):
        return self.subject


class AIPolicy(ReferencedModel):
    """A version of the AI policy (5.2). Approved versions are frozen; changes need a new one."""

    reference_prefix = "POL"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        RETIRED = "retired", _("Retired")

    title = models.CharField(_("title"), max_length=SHORT_TEXT)
    policy_version = models.CharField(_("policy version"), max_length=20, default="1.0")
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    content = models.TextField(_("policy text"), max_length=50_000)
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
    next_review = models.DateField(
        _("next review"), null=True, blank=True, help_text=_("Required before approval.")
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("AI policy")
        verbose_name_plural = _("AI policies")
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="approved"), name="one_approved_ai_policy"
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.title} v{self.policy_version}"

    @property
    def lock_reason(self):
        if self.status == self.Status.DRAFT:
            return ""
        return _("Only a draft can be changed or deleted. Start a new version of this policy.")

    @property
    def review_overdue(self):
        return bool(self.next_review and self.next_review < timezone.localdate())


class AIMSRole(TrackedModel):
    """A role in the AIMS with its responsibilities and authorities (5.3)."""

    name = models.CharField(_("role"), max_length=SHORT_TEXT, unique=True)
    holder = models.CharField(
        _("held by"), max_length=SHORT_TEXT, blank=True, help_text=_("Person or function.")
    )
    responsibilities = models.TextField(_("responsibilities and authorities"), max_length=LONG_TEXT)
    order = models.PositiveSmallIntegerField(_("order in the matrix"), default=0)

    class Meta:
        verbose_name = _("AIMS role")
        verbose_name_plural = _("AIMS roles")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class AIMSActivity(TrackedModel):
    """An activity of the AIMS that roles are assigned to in the RACI matrix."""

    clause = models.CharField(
        _("clause or control"), max_length=20, blank=True, help_text=_("For example 6.1.2.")
    )
    name = models.CharField(_("activity"), max_length=SHORT_TEXT, unique=True)
    description = models.TextField(_("description"), max_length=LONG_TEXT, blank=True)
    order = models.PositiveSmallIntegerField(_("order in the matrix"), default=0)

    class Meta:
        verbose_name = _("AIMS activity")
        verbose_name_plural = _("AIMS activities")
        ordering = ["order", "name"]

    def __str__(self):
        return f"{self.clause} {self.name}".strip()


class RACIAssignment(TrackedModel):
    """Who is Responsible, Accountable, Consulted or Informed for an activity."""

    class Responsibility(models.TextChoices):
        RESPONSIBLE = "R", _("Responsible")
        ACCOUNTABLE = "A", _("Accountable")
        CONSULTED = "C", _("Consulted")
        INFORMED = "I", _("Informed")

    activity = models.ForeignKey(
        AIMSActivity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    role = models.ForeignKey(
        AIMSRole, verbose_name=_("role"), on_delete=models.CASCADE, related_name="assignments"
    )
    responsibility = models.CharField(
        _("responsibility"), max_length=1, choices=Responsibility.choices
    )

    class Meta:
        verbose_name = _("RACI assignment")
        verbose_name_plural = _("RACI assignments")
        ordering = ["activity__order", "role__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "role"],
                name="one_raci_letter_per_role_and_activity",
                violation_error_message=_("This role already has a letter for this activity."),
            )
        ]

    def __str__(self):
        return f"{self.activity} – {self.role}: {self.responsibility}"
