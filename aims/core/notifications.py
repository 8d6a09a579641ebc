"""Telling users: notifications in the portal, and e-mails (reminder digests, the e-mail of a
notification), each sent at most once per key and recipient.

An e-mail is first written as a pending `OutgoingMail` row, in the transaction of what it tells;
`send_pending` sends pending rows, claiming each with a conditional update so two workers never
send the same mail. A failed send leaves the row pending and the next sweep tries again.
"""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from aims.core.models import Notification, OutgoingMail, ReminderLog

logger = logging.getLogger(__name__)

# A claim older than this is taken to be of a worker that died while sending.
CLAIM_EXPIRES = timedelta(minutes=15)


def queue_mail(*, key, recipients, subject, body, html_body=""):
    """Write a pending e-mail (plain text, and HTML when given) to every recipient with an
    address who has none under `key`; return the recipients' rows under `key` that have not
    gone out yet."""
    # A header must be one line; titles come from users.
    subject = " ".join(str(subject).split())[:500]
    users = [user for user in recipients if user is not None and user.email]
    # Reminders sent before e-mail was queued have a log row only.
    logged = set(
        ReminderLog.objects.filter(key=key, recipient__in=users).values_list(
            "recipient_id", flat=True
        )
    )
    users = [user for user in users if user.pk not in logged]
    OutgoingMail.objects.bulk_create(
        [
            OutgoingMail(
                key=key, recipient=user, subject=subject, body=str(body), html_body=str(html_body)
            )
            for user in users
        ],
        ignore_conflicts=True,  # queued before (sent or pending), or by another worker now
    )
    return OutgoingMail.objects.filter(key=key, recipient__in=users, sent_at__isnull=True)


def claim(mail_id):
    """Take a pending e-mail for sending; False if it has gone out or another worker has it."""
    now = timezone.now()
    return bool(
        OutgoingMail.objects.filter(pk=mail_id, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_EXPIRES))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )


def send_one(mail_id):
    """Send one pending e-mail if this worker can claim it; return whether it went out."""
    if not claim(mail_id):
        return False
    outgoing = OutgoingMail.objects.select_related("recipient").get(pk=mail_id)
    try:
        send_mail(
            outgoing.subject,
            outgoing.body,
            None,
            [outgoing.recipient.email],
            html_message=outgoing.html_body or None,
        )
    except (OSError, smtplib.SMTPException) as error:
        logger.exception("E-mail %s not sent; the next sweep tries again", outgoing)
        OutgoingMail.objects.filter(pk=mail_id).update(
            claimed_at=None, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        return False
    OutgoingMail.objects.filter(pk=mail_id).update(sent_at=timezone.now(), last_error="")
    ReminderLog.objects.get_or_create(key=outgoing.key, recipient=outgoing.recipient)
    return True


def send_pending(mails=None, *, limit=500):
    """Send pending e-mails (all of them, or those of the `mails` queryset), oldest first;
    return how many went out."""
    if mails is None:
        mails = OutgoingMail.objects.all()
    pending = mails.filter(sent_at__isnull=True, recipient__is_active=True)
    return sum(send_one(pk) for pk in list(pending.values_list("pk", flat=True)[:limit]))


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
