"""The evidence bundle: a ZIP with the pack's PDF, the current file of every evidence item of
the index under `evidence/<reference>-<name>`, and `manifest.sha256`, which `sha256sum -c`
reads, covering every other file of the archive."""

import hashlib
import zipfile

from django.utils.translation import gettext as _

from audits.packs.layout import RenderFailed

CHUNK = 1024 * 1024


def write_bundle(target, *, pdf_name, pdf, files):
    """Write the ZIP to the binary file `target`; `files` are the index's EvidenceFile items.
    Each file is hashed as it is copied, so the manifest states what the archive holds."""
    manifest = [f"{hashlib.sha256(pdf).hexdigest()}  {pdf_name}"]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(pdf_name, pdf)
        for item in files:
            digest = hashlib.sha256()
            try:
                stored = item.revision.file.open("rb")
            except FileNotFoundError:
                raise RenderFailed(
                    _("The file of evidence %(reference)s is missing from storage.")
                    % {"reference": item.evidence.reference}
                ) from None
            with stored, archive.open(item.archive_name, "w", force_zip64=True) as copy:
                for chunk in stored.chunks(CHUNK):
                    digest.update(chunk)
                    copy.write(chunk)
            manifest.append(f"{digest.hexdigest()}  {item.archive_name}")
        archive.writestr("manifest.sha256", "\n".join(manifest) + "\n")
