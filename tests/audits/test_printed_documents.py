"""Large printed documents go to the worker: a Statement of Applicability or an audit report of
more entries than settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES is queued as an audit-pack job (the
request answers with a redirect to the job's page, never with PDF bytes), the worker renders it,
and its requester alone follows and downloads it. Smaller ones are printed in the request as
before. A broker that cannot be reached and a render that fails end the job with a message."""

import pytest
from django.urls import reverse

from audits.models import AuditPack, AuditResult
from controls.models import SoAEntry
from tests.audits.pack_helpers import load_shipped_data, pdf_text, wait_for_pack
from tests.factories import AuditFactory, ChecklistItemFactory, UserFactory

QUESTION = "Are the logs of the claims triage model kept for six months?"


def soa_pdf_url():
    return reverse("controls:soa_pdf")


def assert_queued(response):
    """A redirect to the job's page, no PDF: the request rendered nothing."""
    assert response.status_code == 302
    assert response.get("Content-Type") != "application/pdf"
    assert not response.content.startswith(b"%PDF")
    job = AuditPack.objects.order_by("-pk").first()
    assert response["Location"] == reverse("audits:pack_detail", args=[job.pk])
    return job


def download(client, job):
    response = client.get(reverse("audits:pack_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response, b"".join(response.streaming_content)


def reported_audit(lead, items):
    audit = AuditFactory(reference="AUD-2027-09", title="Logging", lead_auditor=lead)
    for position in range(1, items + 1):
        ChecklistItemFactory(
            audit=audit, question=QUESTION, result=AuditResult.CONFORMING, position=position
        )
    return audit


# With a real worker ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_large_soa_is_queued_rendered_by_the_worker_and_downloaded_by_its_requester_only(
    worker, client, settings
):
    load_shipped_data()
    settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES = 5
    officer = UserFactory(role="Compliance Officer")
    client.force_login(officer)

    job = assert_queued(client.get(soa_pdf_url()))
    assert (job.document, job.requested_by) == (AuditPack.Document.SOA, officer)
    shown = wait_for_pack(client, job)
    assert job.status == AuditPack.Status.READY, job.reason
    assert "Download (PDF)" in shown[-1]
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Statement of Applicability" in page

    response, content = download(client, job)
    assert 'filename="statement-of-applicability-current-' in response["Content-Disposition"]
    text = pdf_text(content)
    assert "current, not issued" in text
    for entry in SoAEntry.objects.filter(ai_system=None).select_related("control")[:40]:
        assert entry.control.code in text
    assert job.pages > 1

    # Printed for the requester's scope: nobody else opens it, not even who reads everything.
    client.force_login(UserFactory(role="Compliance Officer"))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("audits:pack_download", args=[job.pk])).status_code == 404
    # ... nor does it appear among the audit packs.
    assert job.reference not in client.get(reverse("audits:pack_list")).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_large_audit_report_is_rendered_by_the_worker(worker, client, settings):
    load_shipped_data()
    settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES = 2
    lead = UserFactory(role="Internal Auditor")
    audit = reported_audit(lead, items=3)
    client.force_login(lead)

    job = assert_queued(client.get(reverse("audits:audit_report_pdf", args=[audit.pk])))
    wait_for_pack(client, job)
    assert job.status == AuditPack.Status.READY, job.reason
    response, content = download(client, job)
    assert response["Content-Disposition"] == (
        'attachment; filename="AUD-2027-09-audit-report.pdf"'
    )
    text = " ".join(pdf_text(content).split())
    assert "Audit report · AUD-2027-09" in text
    assert text.count(QUESTION) == 3


@pytest.mark.django_db(transaction=True)
def test_a_render_that_fails_ends_the_job_as_failed_with_the_reason(worker, client, settings):
    load_shipped_data()
    settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES = 5
    settings.AIMS_PACK_MEMORY_MB = 64
    client.force_login(UserFactory(role="Auditor"))

    job = assert_queued(client.get(soa_pdf_url()))
    shown = wait_for_pack(client, job)
    assert job.status == AuditPack.Status.FAILED
    assert job.reason == "The render needed more memory than the ceiling of 64 MB."
    assert job.reason in shown[-1] and "Retry" in shown[-1]
    assert client.get(reverse("audits:pack_download", args=[job.pk])).status_code == 404


# Without a worker -----------------------------------------------------------------------------


def test_a_soa_within_the_limit_is_printed_in_the_request(client, compliance_officer, settings):
    settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES = SoAEntry.objects.count()
    client.force_login(compliance_officer)

    response = client.get(soa_pdf_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "A.6.2.8" in pdf_text(response.content)
    assert not AuditPack.objects.exists()


def test_an_audit_report_within_the_limit_is_printed_in_the_request(
    client, internal_auditor, settings
):
    settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES = 3
    audit = reported_audit(internal_auditor, items=3)
    client.force_login(internal_auditor)

    response = client.get(reverse("audits:audit_report_pdf", args=[audit.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert not AuditPack.objects.exists()


@pytest.fixture
def broker_unreachable(settings):
    """The worker's broker at an address where nothing listens (a Redis that is down)."""
    from aims import celery_app

    def reset():
        celery_app._pool = celery_app.amqp._producer_pool = None

    url, options = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    celery_app.conf.broker_transport_options = {}
    reset()
    try:
        yield
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = url, options
        reset()


def test_a_broker_that_is_down_ends_the_job_with_a_message_not_an_error(
    client, auditor, settings, broker_unreachable, django_capture_on_commit_callbacks
):
    settings.AIMS_PDF_IN_REQUEST_MAX_ENTRIES = 5
    client.force_login(auditor)

    with django_capture_on_commit_callbacks(execute=True):
        job = assert_queued(client.get(soa_pdf_url()))

    job.refresh_from_db()
    assert job.status == AuditPack.Status.FAILED
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    assert "could not be handed to the worker" in page.content.decode()
