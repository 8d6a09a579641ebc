"""Base models for every register: history, version for stale-edit detection, restricted
querysets, human-readable references, and guardian's direct foreign-key permission tables."""

import hashlib
import hmac
import re
import secrets
import string

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from aims.core.dates import short_datetime
from aims.core.permissions import RestrictedQuerySet
from aims.core.reversing import entry_url


class User(AbstractUser):
    """A portal user; roles are groups (see core.roles). The user's own preferences say how
    reminders reach them and in which language the portal writes to them."""

    class DigestFrequency(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    email_reminders = models.BooleanField(
        _("reminders by e-mail"),
        default=True,
        help_text=_("Off: reminders reach you only in the portal, under the bell."),
    )
    digest_frequency = models.CharField(
        _("reminder digest"),
        max_length=10,
        choices=DigestFrequency.choices,
        default=DigestFrequency.DAILY,
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekday of the weekly digest"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the e-mails the portal sends you."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username


class AuthoredHistory(HistoricalRecords):
    """History whose table is indexed for "what did this user write or change": four-eyes asks
    it of every record awaiting a decision (`approvals.authored_by`), and reads the user's rows
    from the index alone rather than visiting the table once per row of their history."""

    def get_meta_options(self, model):
        options = super().get_meta_options(model)
        authored = models.Index(fields=["history_user", "history_change_reason", "id"])
        options["indexes"] = (*options.get("indexes", ()), authored)
        return options


class TrackedModel(models.Model):
    """A register entry: every change is kept in history and bumps `version`.

    Subclasses inherit the history table (declared here once, with `inherit=True`).
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    history = AuthoredHistory(inherit=True, excluded_fields=["updated_at"])
    objects = RestrictedQuerySet.as_manager()

    # Name of a user field whose holder gets object permissions (see roles.OWNER_ACTIONS).
    owner_field = None

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            self.version += 1
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return entry_url(f"{self._meta.app_label}:{self._meta.model_name}_detail", self.pk)

    @property
    def lock_reason(self):
        """Why the entry can be neither changed nor deleted now ("" when it can)."""
        return ""

    @property
    def delete_refusal(self):
        """Why the entry cannot be deleted now ("" when it can)."""
        return self.lock_reason


class ReferencedModel(TrackedModel):
    """A register entry with a reference such as CTX-004, assigned on creation if left blank."""

    reference_prefix = None
    reference_digits = 3

    reference = models.CharField(
        _("reference"),
        max_length=30,
        unique=True,
        blank=True,
        help_text=_("Leave blank to get the next free number."),
    )

    class Meta:
        abstract = True
        ordering = ["reference"]

    def __str__(self):
        return f"{self.reference} {self.title_text}".strip()

    def save(self, *args, **kwargs):
        if self.reference:
            return super().save(*args, **kwargs)
        # Two users adding at once can draw the same number; the unique index decides and
        # the loser draws again.
        for attempt in range(5):
            self.reference = self.next_reference()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                taken = type(self)._default_manager.filter(reference=self.reference).exists()
                self.reference = ""
                if not taken or attempt == 4:
                    raise

    @property
    def title_text(self):
        return getattr(self, "title", "") or getattr(self, "name", "")

    @classmethod
    def next_reference(cls):
        # Up to six digits: a hand-typed giant number must not push every later draw past the
        # field's length.
        pattern = re.compile(rf"^{re.escape(cls.reference_prefix)}-(\d{{1,6}})$")
        numbers = [
            int(match.group(1))
            for ref in cls._default_manager.filter(
                reference__startswith=f"{cls.reference_prefix}-"
            ).values_list("reference", flat=True)
            if (match := pattern.match(ref))
        ]
        return f"{cls.reference_prefix}-{max(numbers, default=0) + 1:0{cls.reference_digits}d}"


def object_permission_models(model):
    """Declare guardian's direct foreign-key permission tables for `model`.

    Direct keys keep scoped lists to one join instead of a generic-key subquery. Call at module
    level in the model's own models.py and bind the two results to names there.
    """

    def declare(base, kind):
        name = f"{model.__name__}{kind}ObjectPermission"
        attrs = {
            "__module__": model.__module__,
            "__qualname__": name,
            "content_object": models.ForeignKey(model, on_delete=models.CASCADE),
        }
        return type(name, (base,), attrs)

    return declare(UserObjectPermissionBase, "User"), declare(GroupObjectPermissionBase, "Group")


class ReminderLog(models.Model):
    """One row per reminder sent: the unique key makes every reminder idempotent."""

    key = models.CharField(_("reminder"), max_length=200)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="reminder_once_per_recipient")
        ]

    def __str__(self):
        return f"{self.key} → {self.recipient}"


class OutgoingMail(models.Model):
    """An e-mail to one user, written in the transaction of what it tells and pending until it
    has gone out: a failed send stays here and the next sweep tries again."""

    key = models.CharField(_("reminder"), max_length=200)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outgoing_mail"
    )
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("body"))
    # Sent as the HTML alternative of the plain-text body when given.
    html_body = models.TextField(_("HTML body"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("being sent since"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "recipient"], name="outgoing_mail_once_per_recipient"
            )
        ]
        indexes = [models.Index(fields=["sent_at"], name="outgoing_mail_pending")]

    def __str__(self):
        return f"{self.key} → {self.recipient}"


class Digest(models.Model):
    """The reminder digest of one user for one day: at most one per user and day."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests"
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder digest")
        verbose_name_plural = _("reminder digests")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "day"], name="one_digest_per_user_and_day")
        ]

    def __str__(self):
        return f"{self.day} → {self.recipient}"

    @property
    def key(self):
        """The key of its e-mail in the outbox."""
        return f"digest:{self.recipient_id}:{self.day.isoformat()}"


class Reminder(models.Model):
    """One reminder of one due date of one entry to one person at one stage (due soon, due
    today, overdue, escalated); the unique constraint makes every reminder idempotent. It waits
    for the recipient's next digest (`digest` empty until then)."""

    class Stage(models.TextChoices):
        SOON = "soon", _("due soon")
        TODAY = "today", _("due today")
        OVERDUE = "overdue", _("overdue")
        ESCALATED = "escalated", _("overdue, escalated")

    # The due declaration: "<register label>:<name>", e.g. "risks.risk:next_review".
    key = models.CharField(_("due date"), max_length=200)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    due_on = models.DateField(_("due on"))
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    # What the entry was called and where it lives when the reminder was made: the digest
    # lists it even if the entry has changed or gone since.
    title = models.CharField(_("title"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    digest = models.ForeignKey(
        Digest,
        verbose_name=_("digest"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
    )

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "content_type", "object_id", "due_on", "stage", "recipient"],
                name="one_reminder_per_due_date_stage_and_recipient",
            )
        ]
        indexes = [models.Index(fields=["recipient", "digest"], name="reminder_undigested")]

    def __str__(self):
        return f"{self.title} ({self.get_stage_display()}) → {self.recipient}"


class ImportRecord(TrackedModel):
    """One spreadsheet import into a register: the file (kept privately), the column and value
    mappings chosen in the wizard and what came of it. Each register that imports declares a
    subclass (`SystemImport`, `RiskImport`) and an `ImportSpec` (aims/core/imports/services.py)."""

    class Status(models.TextChoices):
        # Reading and importing run in the worker; `progress` (0–100) and `message` follow them.
        PARSING = "parsing", _("Reading the file")
        PARSED = "uploaded", _("Uploaded")
        IMPORTING = "importing", _("Importing")
        IMPORTED = "imported", _("Imported")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", editable=False)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    sheet = models.CharField(_("sheet"), max_length=200, blank=True)
    column_mapping = models.JSONField(_("column mapping"), default=dict)
    value_mapping = models.JSONField(_("value mapping"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PARSING
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0, editable=False)
    message = models.TextField(_("message"), max_length=2000, blank=True, editable=False)
    # The table read from the file once (JSON: headers, rows, sheets), for the wizard's steps.
    parsed = models.FileField(
        _("parsed table"), upload_to="imports/%Y/%m/", editable=False, blank=True
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_skipped = models.PositiveIntegerField(_("rows skipped"), default=0)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({short_datetime(self.created_at)})"

    @property
    def lock_reason(self):
        return _("Imports are records and are not edited.")


class SavedColumnMapping(models.Model):
    """A spreadsheet header the users mapped to a field once, proposed again next time.

    `register` names the register the import fills ("inventory.aisystem"): the same header may
    mean different fields in different registers.
    """

    register = models.CharField(_("register"), max_length=100)
    header = models.CharField(_("header"), max_length=200)
    field = models.CharField(_("field"), max_length=40)

    class Meta:
        verbose_name = _("saved column mapping")
        verbose_name_plural = _("saved column mappings")
        constraints = [
            models.UniqueConstraint(fields=["register", "header"], name="one_mapping_per_header")
        ]

    def __str__(self):
        return f"{self.register}: {self.header} → {self.field}"


class SavedView(models.Model):
    """A named search and filter combination on a register list, kept for its user or shared."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    register = models.CharField(_("register"), max_length=100)  # "risks.risk"
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(_("filters"), max_length=2000, blank=True)
    shared = models.BooleanField(
        _("share with everyone"),
        default=False,
        help_text=_("Others see the view; each sees only the entries they may see."),
    )

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "register", "name"], name="saved_view_name_per_user"
            )
        ]

    def __str__(self):
        return self.name


class Notification(models.Model):
    """A message for one user in the portal, shown under the bell in the navigation."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(_("message"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message


class RoleChange(models.Model):
    """A role granted or removed: who changed whose roles, which role, and when."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("granted")
        REMOVED = "removed", _("removed")

    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="role_changes_made",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_changes",
    )
    role = models.CharField(_("role"), max_length=150)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.user}: {self.role} {self.get_action_display()}"


class RoleGrantRequest(models.Model):
    """A role that takes effect only once a second administrator confirms it (the AI Officer
    role for an administrator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_grant_requests",
    )
    role = models.CharField(_("role"), max_length=150)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="role_grants_requested",
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="role_grants_confirmed",
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("role grant request")
        verbose_name_plural = _("role grant requests")
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.user}: {self.role}"

    @property
    def pending(self):
        return self.confirmed_at is None


class SearchEntry(models.Model):
    """One register entry as the global search finds it: its reference, its title and the text
    of its register's search fields, kept current by signals (aims/core/search_index.py). On
    PostgreSQL a GIN index over the full-text vector of these columns serves the search."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField()
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=500)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_search_entry_per_object"
            )
        ]

    def __str__(self):
        return f"{self.reference} {self.title}".strip()


def random_text(alphabet, length):
    return "".join(secrets.choice(alphabet) for _position in range(length))


class ApiTokenQuerySet(models.QuerySet):
    def of(self, user):
        """A user's own tokens: nobody sees or revokes another user's in the portal."""
        return self.filter(user=user) if user.is_authenticated else self.none()

    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A personal API token: `aims_<key id>_<secret>`, shown to its user once at creation.

    Only the SHA-256 of the whole token is kept. The secret holds 256 random bits, so a fast
    hash is enough: no dictionary or brute force reaches it, unlike a password. The key id is
    public (lists show it) and finds the row; the prefix lets secret scanners recognise a
    leaked token.
    """

    PREFIX = "aims"
    KEY_ID_LENGTH = 8
    KEY_ID_ALPHABET = string.ascii_lowercase + string.digits
    SECRET_LENGTH = 43  # 43 base62 characters: 256 bits
    SECRET_ALPHABET = string.ascii_letters + string.digits
    FORMAT = re.compile(
        rf"{PREFIX}_(?P<key_id>[a-z0-9]{{{KEY_ID_LENGTH}}})_[A-Za-z0-9]{{{SECRET_LENGTH}}}"
    )

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(_("key ID"), max_length=KEY_ID_LENGTH, unique=True, editable=False)
    digest = models.CharField(_("SHA-256 of the token"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    # Use is not a change of the token: last_used_at is written without a history row.
    history = HistoricalRecords(excluded_fields=["digest", "last_used_at"])
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.key_id})"

    @staticmethod
    def hash(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name, expires_at):
        """A new token for `user`: the saved row and the token text, which is not kept."""
        secret = random_text(cls.SECRET_ALPHABET, cls.SECRET_LENGTH)
        while True:
            key_id = random_text(cls.KEY_ID_ALPHABET, cls.KEY_ID_LENGTH)
            text = f"{cls.PREFIX}_{key_id}_{secret}"
            try:
                with transaction.atomic():
                    token = cls.objects.create(
                        user=user,
                        name=name,
                        key_id=key_id,
                        digest=cls.hash(text),
                        expires_at=expires_at,
                    )
            except IntegrityError:  # the key id is taken (one in 36**8): draw another
                if not cls.objects.filter(key_id=key_id).exists():
                    raise
                continue
            return token, text

    @classmethod
    def key_id_of(cls, text):
        """The key id of a text in the token format, or None."""
        match = cls.FORMAT.fullmatch(text)
        return match["key_id"] if match else None

    def matches(self, text):
        return hmac.compare_digest(self.digest, self.hash(text))

    def status(self, now=None):
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    def revoke(self):
        """Revoke the token for good (a history row names who did it)."""
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class SingleSignOnIdentity(models.Model):
    """A user's account at the OpenID provider: the issuer and the subject it names the user by.
    Log-ins are matched on these, which never change, never on names or e-mail addresses, which
    can (aims/core/sso.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sso_identities",
    )
    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject identifier"), max_length=255)
    created_at = models.DateTimeField(_("first log-in"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last log-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("single sign-on identity")
        verbose_name_plural = _("single sign-on identities")
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_user_per_sso_subject")
        ]

    def __str__(self):
        return f"{self.user} ({self.issuer})"
