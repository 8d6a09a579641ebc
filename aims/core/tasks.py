"""Tasks of the core: e-mail out of the pending queue (the one of a notification at once, all
that is pending every few minutes)."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from aims.core.models import OutgoingMail
from aims.core.notifications import queue_mail, send_pending


@shared_task
def send_notification_mail(*, key, user_ids, message=None, url=None):
    """Send the pending e-mail of a notification now (the sweep would send it later).

    `message` and `url` come only with tasks queued before the e-mail was written as pending.
    """
    if message is not None:
        recipients = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
        body = f"{message}\n\n{settings.PORTAL_URL}{url}"
        queue_mail(key=key, recipients=recipients, subject=message, body=body)
    return send_pending(OutgoingMail.objects.filter(key=key, recipient__in=user_ids))


@shared_task
def send_pending_mail():
    """The sweep: send every e-mail still pending (failed before, or never queued)."""
    return send_pending()
