"""Audit pack pages: request a pack and see the earlier ones, follow a pack's progress (the
fragment the page polls), retry a failed pack, download a ready one as an attachment.

A pack is its requester's; those who may read every register see all packs. A printed document
the worker renders (audits/packs/documents.py) is its requester's alone, printed for their scope.
Anybody else gets 404, as for any object outside their scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.permissions import perm_name
from aims.core.registry import registry
from aims.core.roles import REQUEST_AUDIT_PACK
from audits.models import AuditPack
from audits.packs import services
from audits.packs.forms import PackRequestForm

PER_PAGE = 20


def reads_everything(user):
    return all(user.has_perm(perm_name(register.model, "view")) for register in registry)


def visible_jobs(user):
    """The packs and printed documents whose pages `user` may open."""
    jobs = AuditPack.objects.select_related("requested_by").order_by("-created_at", "-pk")
    if reads_everything(user):
        return jobs.filter(Q(document=AuditPack.Document.PACK) | Q(requested_by=user))
    return jobs.filter(requested_by=user)


def visible_packs(user):
    return visible_jobs(user).filter(document=AuditPack.Document.PACK)


@login_required
def pack_list(request):
    if not request.user.has_perm(REQUEST_AUDIT_PACK):
        raise PermissionDenied
    form = PackRequestForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        pack = services.pack_request(user=request.user, **form.cleaned_data)
        return redirect(pack)
    page = Paginator(visible_packs(request.user), PER_PAGE).get_page(request.GET.get("page"))
    for pack in page:
        services.pack_expire_stalled(pack=pack)
    return render(request, "audits/pack_list.html", {"form": form, "page": page})


@login_required
def pack_detail(request, pk):
    """The pack's page, or (asked by htmx) its progress fragment, polled while it runs."""
    pack = get_object_or_404(visible_jobs(request.user), pk=pk)
    services.pack_expire_stalled(pack=pack)
    if request.headers.get("HX-Request"):
        return render(request, "audits/pack_progress.html", {"pack": pack})
    return render(request, "audits/pack_detail.html", {"pack": pack})


@login_required
@require_POST
def pack_retry(request, pk):
    pack = get_object_or_404(visible_jobs(request.user), pk=pk, requested_by=request.user)
    if services.pack_retry(pack=pack):
        messages.info(request, _("The pack is queued again."))
    return redirect(pack)


@login_required
def pack_download(request, pk):
    pack = get_object_or_404(visible_jobs(request.user), pk=pk)
    if pack.status != AuditPack.Status.READY or not pack.file:
        raise Http404(_("The pack is not ready."))
    return pack_file(pack)


def pack_file(pack):
    """A ready pack's file as a download (the page's and the API's)."""
    try:
        stored = pack.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The file is missing from storage.")) from None
    return FileResponse(
        stored,
        as_attachment=True,
        filename=pack.download_name,
        content_type="application/zip" if pack.include_evidence else "application/pdf",
    )
