"""The records index: exactly the records of each kind a user may see, one page of them, at a
flat number of queries."""

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core.roles import AUDITOR
from aims.documents.records import records_index
from aims.impact.models import AssessmentDecision
from tests.documents.helpers import approved, draft_with_file
from tests.factories import (
    AIPolicyFactory,
    AuditFactory,
    ImpactAssessmentFactory,
    ManagementReviewFactory,
    SoAVersionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def decided_assessment():
    assessment = ImpactAssessmentFactory(status="approved")
    AssessmentDecision.objects.create(
        assessment=assessment,
        outcome="approved",
        decided_by=UserFactory(),
        snapshot={"reference": assessment.reference},
        snapshot_sha256="a" * 64,
    )
    return assessment


def one_record_of_each_kind(author, approver):
    return {
        "document": approved(author, approver, owner=author).reference,
        "ai_policy": AIPolicyFactory(status="approved").reference,
        "soa": str(SoAVersionFactory()),
        "impact": decided_assessment().reference,
        "audit": AuditFactory(status="reported").reference,
        "review": closed_review().reference,
    }


def closed_review():
    return ManagementReviewFactory(status="closed", snapshot_sha256="b" * 64)


def undecided_records(author):
    draft_with_file(author, owner=author)
    AIPolicyFactory()
    ImpactAssessmentFactory()
    AuditFactory()
    ManagementReviewFactory()


def keys(records):
    return {(r.kind, r.reference or r.title) for r in records}


def test_the_index_lists_the_decided_records_of_every_kind_and_nothing_undecided(
    compliance_officer, ai_officer, auditor
):
    expected = one_record_of_each_kind(compliance_officer, ai_officer)
    undecided_records(compliance_officer)

    assert keys(records_index(auditor)) == set(expected.items())


def test_each_kind_alone_lists_only_its_records(compliance_officer, ai_officer, auditor):
    expected = one_record_of_each_kind(compliance_officer, ai_officer)

    for kind, key in expected.items():
        assert keys(records_index(auditor, kind)) == {(kind, key)}


def test_a_user_sees_only_the_records_the_permission_layer_lets_them_see(
    compliance_officer, ai_officer, make_user
):
    one_record_of_each_kind(compliance_officer, ai_officer)
    no_role = make_user("no_role")
    assert records_index(no_role) == []

    owned = approved(compliance_officer, ai_officer, owner=no_role)
    assert keys(records_index(no_role)) == {("document", owned.reference)}


def test_the_page_shows_the_records_with_hash_and_report_link(
    client, compliance_officer, ai_officer, auditor
):
    one_record_of_each_kind(compliance_officer, ai_officer)
    client.force_login(auditor)

    response = client.get(reverse("documents:records"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "aaaaaaaaaaaa" in page  # the assessment decision's SHA-256, shortened
    audit = apps.get_model("audits.Audit").objects.get()
    assert reverse("audits:audit_report_pdf", args=[audit.pk]) in page
    review = apps.get_model("audits.ManagementReview").objects.get()
    assert reverse("audits:managementreview_minutes_pdf", args=[review.pk]) in page


def test_the_page_filters_by_kind_and_ignores_an_unknown_kind(
    client, compliance_officer, ai_officer, auditor
):
    one_record_of_each_kind(compliance_officer, ai_officer)
    client.force_login(auditor)

    only_audits = client.get(reverse("documents:records"), {"kind": "audit"})
    everything = client.get(reverse("documents:records"), {"kind": "nonsense"})

    assert [r.kind for r in only_audits.context["page"]] == ["audit"]
    assert len(everything.context["page"]) == 6


def test_the_index_is_paginated(client, settings, compliance_officer, auditor):
    settings.REGISTER_PAGE_SIZE = 2
    SoAVersionFactory.create_batch(3)
    client.force_login(auditor)

    first = client.get(reverse("documents:records"))
    last = client.get(reverse("documents:records"), {"page": 2})

    assert len(first.context["page"]) == 2
    assert len(last.context["page"]) == 1


def index_queries(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("documents:records"))
    assert response.status_code == 200
    return len(captured)


def test_the_index_costs_the_same_queries_for_one_and_many_records_of_each_kind(
    client, compliance_officer, ai_officer
):
    reader = UserFactory(role=AUDITOR)
    one_record_of_each_kind(compliance_officer, ai_officer)
    client.force_login(reader)
    few = index_queries(client)

    for _ in range(4):
        approved(compliance_officer, ai_officer, owner=compliance_officer)
        AIPolicyFactory(status="retired")
        SoAVersionFactory()
        decided_assessment()
        AuditFactory(status="closed")
        closed_review()

    assert index_queries(client) == few
