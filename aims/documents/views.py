"""Pages of documented information beyond the register: the workflow of a controlled document
and the records index."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aims.core.forbidden import get_or_refuse
from aims.core.permissions import can
from aims.core.views import refused
from aims.documents import services
from aims.documents.models import ControlledDocument
from aims.documents.records import KINDS, records_index


@login_required
@require_POST
def controlled_document_submit(request, pk):
    document = get_or_refuse(ControlledDocument.objects, request.user, "change", pk)
    try:
        services.controlled_document_submit(document=document, user=request.user)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(request, _("%(document)s is awaiting approval.") % {"document": document})
    return redirect(document)


@login_required
@require_POST
def controlled_document_new_version(request, pk):
    document = get_object_or_404(ControlledDocument.objects.restrict(request.user), pk=pk)
    if not can(request.user, "add", ControlledDocument):
        raise PermissionDenied
    try:
        draft = services.controlled_document_new_version(document=document, user=request.user)
    except ValidationError as error:
        refused(request, error)
        return redirect(document)
    messages.success(request, _("Draft %(document)s started.") % {"document": draft})
    return redirect("documents:controlleddocument_edit", pk=draft.pk)


@login_required
def records(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    page = Paginator(records_index(request.user, kind), settings.REGISTER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request, "documents/records.html", {"page": page, "kinds": KINDS.items(), "kind": kind}
    )
