"""Render an audit pack without the worker: the same PDF (or ZIP with --evidence; a PDF/A-3b
with the evidence files embedded with --pdfa) the portal's audit pack page delivers, written to
a file; prints its pages, size and SHA-256."""

import hashlib
from datetime import date

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from aims.core import roles
from aims.core.dates import add_years
from aims.inventory.models import AISystem
from audits.packs.build import RenderFailed, render_pack
from audits.packs.bundle import write_bundle
from audits.packs.contents.evidence import evidence_files
from audits.packs.sections import PackScope


def iso_date(text):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Render an audit pack to a file, as the portal's audit pack page does."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="The file to write (PDF or ZIP).")
        parser.add_argument(
            "--systems", nargs="*", default=[], metavar="REF", help="AI systems (default: all)."
        )
        parser.add_argument("--since", type=iso_date, help="Start of the period (a year ago).")
        parser.add_argument("--until", type=iso_date, help="End of the period (today).")
        parser.add_argument(
            "--evidence", action="store_true", help="A ZIP with the evidence files."
        )
        parser.add_argument(
            "--pdfa",
            action="store_true",
            help="A PDF/A-3b with the evidence files embedded as attachments.",
        )
        parser.add_argument(
            "--user",
            help="Whose view of the AIMS the pack shows (default: a compliance officer).",
        )

    def handle(self, *args, output, systems, since, until, evidence, pdfa, user, **options):
        reader = self.reader(user)
        chosen = tuple(AISystem.objects.restrict(reader).filter(reference__in=systems))
        unknown = sorted(set(systems) - {system.reference for system in chosen})
        if unknown:
            raise CommandError(f"No such AI system for {reader.username}: {', '.join(unknown)}")
        until = until or timezone.localdate()
        scope = PackScope(
            user=reader,
            systems=tuple(sorted(chosen, key=lambda s: s.reference)),
            since=since or add_years(until, -1),
            until=until,
            include_evidence=evidence,
        )
        if scope.since > until:
            raise CommandError("The period ends before it starts.")

        def progress(number, count, title):
            self.stderr.write(f"[{number}/{count}] {title}")

        try:
            result = render_pack(scope, progress, archival=pdfa)
        except RenderFailed as failed:
            raise CommandError(str(failed)) from None
        with open(output, "wb") as target:
            if evidence:
                write_bundle(
                    target, pdf_name="audit-pack.pdf", pdf=result.pdf, files=evidence_files(scope)
                )
            else:
                target.write(result.pdf)
            size = target.tell()
        with open(output, "rb") as written:
            digest = hashlib.file_digest(written, "sha256").hexdigest()
        self.stdout.write(f"{output}: {result.pages} pages, {size} bytes, SHA-256 {digest}")

    def reader(self, username):
        users = get_user_model().objects.filter(is_active=True)
        if username:
            found = users.filter(username=username).first()
            if found is None:
                raise CommandError(f"No active user {username}.")
            return found
        found = (
            users.filter(groups__name=roles.COMPLIANCE_OFFICER).order_by("pk").first()
            or users.filter(is_superuser=True).order_by("pk").first()
        )
        if found is None:
            raise CommandError("Name the user whose view the pack shows with --user.")
        return found
