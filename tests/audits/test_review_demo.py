"""The demo management review of 2026: closed by the chair, its compiled inputs show the demo
audit, its nonconformities and incidents; seeding twice changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from aims.core.digests import canonical_sha256
from audits.models import (
    AIIncident,
    Audit,
    ManagementReview,
    Nonconformity,
    ReviewAction,
    ReviewDecision,
)

pytestmark = pytest.mark.django_db


def test_the_demo_review_is_closed_with_inputs_matching_the_demo_audit_and_incidents():
    call_command("seed_demo")
    review = ManagementReview.objects.get(title="Management review 2026")
    assert review.reference == "MR-2026-1"
    assert review.status == ManagementReview.Status.CLOSED
    assert review.approved_by == review.chair != review.minute_taker
    assert review.snapshot_sha256 == canonical_sha256(review.snapshot)
    inputs = review.snapshot["inputs"]
    performance = inputs["performance"]
    audit = Audit.objects.get()
    assert [a["reference"] for a in performance["audits"]["audits"]] == [audit.reference]
    opened = {nc["reference"] for nc in performance["nonconformities"]["opened"]}
    assert opened == set(Nonconformity.objects.values_list("reference", flat=True))
    assert performance["nonconformities"]["open_now"] == Nonconformity.objects.open().count()
    incidents = {i["reference"]: i["serious"] for i in performance["incidents"]["incidents"]}
    assert incidents == dict(AIIncident.objects.values_list("reference", "serious"))
    # Each KPI measured in the period comes with its chart; the demo KPIs are measured monthly.
    assert any(kpi["measurements"] for kpi in performance["kpis"])
    assert all("<svg" in kpi["chart"] for kpi in performance["kpis"] if kpi["measurements"])
    assert [i["reference"] for i in inputs["improvements"]]
    assert ReviewDecision.objects.filter(review=review).count() == 3
    assert ReviewAction.objects.filter(review=review).count() == 2

    frozen = review.snapshot_sha256
    call_command("seed_demo")
    review.refresh_from_db()
    assert review.snapshot_sha256 == frozen
    assert ManagementReview.objects.count() == 2


def test_the_demo_review_page_shows_the_approved_inputs_and_the_auditor_gets_the_minutes(client):
    call_command("seed_demo")
    review = ManagementReview.objects.get(title="Management review 2026")
    open_nc = Nonconformity.objects.open().first()
    client.force_login(get_user_model().objects.get(username="auditor"))
    page = client.get(review.get_absolute_url()).content.decode()
    assert "Inputs to the review" in page
    assert review.snapshot_sha256 in page
    if open_nc is not None:
        assert open_nc.reference in page
    response = client.get(reverse("audits:managementreview_minutes_pdf", args=[review.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
