"""The reminder engine: every register declares its due dates once, and one hourly sweep over the
database reminds the people responsible, at most one digest e-mail a day per person.

A register declares each due date with a `Due` in its `due` option (aims/core/registry.py):

    from aims.core.reminders import Due
    from aims.core.roles import COMPLIANCE_OFFICER

    registry.register(
        Risk,
        ...,
        due=(
            Due("next_review", to="owner", label=_("Risk review"),
                only=~Q(status=Risk.Status.CLOSED)),
        ),
    )
    registry.register(
        AIPolicy,
        ...,
        due=(
            Due("next_review", to=COMPLIANCE_OFFICER, label=_("AI policy review"),
                only={"status": AIPolicy.Status.APPROVED}),
        ),
    )
    # A child that is not a register itself, declared on its parent's register:
    registry.register(
        ImpactAssessment,
        ...,
        due=(
            Due("due_date", model=Condition, parent="assessment", to="owner",
                label=_("Condition of an impact assessment"), only={"met": False}),
        ),
    )

`sweep()` (the task `aims.core.tasks.send_review_reminders`, hourly, and the command
`manage.py send_review_reminders`) goes through every declaration and every object it counts:

- due within `days` (default settings.REVIEW_REMINDER_DAYS): stage "soon"; on the day: "today";
  after it: "overdue"; overdue longer than settings.AIMS_REMINDER_GRACE_DAYS: the compliance
  officers are reminded too (stage "escalated"), unless the declaration says `escalate=False`;
- each (declaration, object, due date, stage, recipient) becomes one `Reminder` row, once: a
  unique constraint makes two sweeps (or two workers) create nothing twice; a new due date (the
  review was done and the next one planned) is reminded anew;
- `on_due(obj, today)` runs for every counted object whose date has come (today or earlier), on
  every sweep until the object no longer counts: it must be idempotent, and usually changes the
  object's state so that it stops counting (an expired acceptance sends its risk back to review);
- then every person whose digest is due (daily: the first sweep of the day; weekly: on their
  weekday) and who has reminders not yet sent gets one digest: one e-mail through the outbox
  (aims/core/notifications.py; plain text and HTML, in their language, grouped by register with a
  link to each entry) and one notification in the portal. With e-mail off, only the notification.

Nothing here queues a Celery task: the sweep reads the database and writes the outbox, so
reminders wait in the database while the broker is down and go out with the next sweep.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Min, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aims.core.models import Digest, Notification, Reminder
from aims.core.notifications import Mail, always_in, insert_new, queue_mails, send_pending
from aims.core.roles import COMPLIANCE_OFFICER, ROLES

logger = logging.getLogger(__name__)

Stage = Reminder.Stage


@dataclass(frozen=True)
class Due:
    """One due date of a register's entries (or of a child model's rows).

    date:     the date: a DateField or DateTimeField name, a lookup across a relation
              ("acceptances__expires_on"; over several related rows the earliest counts), or
              the name of an annotation that `only` adds (a date computed in the query).
    to:       who is reminded: a user field path ("owner", "risk__owner", "team__members"), a
              role name (COMPLIANCE_OFFICER), a callable(obj) → users or a role name (whose
              members the sweep has read once), or a tuple of these.
    label:    what is due, for the digest ("Risk review"); translatable (gettext_lazy).
    only:     which objects count: a Q, a dict of lookups, or a callable(queryset) → queryset
              (only approved policies, only open nonconformities); None: all.
    days:     how many days ahead "due soon" starts; None: settings.REVIEW_REMINDER_DAYS.
    on_due:   callable(obj, today), run for counted objects whose date has come (see module).
    model:    a child model that is not a register itself (a condition of an assessment): its
              rows are swept instead of the register's entries.
    parent:   the path from the object to the entry whose page the digest links to (with
              `model`: the register's entry); without it, the object's own page.
    name:     tells two due dates on the same field apart (defaults to the field path).
    escalate: False: overdue past the grace period is not escalated to the compliance officers.
    title:    callable(obj) → the text listed in the digest; `str(obj)` when not given.
    hours:    a deadline counted in hours (a DateTimeField date): due soon from this many hours
              before its moment, overdue from the moment itself; each of its reminders is also
              e-mailed at once (once), as it cannot wait for the next day's digest.
    related:  the relations `title` or `str(obj)` reads ("risk", "control"), fetched in the same
              query so that the sweep's queries do not grow with the number of objects due.
    """

    date: str
    to: object
    label: str
    only: object = None
    days: int | None = None
    on_due: object = None
    model: type | None = None
    parent: str = ""
    name: str = ""
    escalate: bool = True
    title: object = None
    hours: int | None = None
    related: tuple = ()

    def key(self, register):
        """Names this declaration in stored reminders: "risks.risk:next_review"."""
        name = self.name or (
            f"{self.model._meta.model_name}.{self.date}" if self.model else self.date
        )
        return f"{register.label}:{name}"

    def model_of(self, register):
        return self.model or register.model

    def horizon(self):
        return settings.REVIEW_REMINDER_DAYS if self.days is None else self.days


def declarations():
    """Every declared due date: {key: (register, due)}."""
    from aims.core.registry import registry

    return {due.key(register): (register, due) for register in registry for due in register.due}


def stage_of(due_on, today):
    if due_on > today:
        return Stage.SOON
    if due_on == today:
        return Stage.TODAY
    if (today - due_on).days > settings.AIMS_REMINDER_GRACE_DAYS:
        return Stage.ESCALATED
    return Stage.OVERDUE


def counted(register, due):
    """The objects the declaration counts, each annotated with its date as `_due_at`."""
    model = due.model_of(register)
    queryset = model._default_manager.all()
    if isinstance(due.only, dict):
        queryset = queryset.filter(**due.only)
    elif isinstance(due.only, Q):
        queryset = queryset.filter(due.only)
    elif due.only is not None:
        queryset = due.only(queryset)
    related = (due.parent, *due.related) if due.parent else due.related
    if related:
        queryset = queryset.select_related(*related)  # the link and title of every row
    # Across a relation one object may have several dates: the earliest is the one due.
    date_of = Min(due.date) if "__" in due.date else F(due.date)
    return queryset.annotate(_due_at=date_of).filter(_due_at__isnull=False)


def due_objects(register, due, today):
    """(object, due date) of every counted object due within the declaration's horizon."""
    last_day = today + timedelta(days=due.horizon())
    queryset = counted(register, due)
    if due.hours:
        queryset = queryset.filter(_due_at__lte=timezone.now() + timedelta(hours=due.hours))
    elif isinstance(queryset.query.annotations["_due_at"].output_field, models.DateTimeField):
        end = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min))
        queryset = queryset.filter(_due_at__lt=end)
    else:
        queryset = queryset.filter(_due_at__lte=last_day)
    for obj in queryset.order_by("pk"):
        due_at = obj._due_at
        if isinstance(due_at, datetime):
            due_at = timezone.localtime(due_at).date()
        yield obj, due_at


class Recipients:
    """Who is reminded of what (active users only), reading the members of every role once per
    sweep, whether anyone is reminded or not."""

    def __init__(self):
        self.roles = defaultdict(set)
        members = get_user_model().groups.through.objects.filter(
            group__name__in=ROLES, user__is_active=True
        )
        for name, user_id in members.values_list("group__name", "user_id"):
            self.roles[name].add(user_id)

    def role(self, name):
        return self.roles[name]

    def of(self, due, model, objects):
        """{object pk: set of user ids} for the declaration's `to`."""
        found = defaultdict(set)
        pks = [obj.pk for obj in objects]
        for part in due.to if isinstance(due.to, tuple) else (due.to,):
            if callable(part):
                for obj in objects:
                    chosen = part(obj)
                    if isinstance(chosen, str):
                        found[obj.pk] |= self.role(chosen)
                    else:
                        found[obj.pk].update(
                            user.pk for user in chosen if user is not None and user.is_active
                        )
            elif part in ROLES:
                for pk in pks:
                    found[pk] |= self.role(part)
            else:
                rows = model._default_manager.filter(
                    pk__in=always_in(pks), **{f"{part}__is_active": True}
                )
                for pk, user_id in rows.values_list("pk", part):
                    found[pk].add(user_id)
        return found


def link_of(obj, due):
    """The page of the entry `parent` leads to, or else of the object itself."""
    target = obj
    for step in due.parent.split("__") if due.parent else ():
        target = getattr(target, step, None)
    return target.get_absolute_url() if hasattr(target, "get_absolute_url") else ""


def deadline_stage(due_at, due_on, today):
    """A deadline counted in hours is due soon until its moment and overdue from then on."""
    if due_at > timezone.now():
        return Stage.SOON
    return max(stage_of(due_on, today), Stage.OVERDUE, key=list(Stage.values).index)


def queue_deadline_mail(due, reminders):
    """E-mail each reminder of a deadline counted in hours now (the sweep sends the outbox),
    once under its own key, in the recipient's language, to those who take e-mail."""
    users = get_user_model().objects.in_bulk(
        always_in({reminder.recipient_id for reminder in reminders})
    )
    mails = []
    for reminder in reminders:
        user = users[reminder.recipient_id]
        if not user.email_reminders:
            continue
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = f"{capfirst(Stage(reminder.stage).label)}: {due.label}: {reminder.title}"
        mails.append(
            Mail(
                key=f"deadline:{reminder.key}:{reminder.object_id}:{reminder.due_on}:"
                f"{reminder.stage}",
                user=user,
                subject=subject,
                body=f"{subject}\n\n{settings.PORTAL_URL}{reminder.url}",
            )
        )
    queue_mails(mails)


def unwritten(rows, key, content_type):
    """The rows not stored by an earlier sweep: read in one query (also with no rows: from a day
    none is due on), so that a sweep over dates reminded before writes nothing."""
    written = set(
        Reminder.objects.filter(
            key=key,
            content_type=content_type,
            due_on__gte=min((row.due_on for row in rows), default=date.max),
        ).values_list("object_id", "due_on", "stage", "recipient_id")
    )
    return [
        row
        for row in rows
        if (row.object_id, row.due_on, row.stage, row.recipient_id) not in written
    ]


def remind(register, due, today, recipients):
    """Write the declaration's new reminders and run its `on_due` hook; return how many objects
    are due."""
    model = due.model_of(register)
    key = due.key(register)
    content_type = ContentType.objects.get_for_model(model)
    objects = list(due_objects(register, due, today))
    people = recipients.of(due, model, [obj for obj, _ in objects])
    rows = []
    for obj, due_on in objects:
        stage = deadline_stage(obj._due_at, due_on, today) if due.hours else stage_of(due_on, today)
        title = (due.title(obj) if due.title else str(obj))[:500]
        url = link_of(obj, due)[:300]
        recipients_at = {user_id: stage for user_id in people.get(obj.pk, ())}
        if stage == Stage.ESCALATED:
            # The people responsible hear it is overdue; the compliance officers take it up.
            recipients_at = dict.fromkeys(recipients_at, Stage.OVERDUE)
            if due.escalate:
                recipients_at.update(dict.fromkeys(recipients.role(COMPLIANCE_OFFICER), stage))
        rows += [
            Reminder(
                key=key,
                content_type=content_type,
                object_id=obj.pk,
                due_on=due_on,
                stage=user_stage,
                recipient_id=user_id,
                title=title,
                url=url,
            )
            for user_id, user_stage in recipients_at.items()
        ]
    rows = unwritten(rows, key, content_type)
    # Made by another sweep at the same time: the unique constraint keeps one.
    insert_new(Reminder, rows)
    if due.hours:
        queue_deadline_mail(due, rows)
    if due.on_due is not None:
        for obj, due_on in objects:
            if due_on <= today:
                try:
                    with transaction.atomic():
                        due.on_due(obj, today)
                except Exception:  # one entry's failure keeps no other waiting
                    logger.exception(
                        "%s: on_due of %s failed; the next sweep tries again", key, obj
                    )
    return len(objects)


def digest_due(user, today):
    if user.digest_frequency == user.DigestFrequency.WEEKLY:
        return today.weekday() == user.digest_weekday
    return True


def digest_groups(reminders):
    """[(register name, [reminder, ...]), ...]: the latest stage of each entry's due date,
    grouped by register, the registers in alphabetical order and their entries by date."""
    declared = declarations()
    latest = {}
    order = list(Stage.values)
    for reminder in reminders:
        item = (reminder.key, reminder.content_type_id, reminder.object_id, reminder.due_on)
        known = latest.get(item)
        if known is None or order.index(reminder.stage) > order.index(known.stage):
            latest[item] = reminder
    groups = defaultdict(list)
    for reminder in sorted(latest.values(), key=lambda r: (r.due_on, r.title)):
        register, due = declared.get(reminder.key, (None, None))
        reminder.label = due.label if due else ""
        reminder.link = settings.PORTAL_URL + reminder.url if reminder.url else ""
        groups[capfirst(str(register.verbose_name_plural)) if register else _("Other")].append(
            reminder
        )
    return sorted(groups.items())


def send_digests(today):
    """Write the digests of the day that are due and not written yet, each with its
    notification and e-mail, in a fixed number of queries however many people and reminders
    (also none); return how many were written."""
    users = [
        user
        for user in get_user_model().objects.filter(
            is_active=True, pk__in=Reminder.objects.filter(digest__isnull=True).values("recipient")
        )
        if digest_due(user, today)
    ]
    with transaction.atomic():
        # Today's digest has gone out already to those who have one.
        written = set(
            Digest.objects.filter(
                recipient__in=always_in(user.pk for user in users), day=today
            ).values_list("recipient_id", flat=True)
        )
        users = {user.pk: user for user in users if user.pk not in written}
        waiting = list(
            Reminder.objects.select_for_update()
            .filter(recipient__in=always_in(users), digest__isnull=True)
            .order_by("pk")
        )
        reminders = {pk: [] for pk in users}  # in the users' order
        for reminder in waiting:
            reminders[reminder.recipient_id].append(reminder)
        reminders = {pk: items for pk, items in reminders.items() if items}
        insert_new(Digest, [Digest(recipient_id=pk, day=today) for pk in reminders])
        digests = {
            digest.recipient_id: digest
            for digest in Digest.objects.filter(recipient__in=always_in(reminders), day=today)
        }
        # The rows read above (locked; the last key bounds them), each to its person's digest.
        Reminder.objects.filter(
            recipient__in=always_in(reminders),
            digest__isnull=True,
            pk__lte=max((reminder.pk for reminder in waiting), default=0),
        ).update(
            digest=Subquery(
                Digest.objects.filter(recipient=OuterRef("recipient"), day=today).values("pk")
            )
        )
        notifications, mails = [], []
        for pk, items in reminders.items():
            notification, mail = digest_of(users[pk], items, digests[pk], today)
            notifications.append(notification)
            mails += [mail] if mail else []
        insert_new(Notification, notifications)
        queue_mails(mails)
    return len(reminders)


def digest_of(user, reminders, digest, today):
    """The user's digest as (notification, `Mail` or None), in the user's language."""
    with translation.override(user.language or settings.LANGUAGE_CODE):
        groups = digest_groups(reminders)
        count = sum(len(items) for _group, items in groups)
        subject = ngettext(
            "%(count)s reminder: due dates in the AI management system",
            "%(count)s reminders: due dates in the AI management system",
            count,
        ) % {"count": count}
        notification = Notification(
            recipient=user, message=subject[:500], url=reverse("core:my_work")
        )
        if not user.email_reminders:
            return notification, None
        context = {
            "user": user,
            "groups": groups,
            "count": count,
            "subject": subject,
            "day": today,
            "work_url": settings.PORTAL_URL + reverse("core:my_work"),
            "preferences_url": settings.PORTAL_URL + reverse("core:preferences"),
        }
        mail = Mail(
            key=digest.key,
            user=user,
            subject=subject,
            body=render_to_string("core/email/digest.txt", context),
            html_body=render_to_string("core/email/digest.html", context),
        )
    return notification, mail


@dataclass
class SweepResult:
    due: int = 0
    reminders: int = 0
    digests: int = 0
    sent: int = 0


def sweep(today=None):
    """The hourly sweep: remind what is due, write the digests that are due, send the outbox."""
    today = today or timezone.localdate()
    result = SweepResult()
    before = Reminder.objects.count()
    recipients = Recipients()
    for key, (register, due) in declarations().items():
        try:
            with transaction.atomic():
                result.due += remind(register, due, today, recipients)
        except Exception:  # a failing declaration keeps no other reminder, nor any digest, waiting
            logger.exception("Reminders of %s failed; the next sweep tries again", key)
    result.reminders = Reminder.objects.count() - before
    result.digests = send_digests(today)
    result.sent = send_pending()
    return result
