"""Training records from an HR system's export (CSV or XLSX) through the core's import wizard
(aims/core/imports/services.py).

Each row names a person, the course or qualification, its date, how long it is valid and the
provider. The person is looked up among the people of the competence register, by e-mail
first, then by name (ignoring case). An unknown person is an error on the row: the import never
creates people, because an HR export spells the same person in several ways and a register of
near-duplicates would hide gaps. Add the person to the register and import again, or skip the
row. A date that is not a date, a valid-until before the date, or a training recorded already
(the same person, course and date, in the register or twice in the file) is an error on its row
as well; nothing is imported until such rows are skipped explicitly.

The imported records meet the requirements whose "satisfied by" names their course.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aims.competence.models import Person, TrainingImport, TrainingRecord
from aims.competence.services import training_records_link
from aims.core.imports.parsing import parse_date
from aims.core.imports.proposals import normalize
from aims.core.imports.services import ImportSpec, import_read

# fmt: off
ALIASES = {
    "person": ["person", "name", "employee", "employee name", "participant", "attendee",
               "e mail", "email", "mail", "full name", "mitarbeiter", "mitarbeiterin",
               "mitarbeitende", "name mitarbeiter", "teilnehmer", "teilnehmerin",
               "teilnehmende", "vorname nachname", "e mail adresse", "mitarbeitername"],
    "course": ["course", "training", "course name", "training name", "qualification",
               "certificate", "certification", "title", "schulung", "kurs", "schulungstitel",
               "kurstitel", "qualifikation", "weiterbildung", "zertifikat", "massnahme",
               "bezeichnung", "seminar", "unterweisung"],
    "kind": ["kind", "type", "training type", "art", "typ", "schulungsart"],
    "completed_on": ["date", "completed", "completed on", "completion date", "attended",
                     "training date", "date completed", "datum", "abschlussdatum",
                     "schulungsdatum", "absolviert am", "teilnahme am", "durchgefuehrt am",
                     "abgeschlossen am", "kursdatum"],
    "valid_until": ["valid until", "expires", "expiry", "expiry date", "expiration",
                    "valid to", "renewal due", "gueltig bis", "ablaufdatum", "ablauf",
                    "gueltigkeit", "auffrischung bis", "befristet bis"],
    "provider": ["provider", "trainer", "vendor", "training provider", "organizer",
                 "institution", "anbieter", "schulungsanbieter", "veranstalter", "referent",
                 "dozent", "traeger", "institut"],
}
KEYWORDS = {
    "kind": {
        TrainingRecord.Kind.TRAINING: ["training", "course", "e learning", "workshop",
                                       "schulung", "kurs", "seminar", "unterweisung"],
        TrainingRecord.Kind.QUALIFICATION: ["qualification", "certificate", "certification",
                                            "degree", "exam", "qualifikation", "zertifikat",
                                            "zertifizierung", "abschluss", "pruefung"],
    },
}
# fmt: on


def person_named(text):
    """The one person of the register a cell names by e-mail, else by name."""
    text = " ".join(text.split())
    if not text:
        raise ValueError(_("Empty: name the person by e-mail or name."))
    people = list(Person.objects.filter(email__iexact=text)[:2]) if "@" in text else []
    if not people:
        people = list(Person.objects.filter(name__iexact=text)[:2])
    if len(people) == 1:
        return people[0]
    if not people:
        raise ValueError(
            _(
                "“%(value)s” is not in the people register (looked up by e-mail and name). "
                "Add the person first, or skip the row."
            )
            % {"value": text}
        )
    raise ValueError(
        _("“%(value)s” names several people; use their e-mail address.") % {"value": text}
    )


def rows_by_training(record):
    """(person id, course, date) → the file's row numbers, computed once per check of the
    record, so that a training listed twice is an error on each of its rows."""
    cached = getattr(record, "_trainings_in_file", None)
    if cached is not None:
        return cached
    columns = {code: int(index) for index, code in record.column_mapping.items()}
    rows = {}
    if {"person", "course", "completed_on"} <= set(columns):
        for number, cells in import_read(TRAININGS, record).rows:
            try:
                person = person_named(cells[columns["person"]])
                completed = parse_date(cells[columns["completed_on"]])
            except ValueError:
                continue  # an error of its own row
            key = (person.pk, normalize(cells[columns["course"]]), completed)
            rows.setdefault(key, []).append(number)
    record._trainings_in_file = rows
    return rows


def finish(training):
    """A training the register holds already, or one the file lists twice, is an error."""
    numbers = rows_by_training(training.source_import).get(
        (training.person_id, normalize(training.course), training.completed_on), []
    )
    if len(numbers) > 1:
        raise ValueError(
            _("Rows %(rows)s list the same training; keep one of them.")
            % {"rows": ", ".join(str(n) for n in numbers)}
        )
    recorded = TrainingRecord.objects.filter(
        person=training.person_id,
        course__iexact=training.course.strip(),
        completed_on=training.completed_on,
    )
    if training.completed_on and recorded.exists():
        raise ValidationError(
            {
                "course": _("This training of %(person)s is recorded already.")
                % {"person": training.person}
            }
        )


def link_requirements(records, *, record, user):
    training_records_link(records)


TRAININGS = ImportSpec(
    model=TrainingRecord,
    record_model=TrainingImport,
    fields=list(ALIASES),
    aliases=ALIASES,
    exact_only=("name", "mail", "art", "typ", "type", "title", "date", "datum", "ablauf"),
    keywords=KEYWORDS,
    parsers={"person": person_named},
    finish=finish,
    after_create=link_requirements,
    reference_field=None,
    title=gettext_lazy("Import training records"),
    intro=gettext_lazy(
        "Bring the training records your HR system exports: one training or qualification per "
        "row, naming the person (by e-mail or name, as in the people register), the course, "
        "the date, how long it is valid and the provider. Title rows above the header and "
        "blank rows are left out. A person not in the register, a date that is not a date, a "
        "valid-until before the date or a training recorded already is an error on its row; "
        "nothing is saved until you confirm the check."
    ),
    preview_fields=["person", "course", "completed_on", "valid_until", "provider"],
)
