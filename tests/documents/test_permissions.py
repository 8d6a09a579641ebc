"""Who may do what with a controlled document beyond the register's own matrix."""

import pytest
from django.urls import reverse

from aims.documents import services
from aims.documents.models import ControlledDocument
from tests.documents.helpers import approved, draft_with_file, upload

Status = ControlledDocument.Status
pytestmark = pytest.mark.django_db


def test_a_reader_can_neither_submit_nor_start_a_version(
    client, compliance_officer, ai_officer, auditor
):
    draft = draft_with_file(compliance_officer, owner=compliance_officer)
    current = approved(compliance_officer, ai_officer, owner=compliance_officer)
    client.force_login(auditor)

    submit = client.post(reverse("documents:controlleddocument_submit", args=[draft.pk]))
    new_version = client.post(
        reverse("documents:controlleddocument_new_version", args=[current.pk])
    )

    assert (submit.status_code, new_version.status_code) == (403, 403)
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert ControlledDocument.objects.filter(reference=current.reference).count() == 1


def test_a_document_outside_the_users_scope_answers_404(client, compliance_officer, make_user):
    draft = draft_with_file(compliance_officer, owner=compliance_officer)
    client.force_login(make_user("no_role"))

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("documents:records")).status_code == 200


def test_the_owner_without_a_role_edits_and_submits_their_draft(
    client, compliance_officer, ai_officer, make_user
):
    owner = make_user("no_role")
    draft = draft_with_file(compliance_officer, owner=owner)

    services.document_file_store(document=draft, upload=upload(), user=owner)
    client.force_login(owner)
    page = client.get(draft.get_absolute_url())
    assert "Submit for approval" in page.content.decode()
    client.post(reverse("documents:controlleddocument_submit", args=[draft.pk]))

    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.revision.uploaded_by == owner


def test_the_approved_page_offers_a_new_version_and_the_file(
    client, compliance_officer, ai_officer
):
    document = approved(compliance_officer, ai_officer, owner=compliance_officer)
    client.force_login(compliance_officer)

    page = client.get(document.get_absolute_url()).content.decode()

    assert "Start a new version" in page
    assert document.approved_sha256 in page
    assert reverse("controls:evidence_download", args=[document.evidence_id, 1]) in page
