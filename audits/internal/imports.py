"""An audit checklist kept in a spreadsheet (CSV or XLSX), imported into one audit's checklist
through the core's import wizard (aims/core/imports/services.py).

Each row names a clause (4.1 to 10.2) or an Annex A control (A.2.2 to A.10.4) of ISO/IEC 42001,
in the ways checklists write them ("A.6.2.4", "a.6.2.4", "Clause 6.1.2", "ISO/IEC 42001 6.1.2",
"6.1.2 AI risk assessment"), with the question, the result and the notes. A reference the
standard does not have, or a heading such as 6.1 whose sub-clauses are audited, is an error on
its row: nothing is ever created for it. A clause or control named by two rows is an error on
both, since which one is meant cannot be told.

The wizard creates one `ChecklistImportRow` per row (what the file said); the import then applies
the rows to the audit's checklist (`checklist_rows_apply`): a row whose clause or control is on
the checklist already updates that item, any other row adds an item.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.core.imports.services import ImportSpec, import_read
from audits.models import (
    Audit,
    AuditResult,
    ChecklistImport,
    ChecklistImportRow,
    ChecklistItem,
    Clause,
)
from controls.models import Control, ControlObjective, Framework

# fmt: off
ALIASES = {
    "reference": ["clause", "control", "reference", "ref", "requirement", "clause or control",
                  "clause control", "iso 42001", "iso iec 42001", "iso reference",
                  "annex a control", "norm reference", "klausel", "kapitel", "abschnitt",
                  "normkapitel", "normabschnitt", "normanforderung", "norm", "anforderung",
                  "massnahme", "klausel massnahme", "referenz", "normbezug", "bezug"],
    "question": ["question", "audit question", "check", "checkpoint", "what is checked",
                 "requirement question", "frage", "prueffrage", "auditfrage", "prueffrage",
                 "pruefpunkt", "fragestellung", "was wird geprueft"],
    "result": ["result", "audit result", "finding type", "rating", "assessment", "outcome",
               "ergebnis", "bewertung", "auditergebnis", "einstufung", "befund"],
    "notes": ["notes", "note", "audit notes", "findings", "evidence", "observations", "comment",
              "comments", "remarks", "notizen", "anmerkungen", "bemerkungen", "feststellungen",
              "feststellung", "nachweise", "kommentar"],
}
# A negated "conforming" ("nicht konform", "not ok") is a nonconformity of unstated grade: it is
# proposed as minor for the user to confirm, never as conforming (the longest keyword wins).
KEYWORDS = {
    "result": {
        AuditResult.CONFORMING: ["conform", "conforms", "compliant", "ok", "met", "fulfilled",
                                 "konform", "erfuellt", "i o", "in ordnung"],
        AuditResult.MAJOR: ["major", "major nc", "nc major", "major nonconformity",
                            "major non conformity", "hauptabweichung", "wesentliche abweichung",
                            "abweichung schwer", "schwerwiegende abweichung"],
        AuditResult.MINOR: ["minor", "minor nc", "nc minor", "minor nonconformity",
                            "minor non conformity", "nebenabweichung", "geringfuegige abweichung",
                            "abweichung leicht", "leichte abweichung", "nonconforming",
                            "non conforming", "not conforming", "does not conform",
                            "not compliant", "non compliant", "not ok", "not met",
                            "not fulfilled", "nicht konform", "nicht erfuellt", "n i o",
                            "nicht in ordnung", "abweichung"],
        AuditResult.OBSERVATION: ["observation", "obs", "beobachtung", "hinweis"],
        AuditResult.IMPROVEMENT: ["ofi", "opportunity for improvement", "improvement",
                                  "recommendation", "verbesserungspotenzial",
                                  "verbesserungsmoeglichkeit", "empfehlung", "verbesserung"],
        AuditResult.NOT_AUDITED: ["not audited", "not checked", "n a", "skipped",
                                  "nicht auditiert", "nicht geprueft", "entfaellt"],
    },
}
# fmt: on

# Words in front of the reference: "ISO/IEC 42001:2023 6.1.2", "Clause 6.1.2", "Anhang A.6.2.4".
PREFIX = re.compile(
    r"^(?:(?:iso\s*/?\s*(?:iec)?\s*)?42001(?:\s*:\s*20\d\d)?|clause|klausel|kapitel|abschnitt|"
    r"control|ma(?:ss|ß)nahme|annex|anhang|ref\.?|nr\.?|no\.?|§)[\s:,.–-]*",
    re.IGNORECASE,
)
# "A.6.2.4", "a 6.2.4", "A. 6.2.4" (Annex A) and "6.1.2", "6.1.2." (clauses), up to a title.
ANNEX_A = re.compile(r"^A\s*\.?\s*(\d+(?:\s*\.\s*\d+)*)\.?(?=\s|$|[:–—-])", re.IGNORECASE)
CLAUSE = re.compile(r"^(\d+(?:\.\d+)*)\.?(?=\s|$|[:–—-])")


def reference_code(text):
    """The clause or control code a cell names, its spacing, case and prefixes made regular:
    " clause 6.1.2 " → "6.1.2", "a.6.2.4" → "A.6.2.4"; "" if it names neither."""
    text = " ".join(str(text).split())
    while match := PREFIX.match(text):
        if not match.group(0):
            break
        text = text[match.end() :]
    if match := ANNEX_A.match(text):
        return "A." + ".".join(part.strip() for part in match.group(1).split("."))
    if match := CLAUSE.match(text):
        return match.group(1)
    return ""


def named_subject(text):
    """The leaf clause or Annex A control a cell names; ValueError saying why there is none."""
    if not text.strip():
        raise ValueError(_("Empty: name the clause or Annex A control the row checks."))
    code = reference_code(text)
    if code.startswith("A."):
        control = Control.objects.filter(framework=Framework.ISO42001, code=code).first()
        if control is not None:
            return control
        objective = ControlObjective.objects.filter(framework=Framework.ISO42001, code=code).first()
        if objective is not None:
            codes = list(objective.controls.order_by("position").values_list("code", flat=True))
            raise ValueError(
                _(
                    "%(code)s is an objective of ISO/IEC 42001 Annex A, not a control: name one "
                    "of its controls (%(controls)s)."
                )
                % {"code": code, "controls": ", ".join(codes)}
            )
        raise ValueError(
            _(
                "Control %(code)s does not exist in ISO/IEC 42001 (Annex A has A.2.2 to "
                "A.10.4); nothing is created for it."
            )
            % {"code": code}
        )
    if code:
        clause = Clause.objects.filter(code=code).first()
        if clause is not None and clause.leaf:
            return clause
        if clause is not None:
            raise ValueError(
                _(
                    "%(code)s is a heading of ISO/IEC 42001; its sub-clauses are audited: "
                    "%(leaves)s."
                )
                % {"code": code, "leaves": ", ".join(leaf_codes(clause))}
            )
        if code.split(".")[0] in ("1", "2", "3"):
            raise ValueError(
                _(
                    "Clause %(code)s of ISO/IEC 42001 holds no requirement to audit; name a "
                    "clause from 4 to 10."
                )
                % {"code": code}
            )
        raise ValueError(
            _(
                "Clause %(code)s does not exist in ISO/IEC 42001 (clauses 4.1 to 10.2); nothing "
                "is created for it."
            )
            % {"code": code}
        )
    raise ValueError(
        _(
            "“%(value)s” names neither a clause (4.1 to 10.2) nor an Annex A control (A.2.2 to "
            "A.10.4) of ISO/IEC 42001."
        )
        % {"value": text.strip()[:100]}
    )


def leaf_codes(clause):
    """The codes of the audited sub-clauses under a heading, in the standard's order."""
    prefix = f"{clause.code}."
    return list(
        Clause.objects.leaves()
        .filter(code__startswith=prefix)
        .order_by("position")
        .values_list("code", flat=True)
    )


def reference(text):
    """Parser of the reference column: the code, once it names a leaf clause or a control."""
    return named_subject(text) and reference_code(text)


def import_context(record):
    """What every row of a record's check needs, computed once per check: the references
    named by several rows, and the subjects already on the audit's checklist."""
    context = getattr(record, "_checklist_context", None)
    if context is None:
        column = next(
            (int(i) for i, code in record.column_mapping.items() if code == "reference"), None
        )
        rows = {}
        if column is not None:
            for number, cells in import_read(CHECKLIST, record).rows:
                if code := reference_code(cells[column]):
                    rows.setdefault(code, []).append(number)
        items = ChecklistItem.objects.filter(audit=record.audit_id)
        context = {
            "rows": rows,
            "clauses": set(items.exclude(clause=None).values_list("clause", flat=True)),
            "controls": set(items.exclude(control=None).values_list("control", flat=True)),
        }
        record._checklist_context = context
    return context


def finish(row):
    """The row's clause or control, its audit, whether it adds or updates an item; a
    reference named by several rows is an error."""
    record = row.source_import
    if record.audit_id is None:
        raise ValueError(_("The import belongs to no audit. Start it from the audit's page."))
    row.audit_id = record.audit_id
    context = import_context(record)
    numbers = context["rows"].get(row.reference, [])
    if len(numbers) > 1:
        raise ValidationError(
            {
                "reference": _(
                    "%(code)s is named by rows %(rows)s; keep one row per clause or control."
                )
                % {"code": row.reference, "rows": ", ".join(str(n) for n in numbers)}
            }
        )
    subject = named_subject(row.reference)
    if isinstance(subject, Clause):
        row.clause = subject
        on_checklist = subject.pk in context["clauses"]
    else:
        row.control = subject
        on_checklist = subject.pk in context["controls"]
    row.outcome = row.Outcome.UPDATED if on_checklist else row.Outcome.CREATED


def checklist_rows_apply(rows, *, record, user):
    """Apply the imported rows to the audit's checklist, in the import's transaction: a row
    updates the item of its clause or control (the first, if several), or adds one. Blank
    cells leave an item's field as it is."""
    audit = Audit.objects.select_for_update(of=("self",)).get(pk=record.audit_id)
    if not Audit.objects.restrict(user, "change").filter(pk=audit.pk).exists():
        raise PermissionDenied
    if audit.lock_reason:
        raise ValidationError(audit.lock_reason)
    items = {}
    for item in audit.checklist.order_by("position", "pk"):
        key = ("clause", item.clause_id) if item.clause_id else ("control", item.control_id)
        items.setdefault(key, item)
    position = audit.checklist.aggregate(last=Max("position"))["last"] or 0
    for row in rows:
        key = ("clause", row.clause_id) if row.clause_id else ("control", row.control_id)
        item = items.get(key) if key[1] else None
        if item is None:
            position += 1
            item = ChecklistItem(
                audit=audit,
                clause=row.clause,
                control=row.control,
                question=row.question or (row.clause or row.control).localized_title,
                position=position,
            )
            row.outcome = row.Outcome.CREATED
        else:
            row.outcome = row.Outcome.UPDATED
        for name in ("question", "result", "notes"):
            if getattr(row, name):
                setattr(item, name, getattr(row, name))
        item.question = item.question[: ChecklistItem._meta.get_field("question").max_length]
        item._history_user = user
        item.save()
        items[key] = item
        row.checklist_item = item
    ChecklistImportRow.objects.bulk_update(rows, ["checklist_item", "outcome"])


CHECKLIST = ImportSpec(
    model=ChecklistImportRow,
    record_model=ChecklistImport,
    fields=list(ALIASES),
    aliases=ALIASES,
    exact_only=("ref", "norm", "bezug", "check", "c", "rating", "outcome", "note", "befund"),
    keywords=KEYWORDS,
    parsers={"reference": reference},
    required=["reference"],
    finish=finish,
    after_create=checklist_rows_apply,
    reference_field=None,
    title=gettext_lazy("Import a checklist"),
    intro=gettext_lazy(
        "Bring an audit checklist kept in a spreadsheet: one row per clause (4.1 to 10.2) or "
        "Annex A control (A.2.2 to A.10.4) of ISO/IEC 42001, with the question, the result "
        "and the notes. A row whose clause or control is on the checklist already updates "
        "that item; blank cells leave it as it is; other rows add items. A reference the "
        "standard does not have is shown as an error on its row and never created. Nothing "
        "is saved until you confirm the check."
    ),
    preview_fields=["reference", "question", "result", "notes", "outcome"],
)
