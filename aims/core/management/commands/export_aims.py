"""Write the whole AIMS into one ZIP archive (aims/core/archive)."""

import getpass
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from aims.core.archive.export import write_archive


class Command(BaseCommand):
    help = (
        "Write the whole AIMS (every register, history, users with their password hashes, "
        "object permissions, stored files) into one ZIP archive. The archive is confidential."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the archive (e.g. aims-export.zip).")

    def handle(self, *args, file, **options):
        target = Path(file).resolve()
        # Written beside the target and renamed at the end: no half-written archive under its name.
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=".aims-export-")
        try:
            with os.fdopen(handle, "wb") as out:
                manifest = write_archive(out, by=f"manage.py export_aims ({getpass.getuser()})")
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        rows = sum(entry["rows"] for entry in manifest["models"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {target}: {len(manifest['models'])} models, {rows} rows, "
                f"{len(manifest['files'])} files. It holds password hashes: keep it confidential."
            )
        )
        for missing in manifest["missing_files"]:
            self.stderr.write(
                f"Missing from storage, not in the archive: {missing['name']} "
                f"({missing['model']} {missing['pk']})"
            )
