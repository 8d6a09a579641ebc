"""The checklist: generated from the scope when the audit starts (exactly one item per leaf
clause, Annex A control and AI system in scope, in catalogue order), items added by hand, the
status steps of the audit, and the progress bar."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.internal import services
from audits.internal.checklist import planned_items
from audits.models import Audit, AuditResult, ChecklistItem
from tests.audits.internal_helpers import clauses, controls
from tests.factories import AISystemFactory, AuditFactory, ChecklistItemFactory


@pytest.fixture
def scoped_audit(db):
    audit = AuditFactory()
    audit.clauses.set(clauses("8.4", "6.1.2", "7.5.3"))
    audit.controls.set(controls("A.7.4", "A.5.2", "A.10.2"))
    systems = [AISystemFactory(name="Claims triage"), AISystemFactory(name="Fraud scoring")]
    audit.ai_systems.set(systems)
    return audit, systems


def test_starting_an_audit_generates_exactly_one_item_per_subject_in_catalogue_order(
    compliance_officer, scoped_audit
):
    audit, systems = scoped_audit
    services.audit_start(audit=audit, user=compliance_officer)
    items = list(audit.checklist.order_by("position"))
    assert [item.subject_code for item in items] == [
        "6.1.2",
        "7.5.3",
        "8.4",
        "A.5.2",
        "A.7.4",
        "A.10.2",
        systems[0].reference,
        systems[1].reference,
    ]
    assert items[0].question == items[0].clause.title
    assert items[3].question == items[3].control.title
    assert items[6].question.startswith(f"Sampled records of {systems[0].reference} Claims")
    assert all(item.result == "" for item in items)
    audit.refresh_from_db()
    assert audit.status == Audit.Status.IN_PROGRESS
    assert audit.actual_start == timezone.localdate()


def test_a_subject_added_by_hand_before_the_start_gets_no_second_item(
    compliance_officer, scoped_audit
):
    audit, _systems = scoped_audit
    ChecklistItemFactory(audit=audit, clause=clauses("6.1.2")[0], question="Own question")
    services.audit_start(audit=audit, user=compliance_officer)
    assert audit.checklist.count() == 8
    assert audit.checklist.filter(clause__code="6.1.2").get().question == "Own question"


def test_the_questions_are_in_the_readers_language(scoped_audit):
    from django.utils import translation

    audit, _systems = scoped_audit
    with translation.override("de"):
        items = planned_items(audit)
    assert items[0].question == items[0].clause.title_de


def test_an_audit_with_nothing_in_scope_does_not_start(compliance_officer):
    audit = AuditFactory()
    with pytest.raises(Exception, match="nothing in scope"):
        services.audit_start(audit=audit, user=compliance_officer)


def test_the_report_is_refused_while_items_have_no_result(client, compliance_officer, scoped_audit):
    audit, _systems = scoped_audit
    services.audit_start(audit=audit, user=compliance_officer)
    client.force_login(compliance_officer)
    response = client.post(reverse("audits:audit_report_issue", args=[audit.pk]), follow=True)
    assert "8 of 8 checklist items have no result yet" in response.content.decode()
    audit.refresh_from_db()
    assert audit.status == Audit.Status.IN_PROGRESS

    for item in audit.checklist.all():
        item.result = AuditResult.CONFORMING
        item.save()
    client.post(reverse("audits:audit_report_issue", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == Audit.Status.REPORTED
    assert audit.actual_end == timezone.localdate()

    client.post(reverse("audits:audit_close", args=[audit.pk]))
    audit.refresh_from_db()
    assert audit.status == Audit.Status.CLOSED


def test_steps_out_of_order_are_refused(client, compliance_officer, scoped_audit):
    audit, _systems = scoped_audit
    client.force_login(compliance_officer)
    response = client.post(reverse("audits:audit_close", args=[audit.pk]), follow=True)
    assert "Only a reported audit can be closed." in response.content.decode()
    assert client.get(reverse("audits:audit_start", args=[audit.pk])).status_code == 405
    services.audit_start(audit=audit, user=compliance_officer)
    response = client.post(reverse("audits:audit_start", args=[audit.pk]), follow=True)
    assert "Only a planned audit can be started." in response.content.decode()


def test_a_closed_audit_locks_its_items(client, compliance_officer):
    audit = AuditFactory()
    item = ChecklistItemFactory(audit=audit, result=AuditResult.CONFORMING)
    audit.status = Audit.Status.CLOSED
    audit.save()
    client.force_login(compliance_officer)
    response = client.get(reverse("audits:checklistitem_edit", args=[item.pk]))
    assert response.status_code == 302
    page = client.get(reverse("audits:checklistitem_add"), {"audit": audit.pk})
    assert audit.pk not in [a.pk for a in page.context["form"].fields["audit"].queryset]


def test_the_audit_page_shows_the_progress_bar_and_the_grouped_checklist(
    client, auditor, scoped_audit, compliance_officer
):
    audit, _systems = scoped_audit
    services.audit_start(audit=audit, user=compliance_officer)
    for item in audit.checklist.order_by("position")[:2]:
        item.result = AuditResult.MINOR
        item.save()
    client.force_login(auditor)
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "2 of 8 items have a result." in page
    assert 'class="progress-bar pct-25"' in page
    assert page.index("Clauses") < page.index("Annex A controls") < page.index("AI systems:")
    assert "Minor nonconformity" in page
    # The auditor reads: no status buttons.
    assert reverse("audits:audit_report_issue", args=[audit.pk]) not in page


def test_an_item_added_by_hand_goes_to_the_end_of_the_checklist(client, compliance_officer):
    audit = AuditFactory()
    ChecklistItemFactory(audit=audit, position=4)
    client.force_login(compliance_officer)
    page = client.get(reverse("audits:checklistitem_add"), {"audit": audit.pk})
    assert page.context["form"]["audit"].value() == str(audit.pk)
    response = client.post(
        reverse("audits:checklistitem_add"),
        {"audit": audit.pk, "question": "Are <script>alert(1)</script> records kept?"},
    )
    assert response.status_code == 302
    item = ChecklistItem.objects.get(question__startswith="Are")
    assert item.position == 5
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_sampled_records_are_offered_from_the_audits_ai_systems(
    client, compliance_officer, scoped_audit
):
    from tests.factories import RiskFactory

    audit, systems = scoped_audit
    ours, theirs = RiskFactory(), RiskFactory()
    ours.ai_systems.set([systems[0]])
    theirs.ai_systems.set([AISystemFactory()])
    client.force_login(compliance_officer)
    page = client.get(reverse("audits:checklistitem_add"), {"audit": audit.pk})
    offered = list(page.context["form"].fields["sampled_risks"].queryset)
    assert offered == [ours]


def test_planned_dates_in_the_wrong_order_are_refused_at_the_field(client, compliance_officer):
    from tests.audits.internal_helpers import audit_payload

    client.force_login(compliance_officer)
    response = client.post(
        reverse("audits:audit_add"),
        audit_payload(planned_start="2027-03-05", planned_end="2027-03-01"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["planned_end"]


def test_the_reference_counts_per_year_of_the_planned_start(db):
    first = AuditFactory(planned_start=datetime.date(2027, 1, 5))
    second = AuditFactory(planned_start=datetime.date(2027, 2, 5))
    other = AuditFactory(
        planned_start=datetime.date(2028, 2, 5), planned_end=datetime.date(2028, 2, 6)
    )
    assert (first.reference, second.reference, other.reference) == (
        "AUD-2027-01",
        "AUD-2027-02",
        "AUD-2028-01",
    )


def test_the_audit_form_groups_clauses_by_main_clause_and_controls_by_objective(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    page = client.get(reverse("audits:audit_add")).content.decode()
    assert '<optgroup label="6 Planning">' in page
    assert '<optgroup label="A.6 AI system life cycle">' in page
