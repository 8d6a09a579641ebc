"""Run the reminder engine's sweep once, for installations that schedule it with cron."""

import datetime

from django.core.management.base import BaseCommand

from aims.core.reminders import sweep


class Command(BaseCommand):
    help = (
        "Remind everyone of what is due soon, due today or overdue, and send the digests that "
        "are due (the same sweep the scheduler runs every hour)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=datetime.date.fromisoformat,
            help="Sweep as on this day (YYYY-MM-DD) instead of today.",
        )

    def handle(self, *args, today=None, **options):
        result = sweep(today=today)
        self.stdout.write(
            f"{result.due} due, {result.reminders} new reminders, {result.digests} digests, "
            f"{result.sent} e-mails sent"
        )
