"""What an evidence upload may be: a size limit, an allowlist of types checked against the
file's first bytes, and a clean display name. The stored name is never the uploader's."""

import hashlib
import os
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

ZIP = (b"PK\x03\x04",)
OLE = (b"\xd0\xcf\x11\xe0",)  # legacy Office and Outlook files
TEXT = ()  # no signature: checked for markup instead
# extension → (content type served, signatures the file must start with)
ALLOWED = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", ZIP),
    "odt": ("application/vnd.oasis.opendocument.text", ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ZIP),
    "zip": ("application/zip", ZIP),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "msg": ("application/vnd.ms-outlook", OLE),
    "txt": ("text/plain", TEXT),
    "csv": ("text/csv", TEXT),
    "md": ("text/markdown", TEXT),
    "json": ("application/json", TEXT),
    "eml": ("message/rfc822", TEXT),
}
MARKUP = (b"<html", b"<!doctype", b"<script", b"<svg", b"<?xml", b"<body", b"<iframe")


def extension(name):
    return os.path.splitext(name)[1].lower().lstrip(".")


def display_name(name):
    """The uploader's file name without any path, safe for a Content-Disposition header."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKC", base)
    return (get_valid_filename(base) if base.strip(". ") else "")[:150] or "evidence"


def check_upload(upload):
    """Refuse what may not be kept as evidence; return (content type, SHA-256)."""
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s; evidence files may be at most %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            }
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    kind = ALLOWED.get(extension(upload.name))
    if kind is None:
        raise ValidationError(
            _("Files of this type cannot be kept as evidence. Allowed: %(types)s.")
            % {"types": ", ".join(sorted(ALLOWED))}
        )
    content_type, signatures = kind
    upload.seek(0)
    head = upload.read(512)
    if signatures and not head.startswith(signatures):
        raise ValidationError(
            _("The file's content does not match its extension .%(ext)s.")
            % {"ext": extension(upload.name)}
        )
    if not signatures and any(marker in head.lower() for marker in MARKUP):
        raise ValidationError(_("Web pages and markup cannot be kept as evidence."))
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


def file_sha256(storage, name):
    """The SHA-256 of a stored file, read in chunks."""
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stored:
        for chunk in iter(lambda: stored.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()
