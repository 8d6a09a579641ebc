"""Restore an archive written by export_aims into an empty, migrated instance."""

from django.core.management.base import BaseCommand, CommandError

from aims.core.archive.restore import ArchiveRefused, import_archive


class Command(BaseCommand):
    help = (
        "Restore an AIMS archive (from export_aims) into this instance, which must be migrated "
        "to the same version and hold no user accounts; --force replaces what it holds."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to import.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data of an instance that is not empty (users, registers, history).",
        )

    def handle(self, *args, file, force=False, **options):
        try:
            summary = import_archive(file, force=force)
        except ArchiveRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {summary.models} models, {summary.rows} rows "
                f"({summary.history_rows} history rows) and {summary.files} files."
            )
        )
