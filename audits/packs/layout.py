"""The pack's HTML laid out as a PDF in a child process with a time limit and a memory ceiling.

A child process (not a thread, not multiprocessing: Celery's pool processes may not fork
children of their own) can be stopped whatever WeasyPrint is doing, and its address space
limit (RLIMIT_AS) turns a runaway layout into a MemoryError in the child instead of the
worker's death. The same code serves the worker, the management command and the benchmark.

The child reads the HTML from a file, writes the PDF to another and prints its page count. An
archival pack is a PDF/A-3b with the evidence files embedded, copied beside the HTML first.
"""

import json
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# The child's exit status when the memory ceiling stopped it.
OUT_OF_MEMORY = 3


class RenderFailed(Exception):
    """The render did not produce a PDF; the message says why, for the requester."""


def time_limit_reason(seconds):
    return _("The render took longer than the time limit of %(seconds)s seconds.") % {
        "seconds": seconds
    }


def layout(html, *, seconds, megabytes, time_limit, attachments=None):
    """(PDF bytes, page count) of `html`, laid out by a child process that is stopped after
    `seconds` and may use at most `megabytes` of address space; `time_limit` is the limit of
    the whole render that the reason names.

    `attachments`: None for a plain PDF; else a PDF/A-3b with these files embedded, given as
    (name, description, open) where `open()` returns the file to read.
    """
    if seconds <= 0:
        raise RenderFailed(time_limit_reason(time_limit))
    with tempfile.TemporaryDirectory(prefix="aims-pack-") as folder:
        source, target = Path(folder, "pack.html"), Path(folder, "pack.pdf")
        source.write_text(html, encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "audits.packs.layout",
            str(source),
            str(target),
            str(megabytes),
        ]
        if attachments is not None:
            command.append(str(copy_attachments(Path(folder), attachments)))
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
                command,
                cwd=settings.BASE_DIR,
                capture_output=True,
                timeout=seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:  # run() has killed the child
            raise RenderFailed(time_limit_reason(time_limit)) from None
        if done.returncode == OUT_OF_MEMORY or done.returncode < 0:
            # A MemoryError, or a library that could not allocate (pango starting a thread)
            # and ended the process with a signal.
            logger.warning(
                "PDF layout stopped (status %s) at %s MB: %s",
                done.returncode,
                megabytes,
                done.stderr.decode(errors="replace")[-2000:],
            )
            raise RenderFailed(
                _("The render needed more memory than the ceiling of %(megabytes)s MB.")
                % {"megabytes": megabytes}
            )
        if done.returncode != 0:
            raise RuntimeError(
                f"The PDF layout stopped with status {done.returncode}: "
                f"{done.stderr.decode(errors='replace')[-4000:]}"
            )
        return target.read_bytes(), int(done.stdout.decode().strip())


def copy_attachments(folder, attachments):
    """Copy the files to embed next to the HTML (the child reads no storage) and list them in
    a JSON file for the child."""
    listed = []
    for number, (name, description, open_file) in enumerate(attachments):
        path = folder / f"attachment-{number}"
        with open_file() as stored, path.open("wb") as copy:
            shutil.copyfileobj(stored, copy, 1024 * 1024)
        listed.append({"path": str(path), "name": name, "description": description})
    manifest = folder / "attachments.json"
    manifest.write_text(json.dumps(listed), encoding="utf-8")
    return manifest


def write_pdf(document, attachments_manifest):
    if attachments_manifest is None:
        return document.write_pdf()
    from weasyprint import Attachment

    listed = json.loads(Path(attachments_manifest).read_text(encoding="utf-8"))
    return document.write_pdf(
        pdf_variant="pdf/a-3b",
        attachments=[
            Attachment(filename=item["path"], name=item["name"], description=item["description"])
            for item in listed
        ],
    )


def main(source, target, megabytes, attachments_manifest=None):
    """In the child: limit the address space, then lay out the HTML."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    django.setup()
    from aims.core.pdf import html_to_document

    # Limited once the libraries are loaded: the ceiling is for the layout, and a library that
    # cannot map its segments fails with an ImportError rather than a MemoryError.
    limit = int(megabytes) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        document = html_to_document(Path(source).read_text(encoding="utf-8"))
        Path(target).write_bytes(write_pdf(document, attachments_manifest))
    except MemoryError:
        sys.exit(OUT_OF_MEMORY)
    sys.stdout.write(f"{len(document.pages)}\n")


if __name__ == "__main__":
    main(*sys.argv[1:5])
