"""Tasks of the core: e-mail out of the pending queue (the one of a notification at once, all
that is pending every few minutes) and the reminder engine's sweep."""

import logging
from contextlib import contextmanager

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext as _

from aims.core.models import OutgoingMail
from aims.core.notifications import queue_mail, send_pending

logger = logging.getLogger(__name__)


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
def send_review_reminders():
    """The reminder engine's hourly sweep (aims/core/reminders.py)."""
    from aims.core.reminders import sweep

    return vars(sweep())


@shared_task
def send_pending_mail():
    """The sweep: send every e-mail still pending (failed before, or never queued)."""
    return send_pending()


@shared_task
def parse_import(record_label, record_id, language=None):
    """Read an uploaded spreadsheet once, with progress, and keep its table for the wizard."""
    from aims.core.imports import services

    spec = services.spec_of(record_label)
    record = spec.record_model.objects.filter(pk=record_id).first()
    if record is None:
        return None
    with failing(record), translation.override(language):
        table = services.import_parse(spec, record)
    return None if table is None else len(table.rows)


@shared_task
def run_import(record_label, record_id, user_id, skip_invalid, language=None):
    """Check and save the rows of a mapped import, with progress."""
    from aims.core.imports import services

    spec = services.spec_of(record_label)
    record = spec.record_model.objects.filter(pk=record_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if record is None or user is None:
        return None
    with failing(record), translation.override(language):
        return services.import_in_worker(
            spec=spec, record=record, user=user, skip_invalid=skip_invalid
        )


@contextmanager
def failing(record):
    """An unexpected error fails the import with a message for the user, and is logged."""
    from aims.core.imports.services import record_progress

    try:
        yield
    except Exception:
        logger.exception("Import %s failed", record.pk)
        record_progress(
            record,
            status=record.Status.FAILED,
            message=_("The import failed unexpectedly. The administrators can see why in the log."),
        )
