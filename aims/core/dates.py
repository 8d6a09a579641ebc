"""Calendar arithmetic for due dates and validity limits: whole months and years from a day,
landing on the last day of the target month when the day does not exist there (31 January plus
one month is 28 or 29 February; 29 February plus one year is 28 February)."""

import calendar


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def add_years(day, years):
    return add_months(day, 12 * years)
