"""The pack's HTML laid out as a PDF in a child process with a time limit and a memory ceiling.

A child process (not a thread, not multiprocessing: Celery's pool processes may not fork
children of their own) can be stopped whatever WeasyPrint is doing, and its address space
limit (RLIMIT_AS) turns a runaway layout into a MemoryError in the child instead of the
worker's death. The same code serves the worker, the management command and the benchmark.

The child reads the HTML from a file, writes the PDF to another and prints its page count. An
archival pack is a PDF/A-3b with the evidence files embedded, copied beside the HTML first. A
pack laid out in parts is joined by a child too (`--join`), which prints the page numbers (laid
out like the parts) over the joined pages.
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
    with tempfile.TemporaryDirectory(prefix="aims-pack-") as folder:
        target = Path(folder, "pack.pdf")
        pages = layout_to(
            html,
            target,
            seconds=seconds,
            megabytes=megabytes,
            time_limit=time_limit,
            attachments=attachments,
        )
        return target.read_bytes(), pages


def layout_to(html, target, *, seconds, megabytes, time_limit, attachments=None):
    """The page count of `html` laid out as by layout(), its PDF written to the path `target`."""
    with tempfile.TemporaryDirectory(prefix="aims-pack-") as folder:
        source = Path(folder, "pack.html")
        source.write_text(html, encoding="utf-8")
        arguments = [str(source), str(target), str(megabytes)]
        if attachments is not None:
            arguments.append(str(copy_attachments(Path(folder), attachments)))
        return run_child(arguments, seconds=seconds, megabytes=megabytes, time_limit=time_limit)


def join(parts, numbers, target, *, seconds, megabytes, time_limit):
    """The page count of the PDFs `parts` joined in a child process into the path `target`,
    each page with the page of the PDFs `numbers` printed over it (its number), and the parts'
    bookmarks in one outline.

    `parts`: (path, opens_section); the first part's document (its metadata, its attachments)
    is the joined one's, and the bookmarks of a part that does not open its section go under
    the section's bookmark.
    """
    with tempfile.TemporaryDirectory(prefix="aims-pack-") as folder:
        manifest = Path(folder, "join.json")
        manifest.write_text(
            json.dumps(
                {
                    "parts": [[str(path), opens] for path, opens in parts],
                    "numbers": [str(path) for path in numbers],
                }
            ),
            encoding="utf-8",
        )
        return run_child(
            ["--join", str(manifest), str(target), str(megabytes)],
            seconds=seconds,
            megabytes=megabytes,
            time_limit=time_limit,
        )


def run_child(arguments, *, seconds, megabytes, time_limit):
    """The page count the child `python -m audits.packs.layout *arguments` prints."""
    if seconds <= 0:
        raise RenderFailed(time_limit_reason(time_limit))
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and module, no shell
            [sys.executable, "-m", "audits.packs.layout", *arguments],
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
    return int(done.stdout.decode().strip())


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


def limit_memory(megabytes):
    """Limit the child's address space, once the libraries are loaded: the ceiling is for the
    layout, and a library that cannot map its segments fails with an ImportError rather than a
    MemoryError."""
    limit = int(megabytes) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(source, target, megabytes, attachments_manifest=None):
    """In the child: limit the address space, then lay out the HTML."""
    from aims.core.pdf import html_to_document

    limit_memory(megabytes)
    try:
        document = html_to_document(Path(source).read_text(encoding="utf-8"))
        Path(target).write_bytes(write_pdf(document, attachments_manifest))
    except MemoryError:
        sys.exit(OUT_OF_MEMORY)
    sys.stdout.write(f"{len(document.pages)}\n")


def join_main(manifest, target, megabytes):
    """In the child: join the parts, print the page numbers over them, write the PDF."""
    from pypdf import PdfReader, PdfWriter

    limit_memory(megabytes)
    listed = json.loads(Path(manifest).read_text(encoding="utf-8"))
    try:
        (first, _opens), *rest = listed["parts"]
        writer = PdfWriter(clone_from=first)
        section_bookmark = None
        for path, opens in rest:
            reader = PdfReader(path)
            start = len(writer.pages)
            writer.append(reader, import_outline=False)
            added = copy_outline(
                writer, reader, reader.outline, start, None if opens else section_bookmark
            )
            if opens:
                section_bookmark = added
        page = 0
        for numbers in listed["numbers"]:
            for number in PdfReader(numbers).pages:
                writer.pages[page].merge_page(number)
                page += 1
        with Path(target).open("wb") as output:
            writer.write(output)
    except MemoryError:
        sys.exit(OUT_OF_MEMORY)
    sys.stdout.write(f"{len(writer.pages)}\n")


def copy_outline(writer, reader, items, start, parent):
    """Add the bookmarks `items` of `reader` (pypdf's nesting: a list after its parent) under
    `parent`, their pages moved by `start`; the last one added at this level."""
    last = None
    for item in items:
        if isinstance(item, list):
            copy_outline(writer, reader, item, start, last)
        else:
            last = writer.add_outline_item(
                item.title, start + reader.get_destination_page_number(item), parent=parent
            )
    return last


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aims.settings")
    django.setup()
    if sys.argv[1] == "--join":
        join_main(*sys.argv[2:5])
    else:
        main(*sys.argv[1:5])
