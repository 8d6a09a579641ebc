"""The Statement of Applicability as printed for one reader: the current statement of a framework
or an issued version within the reader's scope, its title and its file name. The same builder
serves the PDF rendered in the request and the one the worker renders for a large statement."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from aims.core.permissions import can
from controls import services
from controls.models import SoAEntry, SoAFramework, SoAVersion
from controls.soa_document import soa_document

TEMPLATE = "controls/soa_pdf.html"


def soa_framework(value):
    """The SoA named in a URL or a form (404 for anything else)."""
    try:
        return SoAFramework(value)
    except ValueError:
        raise Http404 from None


def statement_source(user, number, framework):
    """(version, entries) to print: the framework's current SoA (version None), or an issued
    version of it the user may see. PermissionDenied or Http404 otherwise."""
    framework = soa_framework(framework)
    if number is None:
        if not can(user, "view", SoAEntry):
            raise PermissionDenied
        if not services.soa_started(framework):
            raise Http404(services.not_started_message(framework))
        return None, services.soa_content(framework)["entries"]
    version = get_object_or_404(
        SoAVersion.objects.restrict(user), framework=framework, number=number
    )
    return version, version.entries


def soa_file_name(version, framework=SoAFramework.ISO42001):
    # The ISO 42001 statement keeps its file names; the ISO 27001 one says which it is.
    prefix = "statement-of-applicability"
    if SoAFramework(framework) == SoAFramework.ISO27001:
        prefix = f"{prefix}-iso27001"
    if version is None:
        return f"{prefix}-current-{timezone.localdate()}"
    return f"{prefix}-v{version.number}"


def soa_title(version, framework):
    which = (
        _("version %(number)s") % {"number": version.number}
        if version
        else _("current, not issued")
    )
    return " · ".join([_("Statement of Applicability"), str(SoAFramework(framework).label), which])


def soa_printed(user, *, number, framework):
    """(template, context) of the statement as `user` may read it."""
    version, entries = statement_source(user, number, framework)
    return TEMPLATE, soa_document(version, entries, framework, reader=user)
