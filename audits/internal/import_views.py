"""The checklist import's pages: the core's import wizard (aims/core/imports/views.py), entered
from one audit's page and kept to the audits the user may change and that are not closed.

The wizard's own steps know nothing of audits: the upload names the audit (`?audit=<pk>`) and
attaches the new import record to it; each later step checks the record's audit first.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _

from aims.core.imports import parsing, views
from aims.core.uploads import limit_upload
from audits.internal.imports import CHECKLIST
from audits.models import Audit, ChecklistImport


def importable_audit(user, pk):
    """The audit whose checklist the user may import into; 404 for any other (also one the
    user may only read)."""
    return get_object_or_404(Audit.objects.restrict(user, "change"), pk=pk)


def closed_refusal(request, audit):
    """A redirect to the audit when its checklist can no longer change, else None."""
    if audit.lock_reason:
        messages.error(request, audit.lock_reason)
        return redirect(audit)
    return None


@login_required
@limit_upload(lambda: parsing.MAX_BYTES)
def checklist_import_upload(request, spec):
    pk = request.GET.get("audit", "")
    if not pk.isdigit():
        # Reached without an audit, e.g. from "Upload a file" after a failed upload.
        messages.info(request, _("Start the checklist import from the audit's page."))
        return redirect("audits:audit_list")
    audit = importable_audit(request.user, int(pk))
    if refusal := closed_refusal(request, audit):
        return refusal
    if request.method == "GET":
        messages.info(request, _("The checklist goes into %(audit)s.") % {"audit": audit})

    def started(record):
        ChecklistImport.objects.filter(pk=record.pk).update(audit=audit)
        return redirect(views.step_url(request, "import_status", record))

    return views.upload_step(request, spec, started)


def for_changeable_audit(view, *, open_only=True):
    """A wizard step that first checks the import's audit: one the user may change (404
    otherwise) and, for the steps before the import, not closed."""

    @login_required
    @wraps(view)
    def step(request, spec, pk):
        record = get_object_or_404(ChecklistImport.objects.only("pk", "audit"), pk=pk)
        audit = importable_audit(request.user, record.audit_id or 0)
        if open_only and (refusal := closed_refusal(request, audit)):
            return refusal
        return view(request, spec, pk)

    return step


def checklist_import_urlpatterns():
    steps = (
        ("new/", checklist_import_upload, "import_upload"),
        ("<int:pk>/columns/", for_changeable_audit(views.import_columns), "import_columns"),
        ("<int:pk>/values/", for_changeable_audit(views.import_values), "import_values"),
        ("<int:pk>/preview/", for_changeable_audit(views.import_preview), "import_preview"),
        (
            "<int:pk>/status/",
            for_changeable_audit(views.import_status, open_only=False),
            "import_status",
        ),
    )
    return [path(route, view, {"spec": CHECKLIST}, name=name) for route, view, name in steps]
