"""The AI policy workflow: approval by the AI officer under four-eyes, frozen approved versions."""

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from aims.context.models import AIPolicy
from aims.context.services import ai_policy_approve, ai_policy_new_version, next_version
from aims.core.registry import registry
from tests.conftest import form_payload
from tests.decisions import decide_url, decision_payload
from tests.factories import AIPolicyFactory

KEY = "ai-policy"
FOUR_EYES = (
    "You wrote, changed or submitted this policy; someone else must decide on it (four-eyes)."
)


def draft_by(user, **kwargs):
    policy = AIPolicy(title="AI policy", content="Text", next_review=date(2027, 6, 30), **kwargs)
    policy._history_user = user
    policy.save()
    return policy


def test_ai_officer_approves_a_draft_and_the_previous_version_retires(
    compliance_officer, ai_officer
):
    old = draft_by(compliance_officer)
    ai_policy_approve(policy=old, user=ai_officer)
    new = draft_by(compliance_officer, policy_version="2.0")
    ai_policy_approve(policy=new, user=ai_officer)
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("retired", "approved")
    assert new.approved_by == ai_officer and new.approved_on is not None
    assert new.history.first().history_user == ai_officer


def test_the_author_cannot_approve_their_own_policy(ai_officer):
    policy = draft_by(ai_officer)
    with pytest.raises(ValidationError, match=re.escape(FOUR_EYES)):
        ai_policy_approve(policy=policy, user=ai_officer)
    policy.refresh_from_db()
    assert policy.status == "draft"


def test_the_last_editor_cannot_approve_either(compliance_officer, ai_officer):
    policy = draft_by(compliance_officer)
    policy.content = "Edited by the AI officer"
    policy._history_user = ai_officer
    policy.save()
    with pytest.raises(ValidationError):
        ai_policy_approve(policy=policy, user=ai_officer)


def test_only_the_ai_officer_role_approves(compliance_officer, auditor):
    policy = draft_by(compliance_officer)
    with pytest.raises(ValidationError, match="Only the AI officer approves the AI policy."):
        ai_policy_approve(policy=policy, user=auditor)
    policy.refresh_from_db()
    assert policy.status == "draft"


def test_approval_needs_a_review_date(compliance_officer, ai_officer):
    policy = draft_by(compliance_officer)
    policy.next_review = None
    policy.save()
    with pytest.raises(ValidationError, match="next review date"):
        ai_policy_approve(policy=policy, user=ai_officer)


def test_approve_button_works_in_the_browser_flow(client, compliance_officer, ai_officer):
    policy = draft_by(compliance_officer)
    client.force_login(ai_officer)
    detail = client.get(policy.get_absolute_url()).content.decode()
    assert "Approve this version" in detail
    assert decide_url(KEY, policy) in detail
    page = client.get(decide_url(KEY, policy))
    assert page.status_code == 200
    assert "Record the decision" in page.content.decode()
    response = client.post(decide_url(KEY, policy), decision_payload(KEY, policy), follow=True)
    assert response.redirect_chain == [(policy.get_absolute_url(), 302)]
    assert "Decision recorded." in response.content.decode()
    policy.refresh_from_db()
    assert policy.status == "approved"


def test_the_view_refuses_self_approval_with_a_message(client, ai_officer):
    policy = draft_by(ai_officer)
    client.force_login(ai_officer)
    detail = client.get(policy.get_absolute_url())
    assert detail.status_code == 200
    assert "Approve this version" not in detail.content.decode()
    response = client.post(decide_url(KEY, policy), decision_payload(KEY, policy), follow=True)
    assert response.redirect_chain == [(policy.get_absolute_url(), 302)]
    assert FOUR_EYES in response.content.decode()
    policy.refresh_from_db()
    assert policy.status == "draft"


def test_an_approved_policy_cannot_be_edited(client, compliance_officer, ai_officer):
    policy = draft_by(compliance_officer)
    ai_policy_approve(policy=policy, user=ai_officer)
    policy.refresh_from_db()
    client.force_login(compliance_officer)
    payload = form_payload(registry[AIPolicy], policy, compliance_officer)
    response = client.post(
        reverse("context:aipolicy_edit", args=[policy.pk]),
        {**payload, "content": "Changed"},
        follow=True,
    )
    assert "Only a draft can be changed or deleted" in response.content.decode()
    assert reverse("context:aipolicy_edit", args=[policy.pk]) not in response.content.decode()
    policy.refresh_from_db()
    assert policy.content == "Text"


def test_an_approved_policy_cannot_be_deleted(client, compliance_officer, ai_officer):
    policy = draft_by(compliance_officer)
    ai_policy_approve(policy=policy, user=ai_officer)
    client.force_login(compliance_officer)
    delete_url = reverse("context:aipolicy_delete", args=[policy.pk])
    assert client.get(delete_url).status_code == 302
    response = client.post(delete_url, follow=True)
    assert "Only a draft can be changed or deleted" in response.content.decode()
    assert AIPolicy.objects.filter(pk=policy.pk).exists()


def test_a_new_version_starts_as_a_copy_in_draft(client, compliance_officer, ai_officer):
    policy = draft_by(compliance_officer)
    ai_policy_approve(policy=policy, user=ai_officer)
    client.force_login(compliance_officer)
    response = client.post(reverse("context:aipolicy_new_version", args=[policy.pk]))
    draft = AIPolicy.objects.get(status="draft")
    assert response["Location"] == reverse("context:aipolicy_edit", args=[draft.pk])
    assert (draft.policy_version, draft.content, draft.next_review) == ("2.0", "Text", None)


def test_auditors_cannot_start_new_versions(client, auditor):
    policy = AIPolicyFactory()
    client.force_login(auditor)
    response = client.post(reverse("context:aipolicy_new_version", args=[policy.pk]))
    assert response.status_code == 403
    assert AIPolicy.objects.count() == 1


@pytest.mark.parametrize(
    ("version", "expected"), [("1.0", "2.0"), ("3", "4.0"), ("12.4", "13.0"), ("draft", "draft.1")]
)
def test_next_version(version, expected):
    assert next_version(version) == expected


def test_new_version_service_copies_title_and_text(db):
    policy = AIPolicyFactory(title="Policy", content="Body", status="retired")
    draft = ai_policy_new_version(policy=policy)
    assert (draft.title, draft.content, draft.status) == ("Policy", "Body", "draft")


def test_a_draft_gets_no_second_draft_beside_it(client, compliance_officer):
    policy = draft_by(compliance_officer)
    client.force_login(compliance_officer)
    url = reverse("context:aipolicy_new_version", args=[policy.pk])
    response = client.post(url, follow=True)
    assert "still a draft" in response.content.decode()
    assert AIPolicy.objects.count() == 1


def test_anyone_who_changed_the_draft_cannot_approve_it(compliance_officer, ai_officer):
    policy = draft_by(compliance_officer)
    for author, text in ((ai_officer, "Substance by the AI officer"), (compliance_officer, "Typo")):
        policy.content = text
        policy._history_user = author
        policy.save()
    with pytest.raises(ValidationError):
        ai_policy_approve(policy=policy, user=ai_officer)


def test_the_dashboard_does_not_ask_an_author_to_approve(client, ai_officer, compliance_officer):
    own, other = draft_by(ai_officer), draft_by(compliance_officer, policy_version="2.0")
    client.force_login(ai_officer)
    attention = dict(client.get("/").context["attention"])
    url = attention["AI policies awaiting your decision: 1"]
    listed = client.get(url).context["table"].page.object_list
    assert [row.record for row in listed] == [other]
    assert own.status == "draft"  # awaiting, but not for its author
