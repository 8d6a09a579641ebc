"""Telling users: notifications in the portal, and reminders by e-mail, each sent at most once
per key and recipient."""

import logging
import smtplib

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from aims.core.models import Notification, ReminderLog

logger = logging.getLogger(__name__)


def remind_once(*, key, recipients, subject, body):
    """Send the reminder to every recipient who has not had it; return how many got it.

    The row is claimed before the mail goes out and released if sending fails, so two
    workers never send the same reminder and a failed send is tried again next sweep.
    """
    # A header must be one line; titles come from users.
    subject = " ".join(str(subject).split())
    sent = 0
    for user in recipients:
        if not user.email:
            continue
        try:
            with transaction.atomic():
                ReminderLog.objects.create(key=key, recipient=user)
                send_mail(subject, str(body), None, [user.email])
        except IntegrityError:
            continue  # sent before, or being sent by another worker
        except (OSError, smtplib.SMTPException):
            logger.exception("Reminder %s to %s not sent; next sweep tries again", key, user)
            continue
        sent += 1
    return sent


def notify(*, recipients, message, url, key):
    """Tell users in the portal now and by e-mail once (under `key`) after the commit.

    The e-mail goes through the Celery worker; with the broker down the notification in the
    portal still stands and the failure is logged.
    """
    recipients = [user for user in recipients if user is not None and user.is_active]
    Notification.objects.bulk_create(
        Notification(recipient=user, message=message[:500], url=url) for user in recipients
    )
    user_ids = [user.pk for user in recipients]

    def queue_mail():
        from aims.core.tasks import send_notification_mail  # the task module imports this one

        try:
            send_notification_mail.delay(key=key, user_ids=user_ids, message=str(message), url=url)
        except Exception:  # the broker's errors vary with the transport
            logger.exception("Notification e-mail %s not queued", key)

    transaction.on_commit(queue_mail)
