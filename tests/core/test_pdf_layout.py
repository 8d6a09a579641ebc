"""Printed records keep every value on its label's row.

Each PDF the portal prints is rendered through its view, in English and in German (whose labels
are longer), from a record whose values run over several lines. The text is read back from the
PDF with its position on the page, and for every label the row on which the label starts must
show the start of that label's value, and nothing else beside it: a value that slid up beside
the wrapped label above it ("(f) measures if the risks materialise: 12", where 12 is the
re-assessment interval) fails the check.
"""

import datetime
import io
import re

import pdfplumber
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from aims.core import roles
from aims.core.pdf import html_to_pdf
from aims.impact import services
from aims.impact.models import AssessmentDecision, ImpactAssessment, Rating
from aims.inventory.classification import Answers
from aims.inventory.services import ai_system_classify
from controls import services as soa_services
from controls.models import SoAFramework, SoAVersion
from tests.factories import (
    AISystemFactory,
    ControlFactory,
    ImpactAssessmentFactory,
    ImpactFactory,
    RiskFactory,
    SoAVersionFactory,
    UserFactory,
)

LANGUAGES = ("en", "de")
# Points. A label and its value share the top of their row; their first lines' tops differ by
# less than this (a smaller font for hashes), while a value one line off is 11 points away.
SAME_ROW = 2.5
# Points. Words of one text are a space (about 2.5 points) apart; columns are further apart.
COLUMN_GAP = 6
HEX = re.compile(r"[0-9a-f]{16,64}")


def long_value(topic):
    """A value of several lines, each long enough to wrap in its column."""
    return (
        f"{topic}: the claims triage model ranks every incoming motor and household claim by "
        "urgency, so that case handlers see the most pressing cases first, and it never rejects "
        "a claim on its own.\n"
        f"Second line on {topic.lower()}: reviewed every quarter by the claims department, the "
        "data protection officer and the works council, who sign the review minutes.\n"
        "Third line: open questions are tracked in the AI officer's register until closed."
    )


# Reading positions back from the PDF ---------------------------------------------------------


def printed_lines(content):
    """The lines of the PDF, top to bottom: on each, its words left to right, as pdfplumber
    reads them with their positions (x0, x1, top in points)."""
    assert content.startswith(b"%PDF-")
    lines = []
    with pdfplumber.open(io.BytesIO(content)) as document:
        for page in document.pages:
            page_lines = []
            for word in sorted(page.extract_words(), key=lambda w: (w["top"], w["x0"])):
                line = page_lines[-1] if page_lines else None
                if line and abs(line[0]["top"] - word["top"]) <= SAME_ROW:
                    line.append(word)
                else:
                    page_lines.append([word])
            lines += [sorted(line, key=lambda w: w["x0"]) for line in page_lines]
    return lines


def squeezed(text):
    """Text without white space: lines wrap anywhere, and the PDF keeps no line breaks."""
    return "".join(str(text).split())


def columns(line):
    """Each way to cut a printed line into a left and a right column, as squeezed text: a cut
    falls only where the gap between two words is wider than a space."""
    for cut in range(1, len(line)):
        if line[cut]["x0"] - line[cut - 1]["x1"] > COLUMN_GAP:
            yield (
                "".join(w["text"] for w in line[:cut]),
                "".join(w["text"] for w in line[cut:]),
            )


def value_matches(expected, printed):
    """Whether `printed`, the first line of a value as printed, is how `expected` starts.
    `expected` is a text (whose first line may wrap: the printed line is a start of it) or a
    pattern the printed line must match whole."""
    if isinstance(expected, re.Pattern):
        return expected.fullmatch(printed) is not None
    return bool(printed) and squeezed(expected).startswith(printed)


def assert_values_on_label_rows(content, pairs):
    """For each (label, value): a printed line holds the label's first line on the left and the
    first line of the value, and nothing else, on the right."""
    lines = printed_lines(content)
    misplaced = []
    for label, value in pairs:
        wanted = squeezed(label)
        beside = [
            (left, right)
            for line in lines
            for left, right in columns(line)
            if wanted.startswith(left)
        ]
        if not any(value_matches(value, right) for _left, right in beside):
            misplaced.append(f"{label!r}: beside it {[right for _l, right in beside]!r}")
    assert not misplaced, "Values not on their label's row:\n" + "\n".join(misplaced)


def pdf_of(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response.content


def starts_with(digest):
    """A hash as printed: it wraps anywhere, so its first line is some start of it."""
    return re.compile(re.escape(digest[:16]) + "[0-9a-f]*")


def printed_since(start):
    """What "Printed" may say for a PDF rendered between `start` and now: the date, whatever the
    time (either date if midnight passed in between)."""
    days = {
        squeezed(formats.date_format(timezone.localtime(moment), "DATE_FORMAT"))
        for moment in (start, timezone.now())
    }
    return re.compile("(" + "|".join(re.escape(day) for day in days) + ").*")


# The check itself, on two small documents: the old layout (labels floated left, values beside
# them) and the table rows that replaced it.
DRIFT_PAIRS = [
    ("Measures if the risks materialise, with governance and complaint mechanisms", "Desk"),
    ("Re-assess every (months)", "12"),
]
FLOATED = """<style>dt { float: left; clear: left; width: 38mm; font-weight: bold; }
dd { margin: 0 0 1mm 40mm; }</style>
<dl><dt>Measures if the risks materialise, with governance and complaint mechanisms</dt>
<dd>Desk</dd><dt>Re-assess every (months)</dt><dd>12</dd></dl>"""
TABLE_ROWS = """<table class="fields">
<tr><th>Measures if the risks materialise, with governance and complaint mechanisms</th>
<td>Desk</td></tr><tr><th>Re-assess every (months)</th><td>12</td></tr></table>"""


def test_the_check_finds_a_value_that_slid_up_beside_a_wrapping_label():
    with pytest.raises(AssertionError, match=re.escape("'Re-assess every (months)'")):
        assert_values_on_label_rows(html_to_pdf(FLOATED), DRIFT_PAIRS)


def test_the_check_accepts_label_value_pairs_in_table_rows():
    assert_values_on_label_rows(html_to_pdf(TABLE_ROWS), DRIFT_PAIRS)


# The impact assessment -----------------------------------------------------------------------

TEXT_FIELDS = (
    "intended_use",
    "foreseeable_misuse",
    "technical_context",
    "societal_context",
    "affected_groups",
    "vulnerable_groups",
    "data_used",
    "human_oversight",
    "predictable_failures",
    "positive_impacts",
    "negative_impacts",
    "recommendation",
    "fria_processes",
    "fria_period",
    "fria_affected_persons",
    "fria_risks",
    "fria_oversight",
    "fria_measures",
)
NOTIFIED_ON = datetime.date(2027, 3, 9)
DUE = datetime.date(2027, 6, 30)
# The labels that wrap in German, among them those of the rows that drifted.
GERMAN_LABELS = {
    "(f) Maßnahmen, wenn die Risiken eintreten",
    "Ergebnis der Marktüberwachungsbehörde mitgeteilt am",
    "Intervall der erneuten Bewertung (Monate)",
    "Nächste erneute Bewertung",
}
CONDITION = (
    "Report the ranking by age group to the AI officer every month, with the share of claims "
    "moved up or down by the case handlers and the reasons they gave."
)


@pytest.fixture
def assessment(db, compliance_officer):
    """A decided assessment of a system under Art. 27, every text field written at length."""
    system = AISystemFactory(
        name="Claims triage for motor and household insurance", ai_act_roles=["deployer"]
    )
    ai_system_classify(
        system=system,
        answers=Answers(annex_iii_area="essential_services", credit_or_insurance=True),
        user=compliance_officer,
    )
    assessment = ImpactAssessmentFactory.build(
        system=system,
        owner=compliance_officer,
        jurisdictions="Germany, Austria, Switzerland, Liechtenstein, Luxembourg and the EU",
        fria_notified_on=NOTIFIED_ON,
        review_interval_months=12,
        overall_rating=Rating.HIGH,
        **{name: long_value(name.replace("_", " ").capitalize()) for name in TEXT_FIELDS},
    )
    assessment._history_user = compliance_officer
    assessment.save()
    impact = ImpactFactory.build(
        assessment=assessment,
        description=long_value("Impact"),
        mitigation=long_value("Mitigation"),
        likelihood=Rating.LOW,
        severity=Rating.CRITICAL,
        control=ControlFactory(title="Monthly fairness report on the claims ranking"),
        risk=RiskFactory(title="Older policy holders wait longer for their claims"),
    )
    impact._history_user = compliance_officer
    impact.save()
    decider = UserFactory(
        role=roles.AI_OFFICER, first_name="Maximiliane", last_name="von Hohenzollern-Sigmaringen"
    )
    services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    services.impact_assessment_decide(
        assessment=assessment,
        user=decider,
        outcome=AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS,
        comment=long_value("Decision comment"),
        conditions=[(CONDITION, compliance_officer, DUE)],
    )
    assessment.refresh_from_db()
    return assessment


def label_of(model, name):
    return capfirst(model._meta.get_field(name).verbose_name)


def assessment_pairs(assessment, start):
    """(label, value) of every row the assessment's PDF prints with a value from the test."""
    model = ImpactAssessment
    impact = assessment.impacts.get()
    decision = assessment.decisions.get()
    pairs = [(label_of(model, name), getattr(assessment, name)) for name in TEXT_FIELDS]
    pairs += [
        (label_of(model, "jurisdictions"), assessment.jurisdictions),
        (label_of(model, "status"), ImpactAssessment.Status.APPROVED_WITH_CONDITIONS.label),
        (label_of(model, "overall_rating"), Rating.HIGH.label),
        (label_of(model, "fria_notified_on"), formats.localize(NOTIFIED_ON)),
        (label_of(model, "review_interval_months"), "12"),
        (label_of(model, "next_review"), formats.localize(assessment.next_review)),
        (gettext("Printed"), printed_since(start)),
        (gettext("SHA-256 of the current content"), HEX),
        # The impact and the decision.
        (capfirst(gettext("impact")), impact.description),
        (capfirst(gettext("likelihood")), Rating.LOW.label),
        (capfirst(gettext("severity")), Rating.CRITICAL.label),
        (gettext("Mitigation"), impact.mitigation),
        (gettext("Control"), str(impact.control)),
        (gettext("Risk"), str(impact.risk)),
        (capfirst(gettext("decision")), AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS.label),
        (capfirst(gettext("decided by")), str(decision.decided_by)),
        (
            capfirst(gettext("decided at")),
            formats.date_format(timezone.localtime(decision.decided_at), "DATETIME_FORMAT"),
        ),
        (capfirst(gettext("comment")), decision.comment),
        (capfirst(gettext("conditions")), CONDITION),
        (gettext("SHA-256 of the decided content"), starts_with(decision.snapshot_sha256)),
    ]
    return pairs


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_value_of_the_assessment_pdf_is_on_its_labels_row(
    client, auditor, assessment, language
):
    client.force_login(auditor)
    start = timezone.now()
    content = pdf_of(client, reverse("impact:pdf", args=[assessment.pk]), language)
    with translation.override(language):
        pairs = assessment_pairs(assessment, start)
    if language == "de":
        assert {str(label) for label, _value in pairs} >= GERMAN_LABELS
    assert_values_on_label_rows(content, pairs)


# The Statement of Applicability: the current one and an issued version, per framework -------

ISSUED_AT = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.UTC)
DECIDED_AT = datetime.datetime(2026, 11, 20, 16, 45, tzinfo=datetime.UTC)
NOTE = "Justifications of A.6.2.6 and A.8.2 rewritten after the internal audit."
CONTROLS_SUMMARY = "%(applicable)s applicable (%(implemented)s implemented), %(excluded)s excluded"


def controls_summary():
    """The "Controls" row as a pattern: its counts depend on the catalogue."""
    pattern = re.escape(squeezed(gettext(CONTROLS_SUMMARY)))
    for name in ("applicable", "implemented", "excluded"):
        pattern = pattern.replace(re.escape(f"%({name})s"), r"\d+")
    return re.compile(pattern)


def soa_started(framework, user):
    if not soa_services.soa_started(framework):
        soa_services.soa_start(user=user, framework=framework)


@pytest.fixture
def issued_version(db, compliance_officer):
    """An approved version of a framework's SoA, issued and decided by people with long names,
    with a long comment. Its summary of changes is one line: beside a label that wraps (in
    German), a value shorter than its label is what let the next value slide up."""
    issuer = UserFactory(first_name="Maximiliane", last_name="von Hohenzollern-Sigmaringen")
    decider = UserFactory(first_name="Friedrich-Wilhelm", last_name="zu Schaumburg-Lippe")

    def issue(framework):
        soa_started(framework, compliance_officer)
        return SoAVersionFactory(
            framework=framework,
            content=soa_services.soa_content(framework),
            note=NOTE,
            issued_by=issuer,
            issued_at=ISSUED_AT,
            status=SoAVersion.Status.APPROVED,
            decided_by=decider,
            decided_at=DECIDED_AT,
            decision_comment=long_value("Approval comment"),
        )

    return issue


def date_time(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_value_of_the_current_soa_pdf_is_on_its_labels_row(
    client, compliance_officer, language
):
    client.force_login(compliance_officer)
    start = timezone.now()
    url = reverse("controls:soa_pdf")
    content = pdf_of(client, url, language)
    with translation.override(language):
        pairs = [
            (gettext("Status"), gettext("Working copy: not issued and not approved.")),
            (gettext("Printed"), printed_since(start)),
            (gettext("Controls"), controls_summary()),
            ("SHA-256", HEX),
        ]
    assert_values_on_label_rows(content, pairs)


@pytest.mark.parametrize(
    ("language", "framework"),
    [
        ("en", SoAFramework.ISO42001),
        ("de", SoAFramework.ISO42001),
        # The ISMS statement prints through the same template, with its own catalogue.
        ("de", SoAFramework.ISO27001),
    ],
)
def test_every_value_of_an_issued_soa_version_pdf_is_on_its_labels_row(
    client, auditor, issued_version, framework, language
):
    version = issued_version(framework)
    client.force_login(auditor)
    start = timezone.now()
    url = reverse(
        "controls:soa_version_pdf", kwargs={"framework": framework, "number": version.number}
    )
    content = pdf_of(client, url, language)
    with translation.override(language):
        pairs = [
            (gettext("Status"), SoAVersion.Status.APPROVED.label),
            (gettext("Issued"), f"{date_time(ISSUED_AT)}, {version.issued_by}"),
            (
                gettext("Approved"),
                f"{date_time(DECIDED_AT)}, {version.decided_by}: {version.decision_comment}",
            ),
            (gettext("Summary of changes"), version.note),
            (gettext("Printed"), printed_since(start)),
            (gettext("Controls"), controls_summary()),
            ("SHA-256", starts_with(version.sha256)),
        ]
    assert_values_on_label_rows(content, pairs)
