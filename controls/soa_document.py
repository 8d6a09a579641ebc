"""The Statement of Applicability as a document: rows with their labels, grouped by objective,
for the PDF, the XLSX file and the version page. Works on the plain data a version freezes,
so the current SoA and every issued version print the same way."""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aims.core.digests import canonical_sha256
from controls.models import ControlObjective, Framework, ImplementationStatus


def soa_rows(entries):
    statuses = dict(ImplementationStatus.choices)
    catalogues = dict(Framework.choices)
    german = translation.get_language() == "de"
    rows = []
    for entry in entries:
        # Versions issued before impact assessments were linked have no such key.
        drivers = [
            *entry["risks"],
            *entry.get("impact_assessments", []),
            *entry["requirements"],
            *entry["legal_requirements"],
        ]
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
                "missing_driver": entry["applicable"] and not drivers,
            }
        )
    return rows


def soa_document(version, entries):
    rows = soa_rows(entries)
    titles = {o.code: o.localized_title for o in ControlObjective.objects.all()}
    groups = []
    for row in rows:
        key = row["objective"] or row["catalogue"]
        if not groups or groups[-1]["key"] != key:
            title = titles.get(row["objective"]) or row["catalogue_label"]
            groups.append({"key": key, "title": f"{row['objective']} {title}".strip(), "rows": []})
        groups[-1]["rows"].append(row)
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
            row["last_review"],
            row["next_review"],
        ]
        for row in rows
    ]
    return {
        "version": version,
        "groups": groups,
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
    }
