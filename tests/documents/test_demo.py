"""The demo's controlled documents: five, one approved with a newer draft, one due for review,
and nothing changes when the demo runs again."""

import pytest
from django.utils import timezone

from aims.core.roles import AI_OFFICER, COMPLIANCE_OFFICER, SYSTEM_OWNER
from aims.documents import demo
from aims.documents.models import ControlledDocument

pytestmark = pytest.mark.django_db


def test_the_demo_documents_are_in_place_once(compliance_officer, ai_officer, system_owner):
    users = {COMPLIANCE_OFFICER: compliance_officer, AI_OFFICER: ai_officer}
    users[SYSTEM_OWNER] = system_owner
    demo.seed(users)
    before = list(ControlledDocument.objects.values_list("pk", "version", "status"))
    demo.seed(users)

    assert list(ControlledDocument.objects.values_list("pk", "version", "status")) == before
    assert ControlledDocument.objects.values("reference").distinct().count() == 5
    versions = ControlledDocument.objects.filter(reference="DOC-001")
    assert sorted(versions.values_list("version_label", "status")) == [
        ("1.0", "approved"),
        ("2.0", "draft"),
    ]
    due = ControlledDocument.objects.get(reference="DOC-002")
    assert due.review_overdue and due.next_review < timezone.localdate()
    assert all(d.approved_sha256 for d in ControlledDocument.objects.filter(status="approved"))
