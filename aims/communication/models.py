"""Communication (7.4): the plan of what is communicated, when, to whom, how and by whom; the log
of communications made; and the acknowledgements of the AI policy (5.2, 7.3 b) that the
compliance officer asks roles or all users for, one per user and policy version."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.dates import short_date
from aims.core.models import ReferencedModel, TrackedModel, object_permission_models
from aims.core.roles import ROLE_LABELS

SHORT_TEXT = 200
LONG_TEXT = 10_000


class Channel(models.TextChoices):
    MEETING = "meeting", _("Meeting or briefing")
    EMAIL = "email", _("E-mail or newsletter")
    INTRANET = "intranet", _("Intranet")
    PORTAL = "portal", _("This portal")
    TRAINING = "training", _("Training session")
    REPORT = "report", _("Report or letter")
    WEBSITE = "website", _("Public website")
    OTHER = "other", _("Other")


class CommunicationPlanItem(ReferencedModel):
    """One line of the communication plan (7.4 a–e): what, when, with whom, how, by whom."""

    reference_prefix = "COM"
    # The communicator keeps their line current and logs what they communicated under it.
    owner_field = "communicator"
    _history_m2m_fields = ["parties", "aims_roles"]

    class Frequency(models.TextChoices):
        ONCE = "once", _("Once")
        ON_OCCASION = "occasion", _("On occasion")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        HALF_YEARLY = "half_yearly", _("Every six months")
        YEARLY = "yearly", _("Yearly")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("In use")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("what is communicated"), max_length=SHORT_TEXT)
    purpose = models.TextField(
        _("content and purpose"),
        max_length=LONG_TEXT,
        blank=True,
        help_text=_("What the audience should know or do afterwards."),
    )
    occasion = models.CharField(
        _("occasion"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("The event that triggers it, e.g. a new version of the AI policy."),
    )
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    next_date = models.DateField(_("next date"), null=True, blank=True)
    parties = models.ManyToManyField(
        "context.InterestedParty",
        verbose_name=_("interested parties"),
        blank=True,
        related_name="communication_plan_items",
    )
    aims_roles = models.ManyToManyField(
        "context.AIMSRole",
        verbose_name=_("internal roles"),
        blank=True,
        related_name="communication_plan_items",
    )
    audience_other = models.CharField(
        _("other audience"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("Anyone not in the lists, e.g. all staff of the claims department."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    communicator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("communicated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Keeps this line current and logs the communications made under it."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )

    class Meta(ReferencedModel.Meta):
        verbose_name = _("communication plan item")
        verbose_name_plural = _("communication plan")


CommunicationPlanItemUserObjectPermission, CommunicationPlanItemGroupObjectPermission = (
    object_permission_models(CommunicationPlanItem)
)


class CommunicationRecord(TrackedModel):
    """A communication made: the log entry that shows the plan was carried out."""

    # Whoever may change a plan line (its communicator) logs communications under it.
    scope_parent = "plan_item"
    _history_m2m_fields = ["parties"]

    date = models.DateField(_("date"), default=timezone.localdate)
    subject = models.CharField(_("what was communicated"), max_length=SHORT_TEXT)
    plan_item = models.ForeignKey(
        CommunicationPlanItem,
        verbose_name=_("plan item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="records",
    )
    parties = models.ManyToManyField(
        "context.InterestedParty",
        verbose_name=_("interested parties"),
        blank=True,
        related_name="communication_records",
    )
    audience = models.CharField(
        _("audience"),
        max_length=SHORT_TEXT,
        blank=True,
        help_text=_("Who was reached, e.g. 40 claims handlers."),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    communicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("communicated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    summary = models.TextField(_("summary"), max_length=LONG_TEXT, blank=True)
    evidence = models.ForeignKey(
        "controls.Evidence",
        verbose_name=_("evidence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The slides, the e-mail or the minutes, kept as evidence."),
    )

    class Meta:
        verbose_name = _("communication made")
        verbose_name_plural = _("communication log")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{short_date(self.date)} {self.subject}"


class AcknowledgementRequest(models.Model):
    """The compliance officer's request that roles (or everyone with a role) acknowledge one
    version of the AI policy. A record of the workflow: it is never edited."""

    policy = models.ForeignKey(
        "context.AIPolicy",
        verbose_name=_("AI policy"),
        on_delete=models.PROTECT,
        related_name="acknowledgement_requests",
    )
    all_users = models.BooleanField(_("all users"), default=False)
    roles = models.ManyToManyField(Group, verbose_name=_("roles"), blank=True, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement request")
        verbose_name_plural = _("acknowledgement requests")
        ordering = ["requested_at", "pk"]

    def __str__(self):
        return f"{self.policy} ({short_date(timezone.localtime(self.requested_at))})"

    @property
    def role_labels(self):
        """The roles asked, by their names in the user's language (prefetch `roles`)."""
        return ", ".join(str(ROLE_LABELS.get(group.name, group.name)) for group in self.roles.all())


class PolicyAcknowledgement(models.Model):
    """A user's "read and understood" for one version of the AI policy; once per version."""

    policy = models.ForeignKey(
        "context.AIPolicy",
        verbose_name=_("AI policy"),
        on_delete=models.PROTECT,
        related_name="acknowledgements",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="policy_acknowledgements",
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), default=timezone.now)

    class Meta:
        verbose_name = _("policy acknowledgement")
        verbose_name_plural = _("policy acknowledgements")
        ordering = ["acknowledged_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "user"], name="acknowledge_policy_once")
        ]

    def __str__(self):
        return f"{self.user}: {self.policy}"


def asked_users(policy, *, until=None):
    """The active users with a role whom a request for this policy version asks (optionally:
    by the requests made until a moment)."""
    from django.contrib.auth import get_user_model

    requests = policy.acknowledgement_requests.all()
    if until is not None:
        requests = requests.filter(requested_at__lte=until)
    users = get_user_model().objects.filter(is_active=True, groups__isnull=False)
    if not requests.filter(all_users=True).exists():
        users = users.filter(groups__in=requests.values("roles"))
    return users.distinct()


def approved_policy():
    from aims.context.models import AIPolicy

    return AIPolicy.objects.filter(status=AIPolicy.Status.APPROVED).first()


def pending_policy_for(user):
    """The approved policy if a request asks `user` to acknowledge it and they have not yet."""
    policy = approved_policy()
    if policy is None or not user.is_active:
        return None
    if not asked_users(policy).filter(pk=user.pk).exists():
        return None
    if policy.acknowledgements.filter(user=user).exists():
        return None
    return policy
