"""Telling users: notifications in the portal, and e-mails (reminder digests, the e-mail of a
notification), each sent at most once per key and recipient.

An e-mail is first written as a pending `OutgoingMail` row, in the transaction of what it tells;
`send_pending` sends pending rows, claiming them with a conditional update so two workers never
send the same mail. A failed send leaves the row pending and the next sweep tries again.
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.db.models.constants import OnConflict
from django.utils import timezone

from aims.core.models import Notification, OutgoingMail, ReminderLog

logger = logging.getLogger(__name__)

# A claim older than this is taken to be of a worker that died while sending.
CLAIM_EXPIRES = timedelta(minutes=15)


# Parameters of one INSERT on every database, rather than the backend's batch size (on SQLite
# 999 parameters, about a hundred rows): a sweep's queries then do not grow with the rows it
# writes. 30,000 stays within SQLite's limit (32,766 since 3.32) and PostgreSQL's (65,535).
INSERT_PARAMETERS = 30_000


def insert_new(model, objects):
    """`bulk_create(objects, ignore_conflicts=True)` (rows already there are left as they are)
    in statements of INSERT_PARAMETERS parameters, whatever the backend's own batch size."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.generated and field is not model._meta.auto_field
    ]
    size = max(INSERT_PARAMETERS // len(fields), 1)
    for start in range(0, len(objects), size):
        model._default_manager._insert(
            objects[start : start + size], fields=fields, on_conflict=OnConflict.IGNORE
        )


@dataclass
class Mail:
    key: str
    user: object
    subject: str
    body: str
    html_body: str = ""


def queue_mail(*, key, recipients, subject, body, html_body=""):
    """Write a pending e-mail (plain text, and HTML when given) to every recipient with an
    address who has none under `key`; return the recipients' rows under `key` that have not
    gone out yet."""
    mails = queue_mails([Mail(key, user, subject, body, html_body) for user in recipients])
    return OutgoingMail.objects.filter(
        key=key, recipient__in=[mail.user for mail in mails], sent_at__isnull=True
    )


def queue_mails(mails):
    """Write the pending e-mails (`Mail`s) whose user has an address and none under its key,
    in two queries however many; return those written (or queued before)."""
    mails = [mail for mail in mails if mail.user is not None and mail.user.email]
    if not mails:
        return mails
    # Reminders sent before e-mail was queued have a log row only.
    logged = set(
        ReminderLog.objects.filter(
            key__in={mail.key for mail in mails}, recipient__in={mail.user.pk for mail in mails}
        ).values_list("key", "recipient_id")
    )
    mails = [mail for mail in mails if (mail.key, mail.user.pk) not in logged]
    # Queued before (sent or pending), or by another worker now: the unique key keeps one.
    insert_new(
        OutgoingMail,
        [
            OutgoingMail(
                key=mail.key,
                recipient=mail.user,
                # A header must be one line; titles come from users.
                subject=" ".join(str(mail.subject).split())[:500],
                body=str(mail.body),
                html_body=str(mail.html_body),
            )
            for mail in mails
        ],
    )
    return mails


def send_pending(mails=None, *, limit=500):
    """Send pending e-mails (all of them, or those of the `mails` queryset), oldest first,
    over one connection to the mail server; return how many went out. The pending rows are
    claimed with one conditional update, so two workers never send the same mail, and read,
    marked and logged in a fixed number of queries."""
    if mails is None:
        mails = OutgoingMail.objects.all()
    pending = mails.filter(sent_at__isnull=True, recipient__is_active=True)
    ids = list(pending.values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    now = timezone.now()
    OutgoingMail.objects.filter(pk__in=ids, sent_at__isnull=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_EXPIRES)
    ).update(claimed_at=now, attempts=F("attempts") + 1)
    # This worker's claims: those stamped with its moment.
    claimed = list(
        OutgoingMail.objects.filter(pk__in=ids, claimed_at=now, sent_at__isnull=True)
        .select_related("recipient")
        .order_by("pk")
    )
    sent = send_claimed(claimed)
    OutgoingMail.objects.filter(pk__in=[outgoing.pk for outgoing in sent]).update(
        sent_at=timezone.now(), last_error=""
    )
    insert_new(
        ReminderLog,
        [ReminderLog(key=outgoing.key, recipient=outgoing.recipient) for outgoing in sent],
    )
    return len(sent)


def send_claimed(claimed):
    """Send the claimed e-mails over one connection; return those that went out. A failed
    one is left pending, unclaimed, with its error, for the next sweep."""
    if not claimed:
        return []
    connection = get_connection()
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        for outgoing in claimed:
            not_sent(outgoing, error)
        return []
    sent = []
    try:
        for outgoing in claimed:
            message = EmailMultiAlternatives(
                outgoing.subject,
                outgoing.body,
                None,
                [outgoing.recipient.email],
                connection=connection,
            )
            if outgoing.html_body:
                message.attach_alternative(outgoing.html_body, "text/html")
            try:
                message.send()
            except (OSError, smtplib.SMTPException) as error:
                not_sent(outgoing, error)
            else:
                sent.append(outgoing)
    finally:
        connection.close()
    return sent


def not_sent(outgoing, error):
    logger.error("E-mail %s not sent; the next sweep tries again", outgoing, exc_info=error)
    OutgoingMail.objects.filter(pk=outgoing.pk).update(
        claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:2000]
    )


def notify(*, recipients, message, url, key):
    """Tell users in the portal now and by e-mail once (under `key`).

    The e-mail is written as pending in the caller's transaction; after the commit the worker
    is asked to send it at once. With the broker down the notification in the portal stands,
    the failure is logged, and the periodic sweep sends the e-mail once the broker is back.
    """
    recipients = [user for user in recipients if user is not None and user.is_active]
    Notification.objects.bulk_create(
        Notification(recipient=user, message=message[:500], url=url) for user in recipients
    )
    queue_mail(
        key=key,
        recipients=recipients,
        subject=message,
        body=f"{message}\n\n{settings.PORTAL_URL}{url}",
    )
    user_ids = [user.pk for user in recipients]

    def send_soon():
        from aims.core.tasks import send_notification_mail  # the task module imports this one

        try:
            send_notification_mail.delay(key=key, user_ids=user_ids)
        except Exception:  # the broker's errors vary with the transport
            logger.exception("Notification e-mail %s not queued; the sweep sends it", key)

    transaction.on_commit(send_soon)
