"""The Statement of Applicability's spreadsheet import: an SoA kept in Excel (title rows above
the header, English or German headers, IDs with stray spaces, "Yes", "Ja" or "x" for
applicable) mapped onto the existing entries of the ISO/IEC 42001 SoA.

Nothing is created: each row updates the organization-wide entry of the control it names. A
control ID that is not in ISO/IEC 42001 Annex A (nor among the organization's own controls),
or a second row for the same control, is an error on its row. The wizard and its services are
the core's (aims/core/imports/services.py, update mode).
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.imports.parsing import parse_bool
from aims.core.imports.services import ImportSpec
from controls.models import Control, ControlObjective, Framework, SoAEntry, SoAFramework, SoAImport

# fmt: off
ALIASES = {
    "control": ["control", "control id", "control no", "control number", "control ref",
                "control reference", "annex a control", "annex a", "annex a ref", "ref", "id",
                "nr", "no", "iso 42001 control", "massnahme", "massnahmen nr", "massnahmen id",
                "kontrolle", "control nr", "anhang a", "referenz", "kennung"],
    "applicable": ["applicable", "applicability", "applies", "included", "in scope",
                   "anwendbar", "anwendbarkeit", "relevant", "zutreffend"],
    "inclusion_justification": ["justification", "justification for inclusion",
                                "reason for inclusion", "inclusion justification", "rationale",
                                "reason", "begruendung", "begruendung fuer die aufnahme",
                                "begruendung aufnahme", "begruendung anwendbarkeit"],
    "exclusion_justification": ["justification for exclusion", "reason for exclusion",
                                "exclusion justification", "exclusion reason",
                                "justification if not applicable", "begruendung ausschluss",
                                "begruendung fuer den ausschluss", "ausschlussgrund",
                                "begruendung nicht anwendbar"],
    "status": ["status", "implementation status", "implementation", "implemented",
               "umsetzungsstatus", "umsetzung", "umgesetzt", "stand"],
    "owner": ["owner", "control owner", "responsible", "verantwortlich", "verantwortliche",
              "verantwortlicher", "massnahmenverantwortlicher", "eigentuemer"],
    "last_review": ["last review", "reviewed", "review date", "last reviewed",
                    "letzte pruefung", "letzte ueberpruefung", "geprueft am"],
    "next_review": ["next review", "next review date", "review due", "naechste pruefung",
                    "naechste ueberpruefung", "wiedervorlage"],
}
KEYWORDS = {
    "status": {
        "implemented": ["implemented", "done", "in place", "complete", "completed",
                        "fully implemented", "umgesetzt", "implementiert", "erledigt",
                        "vollstaendig umgesetzt", "abgeschlossen"],
        "partial": ["partial", "partially", "partly", "partially implemented", "in progress",
                    "teilweise", "teilweise umgesetzt", "in umsetzung", "in arbeit"],
        "planned": ["planned", "to do", "todo", "scheduled", "geplant", "vorgesehen"],
        "not_started": ["not started", "open", "not implemented", "none", "nicht begonnen",
                        "offen", "nicht umgesetzt"],
    },
}
# fmt: on

# "A.6.2.4", "a 6.2.4", " A.6. 2.4 ", "A.6.2.4 AI system verification and validation".
ANNEX_A_ID = re.compile(r"^A\s*\.?\s*(\d+(?:\s*\.\s*\d+)*)\.?(?=\s|$|[:–—-])", re.IGNORECASE)
NOT_APPLICABLE = frozenset(
    {"not applicable", "n/a", "na", "excluded", "nicht anwendbar", "ausgeschlossen", "entfaellt"}
)
APPLICABLE = frozenset({"applicable", "included", "anwendbar", "enthalten", "relevant"})


def control_id(text):
    """The control ID a cell names, its spacing and case made regular: " a.6.2. 4 " → A.6.2.4;
    an own control's ID as it is written."""
    text = " ".join(str(text).split())
    if match := ANNEX_A_ID.match(text):
        return "A." + ".".join(part.strip() for part in match.group(1).split("."))
    return text.split(" ")[0] if text else ""


def named_control(text):
    """The control of the ISO/IEC 42001 SoA a cell names by its ID (optionally followed by its
    title): an Annex A control or one of the organization's own."""
    code = control_id(text)
    if not code:
        return None
    catalogues = SoAFramework.ISO42001.catalogues
    control = Control.objects.filter(framework__in=catalogues, code__iexact=code).first()
    if control is not None:
        return control
    if ControlObjective.objects.filter(framework=Framework.ISO42001, code__iexact=code).exists():
        raise ValueError(
            _("%(code)s is an objective of ISO/IEC 42001 Annex A, not a control.") % {"code": code}
        )
    raise ValueError(
        _(
            "“%(value)s” is not a control of ISO/IEC 42001 Annex A (A.2.2 to A.10.4) nor one of "
            "your own controls; nothing is created for it."
        )
        % {"value": code}
    )


def applicability(text):
    """Yes/no in the ways SoA sheets write it: "Yes", "Ja", "x", "Applicable", "N/A"."""
    value = " ".join(str(text).split()).casefold()
    if value in NOT_APPLICABLE:
        return False
    if value in APPLICABLE:
        return True
    return parse_bool(text)


def organization_wide_entries(user):
    entries = SoAEntry.objects.all() if user is None else SoAEntry.objects.restrict(user, "change")
    return (
        entries.organization_wide()
        .for_framework(SoAFramework.ISO42001)
        .select_related("control", "owner")
    )


SOA = ImportSpec(
    model=SoAEntry,
    record_model=SoAImport,
    fields=list(ALIASES),
    aliases=ALIASES,
    exact_only=("control", "ref", "id", "nr", "no", "reason", "relevant", "stand", "reviewed"),
    keywords=KEYWORDS,
    parsers={"control": named_control, "applicable": applicability},
    update_by="control",
    update_queryset=organization_wide_entries,
    title=gettext_lazy("Import a Statement of Applicability"),
    intro=gettext_lazy(
        "Bring the Statement of Applicability you keep in a spreadsheet: one control per row, "
        "named by its ID (A.2.2 to A.10.4, or one of your own controls). Each row updates the "
        "organization-wide entry of its control: applicability, justifications, status, owner "
        "and review dates. Blank cells leave a field as it is; nothing is created, and an ID "
        "that is not in ISO/IEC 42001 Annex A or a second row for a control is shown as an "
        "error. Nothing is saved until you confirm the preview."
    ),
    preview_fields=["control", "applicable", "status", "owner", "next_review"],
)
