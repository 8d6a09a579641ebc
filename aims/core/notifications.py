"""Reminders by email, each sent at most once per key and recipient."""

import logging
import smtplib

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from aims.core.models import ReminderLog

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
