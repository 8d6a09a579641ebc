"""Calendar arithmetic for due dates and validity limits: whole months and years from a day,
landing on the last day of the target month when the day does not exist there (31 January plus
one month is 28 or 29 February; 29 February plus one year is 28 February); and dates written
in the reader's format where Python, not a template, builds the text."""

import calendar
import datetime

from django.utils import formats, timezone


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def add_years(day, years):
    return add_months(day, 12 * years)


def short_date(day):
    """A date as the reader's language writes it (aims/formats), for text built in Python."""
    if isinstance(day, str):
        # A date field assigned as ISO text (as Django accepts) keeps the text until reloaded.
        day = datetime.date.fromisoformat(day)
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def short_datetime(moment):
    """A moment in the portal's time zone, as the reader's language writes it."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
