"""Controlled documents on the core approval machinery: four-eyes, no eligible decider,
versions, the frozen snapshot, the lock."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aims.core.digests import canonical_sha256
from aims.core.models import Notification
from aims.core.roles import AI_OFFICER
from aims.documents import services
from aims.documents.approvals import DOCUMENT, snapshot
from aims.documents.models import ControlledDocument
from tests.documents.helpers import approved, draft_with_file, upload
from tests.factories import UserFactory

Status = ControlledDocument.Status
pytestmark = pytest.mark.django_db


def test_the_author_of_a_document_cannot_approve_it(compliance_officer):
    author = UserFactory(role=AI_OFFICER)
    other = UserFactory(role=AI_OFFICER)
    document = draft_with_file(author, owner=compliance_officer)
    services.controlled_document_submit(document=document, user=author)

    with pytest.raises(ValidationError, match="four-eyes"):
        services.controlled_document_decide(document=document, user=author)

    services.controlled_document_decide(document=document, user=other)
    document.refresh_from_db()
    assert document.status == Status.APPROVED
    assert document.approved_by == other


def test_whoever_uploaded_a_file_of_the_version_cannot_approve_it(compliance_officer):
    uploader = UserFactory(role=AI_OFFICER)
    decider = UserFactory(role=AI_OFFICER)
    document = draft_with_file(compliance_officer, owner=compliance_officer)
    services.document_file_store(document=document, upload=upload(), user=uploader)
    services.controlled_document_submit(document=document, user=compliance_officer)

    with pytest.raises(ValidationError, match="four-eyes"):
        services.controlled_document_decide(document=document, user=uploader)
    services.controlled_document_decide(document=document, user=decider)


def test_the_owner_of_a_document_cannot_approve_it(compliance_officer):
    owner = UserFactory(role=AI_OFFICER)
    UserFactory(role=AI_OFFICER)
    document = draft_with_file(compliance_officer, owner=owner)
    services.controlled_document_submit(document=document, user=compliance_officer)

    with pytest.raises(ValidationError, match="four-eyes"):
        services.controlled_document_decide(document=document, user=owner)


def test_submission_is_refused_when_no_one_may_decide(compliance_officer):
    only_officer = UserFactory(role=AI_OFFICER)
    document = draft_with_file(only_officer, owner=compliance_officer)

    with pytest.raises(ValidationError, match="No one may decide"):
        services.controlled_document_submit(document=document, user=only_officer)

    document.refresh_from_db()
    assert document.status == Status.DRAFT
    assert Notification.objects.filter(recipient=compliance_officer).exists()


def test_a_draft_without_a_file_cannot_be_submitted(compliance_officer, ai_officer):
    document = draft_with_file(compliance_officer, owner=compliance_officer)
    ControlledDocument.objects.filter(pk=document.pk).update(revision=None)
    document.refresh_from_db()

    with pytest.raises(ValidationError, match="Upload"):
        services.controlled_document_submit(document=document, user=compliance_officer)


def test_a_rejected_version_returns_to_draft_with_the_reasons_required(
    compliance_officer, ai_officer
):
    document = draft_with_file(compliance_officer, owner=compliance_officer)
    services.controlled_document_submit(document=document, user=compliance_officer)

    with pytest.raises(ValidationError):
        services.controlled_document_decide(document=document, user=ai_officer, outcome="reject")
    services.controlled_document_decide(
        document=document, user=ai_officer, outcome="reject", comment="Step 3 is missing."
    )
    document.refresh_from_db()
    assert document.status == Status.DRAFT


def test_approving_a_new_version_retires_the_one_approved_before(compliance_officer, ai_officer):
    first = approved(compliance_officer, ai_officer, owner=compliance_officer)
    draft = services.controlled_document_new_version(document=first, user=compliance_officer)
    assert (draft.reference, draft.version_label, draft.status) == (
        first.reference,
        "2.0",
        Status.DRAFT,
    )
    first.refresh_from_db()
    assert first.status == Status.APPROVED  # until the new version is approved

    services.controlled_document_submit(document=draft, user=compliance_officer)
    services.controlled_document_decide(document=draft, user=ai_officer)

    first.refresh_from_db()
    draft.refresh_from_db()
    assert (first.status, draft.status) == (Status.RETIRED, Status.APPROVED)


def test_approving_a_version_leaves_the_other_documents_approved(
    client, compliance_officer, ai_officer
):
    other = approved(compliance_officer, ai_officer, owner=compliance_officer)
    first = approved(compliance_officer, ai_officer, owner=compliance_officer)
    draft = services.controlled_document_new_version(document=first, user=compliance_officer)
    services.controlled_document_submit(document=draft, user=compliance_officer)
    services.controlled_document_decide(document=draft, user=ai_officer)

    statuses = dict(ControlledDocument.objects.values_list("pk", "status"))
    assert statuses == {
        other.pk: Status.APPROVED,
        first.pk: Status.RETIRED,
        draft.pk: Status.APPROVED,
    }
    client.force_login(ai_officer)
    page = client.get(other.get_absolute_url()).content.decode()
    assert "Approved" in page and "Retired" not in page


def test_only_one_version_of_a_document_is_in_preparation(compliance_officer, ai_officer):
    first = approved(compliance_officer, ai_officer, owner=compliance_officer)
    services.controlled_document_new_version(document=first, user=compliance_officer)

    with pytest.raises(ValidationError, match="in preparation"):
        services.controlled_document_new_version(document=first, user=compliance_officer)


def test_the_approved_snapshot_and_its_hash_stay_when_the_next_draft_changes(
    compliance_officer, ai_officer
):
    first = approved(compliance_officer, ai_officer, owner=compliance_officer)
    frozen, digest = first.approved_snapshot, first.approved_sha256
    assert digest == canonical_sha256(frozen)
    assert frozen["file"]["sha256"] == first.revision.sha256

    draft = services.controlled_document_new_version(document=first, user=compliance_officer)
    services.document_file_store(
        document=draft, upload=upload(text="# Procedure\n\nStep two.\n"), user=compliance_officer
    )
    draft.refresh_from_db()
    draft.title = "Renamed procedure"
    draft.save()

    first.refresh_from_db()
    assert (first.approved_snapshot, first.approved_sha256) == (frozen, digest)
    assert canonical_sha256(snapshot(first)) == digest
    assert draft.revision.sha256 != first.revision.sha256


def test_a_decision_is_refused_when_the_content_changed_after_it_was_shown(
    compliance_officer, ai_officer
):
    document = draft_with_file(compliance_officer, owner=compliance_officer)
    seen = canonical_sha256(DOCUMENT.content(document))
    services.controlled_document_submit(document=document, user=compliance_officer)
    ControlledDocument.objects.filter(pk=document.pk).update(title="Changed behind the back")

    with pytest.raises(ValidationError, match="changed"):
        services.controlled_document_decide(document=document, user=ai_officer, seen=seen)


def test_an_approved_document_cannot_be_edited(client, compliance_officer, ai_officer):
    document = approved(compliance_officer, ai_officer, owner=compliance_officer)
    client.force_login(compliance_officer)

    response = client.post(
        reverse("documents:controlleddocument_edit", args=[document.pk]),
        {
            "loaded_version": document.version,
            "reference": document.reference,
            "title": "Changed",
            "doc_type": document.doc_type,
            "version_label": document.version_label,
            "owner": compliance_officer.pk,
            "confidentiality": document.confidentiality,
            "review_months": 12,
            "retention_years": 3,
        },
    )

    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title != "Changed"


def test_a_file_that_is_markup_is_refused_at_the_field(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.post(
        reverse("documents:controlleddocument_add"),
        {
            "title": "Procedure",
            "doc_type": "procedure",
            "version_label": "1.0",
            "owner": compliance_officer.pk,
            "confidentiality": "internal",
            "review_months": 12,
            "retention_years": 3,
            "upload": upload("page.txt", "<html><script>alert(1)</script></html>"),
        },
    )

    assert response.status_code == 200
    assert "upload" in response.context["form"].errors
    assert not ControlledDocument.objects.exists()


def test_the_form_stores_the_file_as_evidence_with_its_hash(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.post(
        reverse("documents:controlleddocument_add"),
        {
            "title": "Procedure",
            "doc_type": "procedure",
            "version_label": "1.0",
            "owner": compliance_officer.pk,
            "confidentiality": "internal",
            "review_months": 12,
            "retention_years": 3,
            "upload": upload(),
        },
    )

    assert response.status_code == 302
    document = ControlledDocument.objects.get()
    assert document.revision.evidence == document.evidence
    assert len(document.revision.sha256) == 64


def test_the_ai_officer_approves_through_the_decide_page(client, compliance_officer, ai_officer):
    document = draft_with_file(compliance_officer, owner=compliance_officer)
    client.force_login(compliance_officer)
    client.post(reverse("documents:controlleddocument_submit", args=[document.pk]))
    document.refresh_from_db()
    assert document.status == Status.SUBMITTED

    client.force_login(ai_officer)
    page = client.get(DOCUMENT.decide_url(document))
    assert page.status_code == 200
    client.post(
        DOCUMENT.decide_url(document),
        {"seen": canonical_sha256(DOCUMENT.content(document)), "outcome": "approve"},
    )
    document.refresh_from_db()
    assert document.status == Status.APPROVED
