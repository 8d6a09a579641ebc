"""The Statement of Applicability as a document: rows with their labels, grouped by objective,
for the PDF, the XLSX file, the version page and the comparison of two versions. Works on the
plain data a version freezes, so the current SoA and every issued version print the same way."""

import io
from datetime import date, datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from aims.core.digests import canonical_sha256
from aims.core.exports import FORMULA_TRIGGERS
from aims.core.permissions import perm_name
from controls.models import (
    Control,
    ControlObjective,
    Evidence,
    Framework,
    ImplementationStatus,
    SoAEntry,
    SoAFramework,
)


def scoped_lists():
    """The lists of related objects an entry names: list name → (model, label as frozen)."""
    field = SoAEntry._meta.get_field
    return {
        "risks": (apps.get_model("risks", "Risk"), str),
        "impact_assessments": (field("impact_assessments").related_model, str),
        "requirements": (field("requirements").related_model, str),
        "legal_requirements": (field("legal_requirements").related_model, lambda c: c.code),
        "evidence": (Evidence, str),
    }


def visible_labels(reader):
    """For each list the reader may not see whole: the labels of the objects they may view.

    A reader who may view every object of a kind gets the list as frozen (with the names of
    objects renamed or deleted since); anyone else only names that match an object in their
    scope now, so a document never names what the reader's pages answer 404 for."""
    lists = scoped_lists()
    visible = {}
    for name in narrower_lists(reader):
        model, label = lists[name]
        visible[name] = {label(obj) for obj in model._default_manager.restrict(reader)}
    return visible


def narrower_lists(reader):
    """The lists of which the reader may not view every object."""
    if reader is None:
        return []
    return [
        name
        for name, (model, _label) in scoped_lists().items()
        if not reader.has_perm(perm_name(model, "view"))
    ]


def entries_for_reader(entries, reader):
    """Frozen entries with each list of related objects cut to what the reader may view."""
    visible = visible_labels(reader)
    if not visible:
        return entries
    return [
        {
            **entry,
            **{
                name: [item for item in entry[name] if item in labels]
                for name, labels in visible.items()
                if name in entry
            },
        }
        for entry in entries
    ]


def entry_drivers(entry):
    # Versions issued before impact assessments were linked have no such key.
    return [
        *entry["risks"],
        *entry.get("impact_assessments", []),
        *entry["requirements"],
        *entry["legal_requirements"],
    ]


SCOPED_NOTE = gettext_lazy(
    "This copy names only the linked risks, evidence and other records you may view."
)


def soa_rows(entries, reader=None):
    """The entries as rows to print; with a `reader`, each list of related objects holds only
    those the reader may view (see `visible_labels`)."""
    statuses = dict(ImplementationStatus.choices)
    catalogues = dict(Framework.choices)
    german = translation.get_language() == "de"
    # Whether an entry has a driver is a fact of the statement, whoever reads it.
    has_drivers = [bool(entry_drivers(entry)) for entry in entries]
    rows = []
    for entry, has_driver in zip(entries_for_reader(entries, reader), has_drivers, strict=True):
        drivers = entry_drivers(entry)
        rows.append(
            {
                **entry,
                "display_title": entry["title_de"]
                if german and entry["title_de"]
                else entry["title"],
                "catalogue_label": catalogues.get(entry["catalogue"], entry["catalogue"]),
                "scope_label": f"{entry['scope']} {entry['scope_name']}"
                if entry["scope"]
                else _("Organization-wide"),
                "status_label": statuses.get(entry["status"], entry["status"])
                if entry["applicable"]
                else "—",
                "drivers": drivers,
                "missing_driver": entry["applicable"] and not has_driver,
            }
        )
    return rows


def soa_document(version, entries, framework=SoAFramework.ISO42001, reader=None):
    """The statement to print for `reader`: related objects outside their scope left out."""
    framework = SoAFramework(version.framework if version else framework)
    rows = soa_rows(entries, reader)
    titles = {
        o.code: o.localized_title
        for o in ControlObjective.objects.filter(framework__in=framework.catalogues)
    }
    # One group per objective, in the order objectives first appear: own controls numbered
    # across objectives would otherwise repeat an objective's heading for every run of entries.
    groups = {}
    for row in rows:
        key = row["objective"] or row["catalogue"]
        if key not in groups:
            title = titles.get(row["objective"]) or row["catalogue_label"]
            groups[key] = {"key": key, "title": f"{row['objective']} {title}".strip(), "rows": []}
        groups[key]["rows"].append(row)
    yes, no = _("yes"), _("no")
    headers = [
        _("Control"),
        _("Title"),
        _("Scope"),
        _("Applicable"),
        _("Justification for inclusion"),
        _("Linked drivers"),
        _("Justification for exclusion"),
        _("Implementation status"),
        _("Owner"),
        _("Evidence"),
        _("Last review"),
        _("Next review"),
    ]
    table = [
        [
            row["control"],
            row["display_title"],
            row["scope_label"],
            yes if row["applicable"] else no,
            row["inclusion_justification"],
            "; ".join(row["drivers"]),
            row["exclusion_justification"],
            row["status_label"],
            row["owner"],
            "; ".join(row["evidence"]),
            iso_date(row["last_review"]),
            iso_date(row["next_review"]),
        ]
        for row in rows
    ]
    return {
        "version": version,
        "framework": framework,
        "standard": f"{framework.label} · {framework.clause}",
        "groups": list(groups.values()),
        "headers": headers,
        "table": table,
        "applicable": sum(1 for row in rows if row["applicable"]),
        "excluded": sum(1 for row in rows if not row["applicable"]),
        "implemented": sum(
            1
            for row in rows
            if row["applicable"] and row["status"] == ImplementationStatus.IMPLEMENTED
        ),
        "sha256": version.sha256 if version else canonical_sha256({"entries": entries}),
        "printed": timezone.localtime(),
        # Said whenever the reader's scope is narrower, whether or not this copy left out
        # anything, so that the note reveals nothing.
        "scoped": bool(narrower_lists(reader)),
    }


def iso_date(text):
    """A date the frozen content holds as ISO text, or None."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# Comparison of two versions: labels and values as a reader knows them --------------------------

LIST_FIELDS = ("risks", "impact_assessments", "requirements", "legal_requirements", "evidence")
DATE_FIELDS = ("last_review", "next_review")


def field_label(name):
    """The field's label in the reader's language ("Justification for inclusion")."""
    if name == "evidence":  # the link is declared on the evidence
        label = Evidence._meta.verbose_name_plural
    elif name == "risks":  # the link is declared on the risk
        label = apps.get_model("risks", "Risk")._meta.verbose_name_plural
    elif name == "title":
        label = Control._meta.get_field("title").verbose_name
    else:
        try:
            label = SoAEntry._meta.get_field(name).verbose_name
        except FieldDoesNotExist:  # a field older versions froze and the entry no longer has
            label = name.replace("_", " ")
    return capfirst(label)


def readable_value(name, value):
    """A frozen value as text: Yes/No, the status label, a joined list, a formatted date."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "status":
        return dict(ImplementationStatus.choices).get(value, value)
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    if name in DATE_FIELDS and (day := iso_date(value)):
        return date_format(day, "DATE_FORMAT")
    return str(value)


def readable_diff(diff):
    """`soa_diff`'s result with each change as (label, before, after) in words."""
    return {
        **diff,
        "changed": [
            (
                row,
                [
                    (field_label(name), readable_value(name, before), readable_value(name, after))
                    for name, before, after in changes
                ],
            )
            for row, changes in diff["changed"]
        ],
    }


# The XLSX file: a cover sheet that identifies the version, then the statement -----------------

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
COLUMN_WIDTHS = (10, 40, 20, 11, 50, 30, 40, 18, 18, 30, 12, 12)


def put(cell, value):
    """Write a value into a cell: dates as date cells, text always as text, never a formula."""
    if isinstance(value, datetime):
        cell.value = timezone.localtime(value).replace(tzinfo=None)
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    elif isinstance(value, int | float) and not isinstance(value, bool):
        cell.value = value
    else:
        text = "" if value is None else str(value)
        cell.value = text
        # A string cell: '=…' stays text, and the quote prefix keeps Excel from turning it
        # into a formula when someone edits the cell.
        cell.data_type = "s"
        if text.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True


def cover_rows(document):
    version = document["version"]
    rows = [
        (_("Statement of Applicability"), document["standard"]),
        (_("Version"), version.number if version else _("current, not issued")),
    ]
    if version:
        rows += [
            (_("Status"), version.get_status_display()),
            (_("Issued by"), str(version.issued_by)),
            (_("Issued"), version.issued_at),
        ]
        if version.status == version.Status.REJECTED:
            rows += [
                (_("Rejected by"), str(version.decided_by)),
                (_("Rejected"), version.decided_at),
            ]
        else:
            rows += [
                (_("Approved by"), str(version.decided_by) if version.decided_by_id else "—"),
                (_("Approved"), version.decided_at),
            ]
        rows += [
            (_("Decision comment"), version.decision_comment),
            (_("Summary of changes"), version.note),
        ]
    else:
        rows.append((_("Status"), _("Working copy: not issued and not approved.")))
    rows += [
        (
            _("Controls"),
            _("%(applicable)s applicable (%(implemented)s implemented), %(excluded)s excluded")
            % document,
        ),
        ("SHA-256", document["sha256"]),
        (_("Printed"), document["printed"]),
    ]
    if document.get("scoped"):
        rows.append((_("Scope"), SCOPED_NOTE))
    return rows


def soa_workbook(document):
    """The statement as an XLSX file (bytes): a cover sheet, then one row per entry with a
    frozen header row and a filter on every column."""
    workbook = Workbook()
    cover = workbook.active
    cover.title = _("Cover")[:31]
    for number, (label, value) in enumerate(cover_rows(document), start=1):
        put(cover.cell(row=number, column=1), label)
        cover.cell(row=number, column=1).font = Font(bold=True)
        put(cover.cell(row=number, column=2), value)
        cover.cell(row=number, column=2).alignment = Alignment(
            wrap_text=True, vertical="top", horizontal="left"
        )
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 80

    sheet = workbook.create_sheet(_("Statement of Applicability")[:31])
    for column, header in enumerate(document["headers"], start=1):
        put(sheet.cell(row=1, column=column), header)
        sheet.cell(row=1, column=column).font = Font(bold=True)
    for number, values in enumerate(document["table"], start=2):
        for column, value in enumerate(values, start=1):
            put(sheet.cell(row=number, column=column), value)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column in range(1, len(document["headers"]) + 1):
        width = COLUMN_WIDTHS[column - 1] if column <= len(COLUMN_WIDTHS) else 20
        sheet.column_dimensions[get_column_letter(column)].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
