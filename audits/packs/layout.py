"""The pack's HTML laid out as a PDF in a child process with a time limit and a memory ceiling.

A child process (not a thread, not multiprocessing: Celery's pool processes may not fork
children of their own) can be stopped whatever WeasyPrint is doing, and its address space
limit (RLIMIT_AS) turns a runaway layout into a MemoryError in the child instead of the
worker's death. The same code serves the worker, the management command and the benchmark.

The child reads the HTML from a file, writes the PDF to another and prints its page count.
"""

import logging
import os
import resource
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


def layout(html, *, seconds, megabytes, time_limit):
    """(PDF bytes, page count) of `html`, laid out by a child process that is stopped after
    `seconds` and may use at most `megabytes` of address space; `time_limit` is the limit of
    the whole render that the reason names."""
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


def main(source, target, megabytes):
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
        Path(target).write_bytes(document.write_pdf())
    except MemoryError:
        sys.exit(OUT_OF_MEMORY)
    sys.stdout.write(f"{len(document.pages)}\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
