"""Tasks of the core: the e-mail that goes with a notification."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model

from aims.core.notifications import remind_once


@shared_task
def send_notification_mail(*, key, user_ids, message, url):
    recipients = get_user_model().objects.filter(pk__in=user_ids, is_active=True)
    return remind_once(
        key=key,
        recipients=recipients,
        subject=message,
        body=f"{message}\n\n{settings.PORTAL_URL}{url}",
    )
