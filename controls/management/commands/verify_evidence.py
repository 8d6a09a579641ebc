"""Re-hash every stored evidence file and report mismatches and missing files.

Exits with status 1 when any file fails, so a scheduler or monitoring check notices.
"""

from django.core.management.base import BaseCommand, CommandError

from controls.evidence_files import file_sha256
from controls.models import EvidenceRevision
from controls.models.evidence import evidence_storage


class Command(BaseCommand):
    help = "Re-hash every evidence file and report any mismatch or missing file."

    def handle(self, *args, **options):
        storage = evidence_storage()
        checked, problems = 0, []
        revisions = EvidenceRevision.objects.select_related("evidence").order_by("pk")
        for revision in revisions.iterator(chunk_size=500):
            checked += 1
            label = f"{revision.evidence.reference} r{revision.number} ({revision.file_name})"
            try:
                digest = file_sha256(storage, revision.file.name)
            except FileNotFoundError:
                problems.append(f"MISSING   {label}: {revision.file.name}")
                continue
            if digest != revision.sha256:
                problems.append(f"MISMATCH  {label}: stored {revision.sha256}, file now {digest}")
        for problem in problems:
            self.stderr.write(problem)
        summary = f"{checked} evidence files checked, {len(problems)} failed."
        if problems:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
