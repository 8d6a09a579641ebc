"""The sections of an audit pack, built from the demo organisation: what each section prints,
what a narrower reader's pack leaves out, how chosen AI systems and a period narrow the records,
escaping of text fields, the queries a section needs, and the whole pack as a PDF."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.formats import date_format
from pypdf import PdfReader

from aims.context.models import AIPolicy
from aims.core.models import User
from aims.impact.models import AssessmentDecision, DecisionCondition, ImpactAssessment
from aims.inventory.models import AISystem
from aims.objectives.models import Measurement
from audits.models import AIIncident, Improvement, ManagementReview, Nonconformity
from audits.packs.build import PART_BREAK, render_pack
from audits.packs.sections import PackScope, all_sections
from controls.models import Evidence, SoAVersion
from risks.models import Risk
from tests import factories

# The sections written for the registers, in pack order.
KEYS = [
    "scope",
    "policy",
    "roles",
    "inventory",
    "risk_criteria",
    "risks",
    "soa",
    "impact",
    "objectives",
    "competence",
    "audits",
    "nonconformities",
    "incidents",
    "reviews",
    "documents",
]
RISK_REFERENCE = re.compile(r"\bR-\d{4}\b")
SYSTEM_REFERENCE = re.compile(r"\bAIS-\d{3}\b")


def demo_user(username):
    return User.objects.get(username=username)


def sections():
    return {section.key: section for section in all_sections() if section.key in KEYS}


def render(section, scope):
    context = section.build(scope)
    return None if context is None else render_to_string(section.template_name, context)


def pages(scope):
    """Each section's HTML by key (None: the section has nothing to show)."""
    return {key: render(section, scope) for key, section in sections().items()}


def text(html):
    return re.sub(r"<[^>]+>", " ", html or "")


@pytest.mark.django_db
def test_the_compliance_officer_s_pack_shows_every_register_of_the_demo(demo_module):
    shown = pages(PackScope(user=demo_user("compliance")))

    assert [key for key in KEYS if shown[key]] == KEYS
    policy = AIPolicy.objects.get(status=AIPolicy.Status.APPROVED)
    assert policy.content.splitlines()[0] in shown["policy"]
    assert "Approved by" in shown["policy"] and str(policy.approved_by) in shown["policy"]
    assert "Acknowledgements" in shown["policy"]
    assert "RACI matrix" in shown["roles"]
    assert "Boundaries" in shown["scope"]
    assert "EU AI Act classification" in shown["inventory"] and "Art. " in shown["inventory"]
    assert "Risk matrix" in shown["risk_criteria"]
    assert "R-0001" in shown["risks"]
    assert shown["risks"].count("<svg") == 2  # inherent and residual heat maps
    version = SoAVersion.objects.filter(status=SoAVersion.Status.APPROVED).first()
    assert version.sha256 in shown["soa"]
    assert "The stored content matches this hash." in shown["soa"]
    decision = AssessmentDecision.objects.filter(
        outcome__in=["approved", "approved_with_conditions"]
    ).first()
    assert decision.snapshot_sha256 in shown["impact"]
    assert "KPI-01" in shown["objectives"] and "<svg" in shown["objectives"]
    assert "Coverage:" in shown["competence"] and "Martin Huber" in shown["competence"]
    assert "Checklist" in shown["audits"]
    improvement = Improvement.objects.filter(checklist_item__isnull=False).first()
    assert improvement is None or improvement.reference in shown["audits"]
    assert Nonconformity.objects.first().reference in shown["nonconformities"]
    assert AIIncident.objects.first().reference in shown["incidents"]
    review = ManagementReview.objects.get(status=ManagementReview.Status.CLOSED)
    assert review.snapshot_sha256 in shown["reviews"]
    assert "SHA-256 of the approved content" in shown["documents"]
    for key, html in shown.items():
        assert not re.search(r">\s*None\s*<", html), key


@pytest.mark.django_db
def test_a_reader_without_a_role_sees_only_the_system_and_the_risk_they_own(demo_module):
    reader = factories.UserFactory(username="outsider")
    system = AISystem.objects.get(reference="AIS-001")
    system.owner = reader
    system.save()
    risk = Risk.objects.filter(ai_systems=system).order_by("reference").first()
    risk.owner = reader
    risk.save()

    shown = pages(PackScope(user=reader))

    everything = " ".join(html for html in shown.values() if html)
    assert set(RISK_REFERENCE.findall(everything)) == {risk.reference}
    assert set(SYSTEM_REFERENCE.findall(shown["inventory"])) == {"AIS-001"}
    # The system's impact assessments come with it (whoever may see a system sees them).
    assert set(SYSTEM_REFERENCE.findall(shown["impact"])) == {"AIS-001"}
    for key in ("policy", "soa", "competence", "reviews", "documents"):
        assert shown[key] is None, key


@pytest.mark.django_db
def test_the_demo_system_owner_s_pack_names_no_evidence_they_may_not_see(demo_module):
    owner = demo_user("owner")
    hidden = set(
        Evidence.objects.exclude(pk__in=Evidence.objects.restrict(owner)).values_list(
            "reference", flat=True
        )
    )
    assert hidden

    shown = pages(PackScope(user=owner))

    assert shown["soa"] and shown["risks"]
    everything = " ".join(html for html in shown.values() if html)
    assert not hidden & set(re.findall(r"\bEV-\d+\b", everything))


@pytest.mark.django_db
def test_choosing_one_ai_system_narrows_the_inventory_and_the_risks_to_it(demo_module):
    system = AISystem.objects.get(reference="AIS-001")
    own = set(Risk.objects.filter(ai_systems=system).values_list("reference", flat=True))
    others = set(Risk.objects.exclude(ai_systems=system).values_list("reference", flat=True))
    assert own and others

    shown = pages(PackScope(user=demo_user("compliance"), systems=(system,)))

    assert set(SYSTEM_REFERENCE.findall(shown["inventory"])) == {"AIS-001"}
    headings = set(re.findall(r"<h4>(R-\d{4})", shown["risks"]))
    assert headings == own
    incidents = AIIncident.objects.filter(ai_system=system)
    if shown["incidents"]:
        assert set(re.findall(r"<h4>(INC-\d{4})", shown["incidents"])) == {
            i.reference for i in incidents
        }


@pytest.mark.django_db
def test_a_period_narrows_the_records_of_the_period(demo_module):
    compliance = demo_user("compliance")
    incident = AIIncident.objects.order_by("occurred_at").first()
    day = timezone.localtime(incident.occurred_at).date()

    one_day = pages(PackScope(user=compliance, since=day, until=day))
    assert set(re.findall(r"<h4>(INC-\d{4})", one_day["incidents"])) == {
        i.reference
        for i in AIIncident.objects.all()
        if timezone.localtime(i.occurred_at).date() == day
    }

    future = datetime.date(2100, 1, 1)
    later = pages(PackScope(user=compliance, since=future))
    for key in ("incidents", "nonconformities", "reviews", "audits"):
        assert later[key] is None or "<h3>AUD-" not in later[key], key
    # KPIs stay, without measurements of the period: no point in their charts.
    assert later["objectives"] and "<circle" not in later["objectives"]
    measured = Measurement.objects.order_by("period_end").last().period_end
    assert "<circle" in pages(PackScope(user=compliance, since=measured))["objectives"]


@pytest.mark.django_db
def test_a_german_reader_gets_dates_in_the_german_format(demo_module):
    policy = AIPolicy.objects.get(status=AIPolicy.Status.APPROVED)

    with translation.override("de"):
        shown = pages(PackScope(user=demo_user("compliance")))
        approved_on = date_format(policy.approved_on, "DATE_FORMAT")

    assert [key for key in KEYS if shown[key]] == KEYS
    assert approved_on in shown["policy"]
    assert policy.approved_on.strftime("%b.") not in shown["policy"]


@pytest.mark.django_db
def test_html_typed_into_a_text_field_is_printed_as_text(demo_module):
    policy = AIPolicy.objects.get(status=AIPolicy.Status.APPROVED)
    AIPolicy.objects.filter(pk=policy.pk).update(content="<script>alert(1)</script> Be fair.")
    risk = Risk.objects.get(reference="R-0001")
    risk.description = '<img src="file:///etc/passwd"> hidden'
    risk.save()

    shown = pages(PackScope(user=demo_user("compliance")))

    assert "&lt;script&gt;alert(1)&lt;/script&gt; Be fair." in shown["policy"]
    assert "<script>" not in shown["policy"]
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt; hidden" in shown["risks"]
    assert "<img" not in shown["risks"]


def more_rows(owner):
    """As many rows again in each register a section prints, each with its children."""
    systems = list(AISystem.objects.all())
    programme = factories.AuditProgrammeFactory()
    for n, system in enumerate(systems):
        new_system = factories.AISystemFactory(owner=owner)
        factories.ClassificationFactory(system=new_system)
        factories.ContextIssueFactory(owner=owner)
        factories.PartyRequirementFactory()
        factories.RACIAssignmentFactory()
        risk = factories.RiskFactory(owner=owner)
        risk.ai_systems.set([system, new_system])
        factories.TreatmentActionFactory(risk=risk, owner=owner)
        factories.RiskAcceptanceFactory(risk=risk, accepted_by=owner)
        assessment = factories.ImpactAssessmentFactory(
            system=new_system, owner=owner, status=ImpactAssessment.Status.APPROVED
        )
        factories.ImpactFactory(assessment=assessment)
        decision = AssessmentDecision.objects.create(
            assessment=assessment,
            outcome=AssessmentDecision.Outcome.APPROVED_WITH_CONDITIONS,
            decided_by=owner,
            snapshot={},
            snapshot_sha256="0" * 64,
        )
        DecisionCondition.objects.create(
            decision=decision, text="Retest", owner=owner, due_date=datetime.date(2027, 1, 1)
        )
        objective = factories.AIObjectiveFactory(owner=owner)
        objective.ai_systems.set([system])
        kpi = factories.KPIFactory(owner=owner)
        kpi.objectives.set([objective])
        factories.MeasurementFactory(kpi=kpi)
        requirement = factories.CompetenceRequirementFactory()
        requirement.ai_systems.set([system])
        person = factories.PersonFactory()
        person.ai_systems.set([system])
        factories.TrainingRecordFactory(person=person)
        audit = factories.AuditFactory(programme=programme, lead_auditor=owner)
        audit.ai_systems.set([system])
        factories.ChecklistItemFactory(audit=audit, result="conforming")
        item = factories.ChecklistItemFactory(audit=audit, result="improvement")
        factories.ImprovementFactory(checklist_item=item, source="audit")
        nonconformity = factories.NonconformityFactory(owner=owner, audit=audit)
        nonconformity.ai_systems.set([system])
        factories.CorrectiveActionFactory(nonconformity=nonconformity, owner=owner)
        factories.EffectivenessCheckFactory(nonconformity=nonconformity)
        incident = factories.AIIncidentFactory(ai_system=system)
        incident.risks.set([risk])
        factories.IncidentReportFactory(incident=incident)
        review = factories.ManagementReviewFactory(
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n)
        )
        review.attendees.set([owner])
        factories.ReviewDecisionFactory(review=review)
        factories.ReviewActionFactory(review=review, owner=owner)
        factories.ControlledDocumentFactory(
            owner=owner, status="approved", approved_by=owner, approved_on=datetime.date.today()
        )


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["compliance", "owner"])
def test_a_section_needs_as_many_queries_for_twice_the_rows(
    demo_module, username, django_assert_max_num_queries
):
    reader = demo_user(username)
    scope = PackScope(user=reader)
    pages(scope)  # the reader's permissions are cached on the user after the first check
    baseline = {}
    for key, section in sections().items():
        with CaptureQueriesContext(connection) as queries:
            render(section, scope)
        baseline[key] = len(queries)

    more_rows(demo_user("compliance"))

    for key, section in sections().items():
        with django_assert_max_num_queries(baseline[key]):
            render(section, scope)


@pytest.mark.django_db
def test_the_whole_pack_prints_the_sections_and_their_values(demo_module):
    compliance = demo_user("compliance")
    version = SoAVersion.objects.filter(status=SoAVersion.Status.APPROVED).first()

    result = render_pack(PackScope(user=compliance, reference="PACK-TEST"))

    assert set(KEYS) <= set(result.sections)
    reader = PdfReader(io.BytesIO(result.pdf))
    words = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for section in sections().values():
        assert str(section.title) in words, section.title
    assert "R-0001" in words and "KPI-01" in words and "SCOPE-" in words
    assert version.sha256[:16] in words.replace(" ", "")


# The sections whose records grow with the organisation: laid out in parts of at most
# build.PART_BYTES, cut between records, so that a layout's memory follows the part.
GROWING = [key for key in KEYS if key not in ("scope", "policy", "roles", "risk_criteria")]
# Sections printing two lists one after the other (the SoA's version, then its entries).
LISTS_MEETING = {"soa": 1, "objectives": 1, "competence": 1, "audits": 1}


@pytest.mark.django_db
@pytest.mark.parametrize("key", GROWING)
def test_a_growing_section_can_be_cut_between_any_two_of_its_records(demo_module, key):
    html = render(sections()[key], PackScope(user=demo_user("compliance"), reference="X"))
    records = html.count('<div class="record">')
    assert records >= 2, f"the demo prints {records} record(s) in {key}: nothing to cut"
    pieces = html.split(PART_BREAK)
    # A cut between every two records of a list; where two lists meet, the last record of one
    # and the first of the next share a piece.
    assert len(pieces) == records - LISTS_MEETING.get(key, 0)
    # Each piece whole: no element opened in one piece and closed in the next.
    for piece in pieces:
        assert piece.count("<div") == piece.count("</div>"), piece[:300]
