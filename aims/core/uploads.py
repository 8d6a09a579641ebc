"""Uploads refused by their size before they are read.

Two checks, one limit per page: a view declares the largest file it takes with `limit_upload`
(the evidence pages, the import wizard); any other page takes at most the largest of those.

- `UploadLimitMiddleware` refuses a request whose declared length (CONTENT_LENGTH) exceeds the
  limit plus `FORM_ALLOWANCE` for the form's other fields, before anything reads the body.
- `LimitedUploadHandler`, first in FILE_UPLOAD_HANDLERS, stops reading as soon as more than the
  limit of one file has arrived (a body within its declared length whose file is still too big).

Both answer 413 with a page that says what the limit is; nothing is stored.
"""

from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.files.uploadhandler import FileUploadHandler
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

# What a form sends besides its file: a note, a description, the CSRF token, multipart headers.
FORM_ALLOWANCE = 1024 * 1024


class UploadRefused(BadRequest):
    """Raised while reading a body whose file passed the limit; the middleware answers it."""


def limit_upload(max_bytes):
    """View decorator: the view takes files of at most `max_bytes()` bytes (a callable, read at
    each request, so settings and tests can change it)."""

    def decorator(view):
        view.upload_max_bytes = max_bytes
        return view

    return decorator


def largest_upload():
    """What a page that declares no limit takes: the largest file any page takes."""
    from aims.core.imports import parsing  # noqa: PLC0415 (loads the models)

    return max(settings.EVIDENCE_MAX_BYTES, parsing.MAX_BYTES)


def upload_limit(request):
    """The largest file the requested page takes, in bytes (looked up once per request)."""
    if not hasattr(request, "_upload_limit"):
        try:
            view = resolve(request.path_info).func
        except Resolver404:
            view = None
        declared = getattr(view, "upload_max_bytes", None)
        request._upload_limit = declared() if declared else largest_upload()
    return request._upload_limit


def declared_length(request):
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def too_large(limit):
    return _(
        "The upload is larger than %(limit)s, the most this page takes. Nothing was stored."
    ) % {"limit": filesizeformat(limit)}


def refused_response(request, limit):
    return render(
        request,
        "core/upload_refused.html",
        {"message": too_large(limit), "back": request.get_full_path()},
        status=413,
    )


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if declared_length(request) > FORM_ALLOWANCE:
            limit = upload_limit(request)
            if declared_length(request) > limit + FORM_ALLOWANCE:
                request.upload_refused = limit
                return refused_response(request, limit)
        response = self.get_response(request)
        if getattr(request, "upload_refused", None) is not None:
            return refused_response(request, request.upload_refused)
        return response


class LimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops the upload past the page's limit; the
    handlers after it (memory, temporary file) keep the data as usual."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        limit = upload_limit(self.request)
        if self.received > limit:
            self.request.upload_refused = limit
            raise UploadRefused(too_large(limit))
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler makes the file
