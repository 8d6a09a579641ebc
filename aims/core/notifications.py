"""Telling users: notifications in the portal, and e-mails (reminder digests, the e-mail of a
notification), each sent at most once per key and recipient.

An e-mail is first written as a pending `OutgoingMail` row, in the transaction of what it tells;
`send_pending` sends pending rows, claiming them with a conditional update so two workers never
send the same mail. A failed send leaves the row pending and the next sweep tries again.
"""

import json
import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connections, router, transaction
from django.db.models import F, Q
from django.db.models.constants import OnConflict
from django.utils import timezone

from aims.core.models import Notification, OutgoingMail, ReminderLog

logger = logging.getLogger(__name__)

# A claim older than this is taken to be of a worker that died while sending.
CLAIM_EXPIRES = timedelta(minutes=15)


def insert_new(model, objects):
    """Insert `objects`, leaving rows already there as they are (as `bulk_create(objects,
    ignore_conflicts=True)` does), in one statement however many there are, and also when there
    are none: a sweep's queries then depend neither on the rows it writes nor on whether it
    writes any. The rows go as one JSON parameter, which the database unpacks (`json_each` on
    SQLite, `jsonb_populate_recordset` into the table's own row type on PostgreSQL), so no limit
    on parameters splits the statement."""
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [
        field
        for field in meta.concrete_fields
        if not field.generated and field is not meta.auto_field
    ]
    # Each value as the database takes it (on SQLite dates and datetimes are text already);
    # the others (datetimes with their time zone, dates, decimals) as their text, which
    # PostgreSQL reads into the column's type.
    rows = json.dumps(
        [
            {
                field.column: field.get_db_prep_save(field.pre_save(obj, add=True), connection)
                for field in fields
            }
            for obj in objects
        ],
        default=str,
    )
    # Only the model's own table and column names go into the SQL; the rows are a parameter.
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    if connection.vendor == "postgresql":
        values, source = columns, f"jsonb_populate_recordset(NULL::{table}, %s::jsonb)"
    else:
        values = ", ".join(f"json_extract(value, '$.\"{field.column}\"')" for field in fields)
        source = "json_each(%s)"
    insert = connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)
    conflict = connection.ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    sql = f"{insert} {table} ({columns}) SELECT {values} FROM {source} {conflict}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows])


def always_in(values, nothing=0):
    """`values` for an `__in` lookup, and `nothing`, a key no row has: Django sends no query for
    an empty list, and a sweep's queries should not depend on whether there is anything due."""
    return [*values, nothing]


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
    in two queries however many (also none); return those written (or queued before)."""
    mails = [mail for mail in mails if mail.user is not None and mail.user.email]
    # Reminders sent before e-mail was queued have a log row only.
    logged = set(
        ReminderLog.objects.filter(
            key__in=always_in({mail.key for mail in mails}, nothing=""),
            recipient__in=always_in({mail.user.pk for mail in mails}),
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
    marked and logged in a fixed number of queries (the same when none is pending)."""
    if mails is None:
        mails = OutgoingMail.objects.all()
    pending = mails.filter(sent_at__isnull=True, recipient__is_active=True)
    ids = always_in(pending.values_list("pk", flat=True)[:limit])
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
    OutgoingMail.objects.filter(pk__in=always_in(outgoing.pk for outgoing in sent)).update(
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
