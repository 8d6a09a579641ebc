"""The administrators' download of the whole AIMS: a confirmation that the archive is
confidential, then the archive streamed as it is written (no copy kept on the server).

Only the Administrator role; anybody else gets 403. The archive is written during the
response, so it needs no worker and no stored file that could be fetched later.
"""

import logging

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aims.core.archive.export import ArchiveWriter
from aims.core.role_grants import is_administrator

logger = logging.getLogger(__name__)


class ArchiveConfirmForm(forms.Form):
    confidential = forms.BooleanField(
        label=_(
            "I understand that the archive holds confidential data: every register and file, "
            "and every user account with its password hash and second factor."
        ),
        error_messages={"required": _("Confirm that you will keep the archive confidential.")},
    )


class Pipe:
    """A write-only target for the archive: the response sends what was written so far."""

    def __init__(self):
        self.buffer = bytearray()

    def write(self, data):
        self.buffer += data
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def archive_stream(user):
    pipe = Pipe()
    for _step in ArchiveWriter(pipe, by=user.get_username()).steps():
        if pipe.buffer:
            yield pipe.take()
    logger.info("Archive of the whole AIMS downloaded by %s", user.get_username())


@login_required
def archive_export(request):
    if not is_administrator(request.user):
        raise PermissionDenied
    form = ArchiveConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            archive_stream(request.user), content_type="application/zip"
        )
        response["Content-Disposition"] = f'attachment; filename="aims-export-{stamp}.zip"'
        response["Cache-Control"] = "no-store"
        return response
    return render(request, "core/archive_export.html", {"form": form})
