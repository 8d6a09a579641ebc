"""One register entry as a document (7.5.3): its fields in full, its links, its approval record
and hashes, and a summary of its history, printed through the safe renderer (aims/core/pdf.py)
from one template for every register.
"""

import re

from django.apps import apps
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from aims.core import display
from aims.core.approvals import approvals, content_sha256

# How many of the latest changes the document lists; it says how many there are in all.
HISTORY_ENTRIES = 10
# Fields that record a decision on the entry or a hash of its content or file: printed with the
# approval record rather than among the other fields. A field that holds a decision as content
# (what was decided about a requirement) stays among the fields.
APPROVAL_FIELD = re.compile(
    r"(approved_(by|on|at)|decided_(by|at)|decision_comment|submitted_(by|at)|sha256)$"
)


def record_context(register, obj, user, related):
    """What templates/core/register_pdf.html prints for `obj`, as `user` may see it."""
    rows = display.detail_rows(obj, user, links=False)
    names = [f.name for f in display.shown_fields(obj)]
    approval_rows = [row for name, row in zip(names, rows, strict=True) if is_approval(name)]
    history = display.history_page(obj, 1, HISTORY_ENTRIES)
    return {
        "register": register,
        "object": obj,
        "organization": organization(),
        "generated_at": timezone.now(),
        "reader": user,
        "page_footer": page_footer(),
        "rows": [row for name, row in zip(names, rows, strict=True) if not is_approval(name)],
        "related": related,
        "approval_rows": approval_rows,
        "approvals": approval_states(obj),
        "decisions": decision_records(obj, user),
        "current_file": current_file(obj, user),
        "history": history,
        "history_total": history.paginator.count,
    }


def is_approval(name):
    return bool(APPROVAL_FIELD.search(name))


def approval_states(obj):
    """(kind of decision, awaiting one now, SHA-256 of the content decided on) for each
    decision the approval machinery takes on this kind of entry."""
    return [
        {
            "title": approval.title,
            "awaiting": approval.is_awaiting(obj),
            "sha256": content_sha256(approval, obj),
        }
        for approval in approvals.for_model(type(obj))
    ]


def decision_records(obj, user):
    """Decisions kept as records of their own (an impact assessment's decisions), newest
    first: the reverse relations whose entries name who decided."""
    records = []
    for relation in obj._meta.related_objects:
        child = relation.related_model
        if not relation.one_to_many or "decided_by" not in field_names(child):
            continue
        for decision in getattr(obj, relation.get_accessor_name()).all():
            records.append(
                display.detail_rows(decision, user, exclude=(relation.field.name,), links=False)
            )
    return records


def current_file(obj, user):
    """The rows of the entry's current file (evidence), with its SHA-256, or None."""
    revision = getattr(obj, "current_revision", None)
    if revision is None:
        return None
    parent = [f.name for f in revision._meta.concrete_fields if f.related_model is type(obj)]
    return display.detail_rows(revision, user, exclude=(*parent, "file"), links=False)


def field_names(model):
    return {f.name for f in model._meta.get_fields()}


def organization():
    """The AI management system the records belong to: the title of the current scope
    statement ("" while there is none)."""
    try:
        return apps.get_model("context", "ScopeStatement").current_title()
    except LookupError:
        return ""


def page_footer():
    """The CSS `content` of the footer: "Page 3 of 7" in the reader's language."""
    text = _("Page %(page)s of %(pages)s")
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    content = '"' + quoted % {"page": '" counter(page) "', "pages": '" counter(pages) "'} + '"'
    return mark_safe(content)  # noqa: S308 - built from the catalogue, quotes escaped above
