"""Pages of the controls area beyond the generic registers: the control page, the SoA summary
and its versions (issue, decide, compare, PDF and XLSX), coverage, and evidence files."""

from typing import NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from aims.core import pdf
from aims.core.approvals import decision_state
from aims.core.forbidden import get_or_refuse
from aims.core.lean import without_json
from aims.core.permissions import can
from aims.core.related_lists import FirstEntries, Rows
from aims.core.uploads import limit_upload
from aims.core.views import refused
from audits.models import AuditPack
from audits.packs.documents import printed_in_request
from audits.packs.services import document_queue
from controls import services
from controls.approvals import SOA_VERSION
from controls.coverage import coverage
from controls.forms import EvidenceRevisionForm, SoAIssueForm
from controls.models import Evidence, SoAEntry, SoAFramework, SoAVersion
from controls.soa_document import (
    entries_for_reader,
    readable_diff,
    soa_document,
    soa_rows,
    soa_workbook,
)
from controls.soa_printed import TEMPLATE as SOA_TEMPLATE
from controls.soa_printed import soa_file_name, soa_framework, soa_title, statement_source
from risks.models import Risk


def control_detail_context(control, user):
    mapped = {}
    for other in control.mappings.order_by("framework", "position"):
        mapped.setdefault(other.get_framework_display(), []).append(other)
    return {
        "mapped": mapped,
        "soa_entries": control.soa_entries.restrict(user).select_related("ai_system"),
    }


def catalogue_note(request, filtered):
    """Above the catalogue: which titles stay in English for a German reader."""
    if translation.get_language() != "de":
        return ""
    return format_html(
        '<p class="small text-muted">{}</p>',
        _("ISO/IEC 27001 controls have no German title here; their titles are shown in English."),
    )


def soa_summary(request, filtered):
    """Above the SoA list, per framework: its state, the issue button (or, for ISO 27001, the
    button that starts it), exports and the latest versions."""
    user = request.user
    may_issue = can(user, "add", SoAVersion)
    # Links to versions: their frozen content is not read.
    visible = without_json(SoAVersion.objects.restrict(user)).select_related(
        "issued_by", "decided_by"
    )
    awaiting = {
        v.framework: v
        for v in without_json(SoAVersion.objects.filter(status=SoAVersion.Status.AWAITING_APPROVAL))
    }
    statements = []
    for framework in SoAFramework:
        started = services.soa_started(framework)
        statements.append(
            {
                "framework": framework,
                "started": started,
                "versions": visible.filter(framework=framework)[:5],
                "awaiting": awaiting.get(framework),
                # What keeps a version from being issued, linked for whoever issues (while
                # none awaits approval: then the page says so instead).
                "unjustified": unjustified_links(
                    FirstEntries(services.unjustified(framework)), framework
                )
                if may_issue and started and framework not in awaiting
                else None,
                # Two issue forms on one page: ids of their own.
                "issue_form": SoAIssueForm(auto_id=f"id_{framework}_%s"),
            }
        )
    return render_to_string(
        "controls/soa_summary.html",
        {
            "statements": statements,
            "may_issue": may_issue,
            "may_start": can(user, "add", SoAEntry),
        },
        request=request,
    )


def soa_version_context(version, user):
    earlier = (
        SoAVersion.objects.restrict(user)
        .filter(framework=version.framework, number__lt=version.number)
        .order_by("-number")
        .first()
    )
    return {
        "decision": decision_state(SOA_VERSION, user, version),
        "earlier": earlier,
        "soa_rows": soa_rows(version.entries, user),
    }


def evidence_context(evidence, user):
    return {"revisions": evidence.revisions.select_related("uploaded_by").order_by("-number")}


class UnjustifiedLinks(NamedTuple):
    count: int
    html: str


def unjustified_links(entries, framework):
    """Links to the first entries that need a justification (`FirstEntries`) and, beyond
    those, to the SoA list filtered to all of them: a new SoA of a thousand controls makes no
    page of a thousand links."""
    links = format_html_join(
        ", ", '<a href="{}">{}</a>', ((entry.get_absolute_url(), entry) for entry in entries)
    )
    if entries.more:
        url = f"{reverse('controls:soaentry_list')}?{urlencode({'unjustified': framework})}"
        links = format_html('{}, <a href="{}">{}</a>', links, url, services.and_more(entries))
    return UnjustifiedLinks(entries.total, links)


def unjustified_message(entries, framework):
    """Why a version cannot be issued, with a link to each entry that needs a justification."""
    count, links = unjustified_links(Rows(entries), framework)
    return format_html(
        "{} {}",
        ngettext(
            "The version cannot be issued: %(count)d applicable control has no justification "
            "for inclusion (%(standard)s %(clause)s requires one):",
            "The version cannot be issued: %(count)d applicable controls have no justification "
            "for inclusion (%(standard)s %(clause)s requires one):",
            count,
        )
        % {"count": count, "standard": framework.label, "clause": framework.clause},
        links,
    )


def soa_entry_context(entry, user):
    """The entry's driver risks (the risks' own link to the control) and the evidence of its
    control, as far as the user may see them, and whether it misses a driver."""
    risks = Risk.objects.restrict(user)
    evidence = Evidence.objects.restrict(user).exclude(soa_entries=entry)
    # `SoAEntry.driver_risks` in SQL: for an override it would load every risk's systems.
    drivers = entry.driver_risk_queryset().values("pk")
    return {
        # `SoAEntry.missing_driver` in one query: the property loads every risk of the control.
        "missing_driver": entry.applicable
        and SoAEntry.objects.filter(pk=entry.pk).without_driver().exists(),
        "driver_risks": risks.filter(pk__in=drivers),
        "control_evidence": evidence.filter(controls=entry.control_id)
        if entry.ai_system_id is None
        else evidence.none(),
    }


@login_required
@require_POST
def soa_start(request, framework):
    framework = soa_framework(framework)
    try:
        entries = services.soa_start(user=request.user, framework=framework)
    except ValidationError as error:
        refused(request, error)
    else:
        messages.success(
            request,
            _(
                "The %(framework)s Statement of Applicability is started with %(count)s "
                "controls; record for each whether it applies and why."
            )
            % {"framework": framework.label, "count": len(entries)},
        )
    list_url = reverse("controls:soaentry_list")
    return redirect(f"{list_url}?{urlencode({'catalogue': framework.catalogues[0]})}")


@login_required
@require_POST
def soa_issue(request):
    form = SoAIssueForm(request.POST)
    framework = soa_framework(request.POST.get("framework", SoAFramework.ISO42001))
    if not form.is_valid():
        refused(request, ValidationError(form.errors["note"]))
        return redirect("controls:soaentry_list")
    try:
        version = services.soa_version_issue(
            user=request.user, note=form.cleaned_data["note"], framework=framework
        )
    except services.UnjustifiedEntries as error:
        messages.error(request, unjustified_message(error.entries, error.framework))
        return redirect("controls:soaentry_list")
    except ValidationError as error:
        refused(request, error)
        return redirect("controls:soaentry_list")
    messages.success(
        request,
        _("Version %(number)s of the Statement of Applicability is issued and awaits approval.")
        % {"number": version.number},
    )
    return redirect(version)


@login_required
def soa_compare(request):
    if not can(request.user, "view", SoAVersion):
        raise PermissionDenied
    framework = soa_framework(request.GET.get("framework", SoAFramework.ISO42001))
    versions = SoAVersion.objects.restrict(request.user).filter(framework=framework)
    older = newer = diff = None
    numbers = list(versions.order_by("number").values_list("number", flat=True))
    try:
        older = versions.get(number=int(request.GET["from"]))
        newer = versions.get(number=int(request.GET["to"]))
    except (KeyError, ValueError, SoAVersion.DoesNotExist):
        if request.GET:
            messages.error(request, _("Choose two issued versions to compare."))
    else:
        diff = readable_diff(
            services.soa_diff(
                entries_for_reader(older.entries, request.user),
                entries_for_reader(newer.entries, request.user),
            )
        )
    return render(
        request,
        "controls/soa_compare.html",
        {
            "numbers": numbers,
            "older": older,
            "newer": newer,
            "diff": diff,
            "framework": framework,
            "frameworks": list(SoAFramework),
        },
    )


def soa_source(request, number, framework):
    return statement_source(request.user, number, framework)


@login_required
def soa_pdf(request, number=None, framework=SoAFramework.ISO42001):
    """The statement as a PDF download; a statement of more entries than a request may print
    goes to the worker, and the user to the page that offers it when it is ready."""
    version, entries = soa_source(request, number, framework)
    if not printed_in_request(len(entries)):
        job = document_queue(
            user=request.user,
            document=AuditPack.Document.SOA,
            parameters={"number": number, "framework": SoAFramework(framework).value},
            title=soa_title(version, framework),
            file_name=soa_file_name(version, framework),
        )
        return redirect(job)
    document = soa_document(version, entries, framework, reader=request.user)
    content = pdf.render_pdf(SOA_TEMPLATE, document)
    return pdf.pdf_response(content, soa_file_name(version, framework))


@login_required
def soa_xlsx(request, number=None, framework=SoAFramework.ISO42001):
    version, entries = soa_source(request, number, framework)
    content = soa_workbook(soa_document(version, entries, framework, reader=request.user))
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = soa_file_name(version, framework)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


@login_required
def coverage_view(request):
    if not can(request.user, "view", SoAEntry):
        raise PermissionDenied
    return render(request, "controls/coverage.html", {"frameworks": coverage()})


@login_required
def evidence_download(request, pk, number):
    evidence = get_object_or_404(Evidence.objects.restrict(request.user), pk=pk)
    revision = get_object_or_404(evidence.revisions, number=number)
    try:
        stored = revision.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(
        stored, as_attachment=True, filename=revision.file_name, content_type=revision.content_type
    )
    # Never rendered by the browser, whatever the file holds.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@limit_upload(lambda: settings.EVIDENCE_MAX_BYTES)
def evidence_revision_add(request, pk):
    evidence = get_or_refuse(Evidence.objects, request.user, "change", pk)
    form = EvidenceRevisionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.evidence_revision_add(
                evidence=evidence,
                upload=form.cleaned_data["file"],
                user=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request, _("Revision %(number)s stored.") % {"number": revision.number}
            )
            return redirect(evidence)
    return render(
        request, "controls/evidence_revision_form.html", {"evidence": evidence, "form": form}
    )
