"""Acknowledgements of the AI policy: asked per version by the compliance officer, recorded once
per user and version, shown on the policy page, on the dashboard and in My work."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.communication.models import PolicyAcknowledgement, pending_policy_for
from aims.communication.services import acknowledgement_request_create, policy_acknowledge
from aims.context.models import AIPolicy
from aims.context.services import ai_policy_approve
from aims.core import roles
from aims.core.models import Notification
from aims.core.work import work_items
from tests.conftest import PERSONAS
from tests.factories import UserFactory


def approved_policy(author, approver, version="1.0"):
    policy = AIPolicy(
        title="AI policy", content="Text", policy_version=version, next_review=date(2030, 6, 30)
    )
    policy._history_user = author
    policy.save()
    ai_policy_approve(policy=policy, user=approver)
    policy.refresh_from_db()
    return policy


@pytest.fixture
def policy(compliance_officer, ai_officer):
    return approved_policy(compliance_officer, ai_officer)


def ask_all(policy, officer):
    return acknowledgement_request_create(policy=policy, user=officer, all_users=True)


def group(role):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=role)


def persona_user(request, persona):
    """The persona's user, the same one the policy fixture made where it made one."""
    if persona in ("compliance_officer", "ai_officer"):
        return request.getfixturevalue(persona)
    return request.getfixturevalue("make_user")(persona)


def page(client, user, policy):
    client.force_login(user)
    response = client.get(policy.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_a_user_acknowledges_a_version_once(policy, compliance_officer, system_owner):
    ask_all(policy, compliance_officer)
    first, created = policy_acknowledge(policy=policy, user=system_owner)
    again, created_again = policy_acknowledge(policy=policy, user=system_owner)
    assert (created, created_again) == (True, False)
    assert again == first
    assert PolicyAcknowledgement.objects.filter(policy=policy, user=system_owner).count() == 1


def test_a_second_click_changes_nothing(client, policy, compliance_officer, system_owner):
    ask_all(policy, compliance_officer)
    client.force_login(system_owner)
    url = reverse("communication:policy_acknowledge", args=[policy.pk])
    assert client.post(url).status_code == 302
    recorded = PolicyAcknowledgement.objects.get(user=system_owner).acknowledged_at
    response = client.post(url, follow=True)
    assert "You had already acknowledged this version." in response.content.decode()
    assert PolicyAcknowledgement.objects.get(user=system_owner).acknowledged_at == recorded


def test_a_new_version_asks_again_and_the_old_acknowledgement_does_not_count(
    policy, compliance_officer, ai_officer, system_owner
):
    ask_all(policy, compliance_officer)
    policy_acknowledge(policy=policy, user=system_owner)
    assert pending_policy_for(system_owner) is None
    new = approved_policy(compliance_officer, ai_officer, version="2.0")
    ask_all(new, compliance_officer)
    assert pending_policy_for(system_owner) == new
    _ack, created = policy_acknowledge(policy=new, user=system_owner)
    assert created
    assert system_owner.policy_acknowledgements.count() == 2
    assert pending_policy_for(system_owner) is None


def test_a_retired_version_can_no_longer_be_acknowledged(
    policy, compliance_officer, ai_officer, system_owner
):
    ask_all(policy, compliance_officer)
    approved_policy(compliance_officer, ai_officer, version="2.0")
    with pytest.raises(ValidationError, match="Only the approved AI policy"):
        policy_acknowledge(policy=policy, user=system_owner)


def test_only_asked_users_acknowledge(policy, compliance_officer, system_owner):
    acknowledgement_request_create(
        policy=policy, user=compliance_officer, roles=[group(roles.AI_OFFICER)]
    )
    with pytest.raises(ValidationError, match="not been asked"):
        policy_acknowledge(policy=policy, user=system_owner)


def test_the_page_lists_who_has_and_has_not_acknowledged(
    client, policy, compliance_officer, auditor, system_owner, ai_officer
):
    UserFactory(first_name="Gone", last_name="Away", is_active=False, role=roles.SYSTEM_OWNER)
    UserFactory(username="nobody", first_name="No", last_name="Role")
    acknowledgement_request_create(
        policy=policy,
        user=compliance_officer,
        roles=[group(roles.SYSTEM_OWNER), group(roles.AI_OFFICER)],
    )
    policy_acknowledge(policy=policy, user=ai_officer)
    for viewer in (compliance_officer, auditor):
        html = page(client, viewer, policy)
        missing = html.split('data-testid="not-acknowledged"')[1].split("</ul>")[0]
        done = html.split('data-testid="acknowledged"')[1].split("</ul>")[0]
        assert str(system_owner) in missing and str(ai_officer) not in missing
        assert str(ai_officer) in done
        assert "1 of 2 asked users have acknowledged this version." in html
        assert "Gone Away" not in html and "No Role" not in html


def test_a_user_sees_their_own_state_and_the_button_but_not_the_others(
    client, policy, compliance_officer, system_owner
):
    colleague = UserFactory(first_name="Colleague", last_name="Elsewhere", role=roles.AI_OFFICER)
    ask_all(policy, compliance_officer)
    html = page(client, system_owner, policy)
    assert "I have read and understood this policy" in html
    assert str(colleague) not in html
    assert 'data-testid="not-acknowledged"' not in html
    policy_acknowledge(policy=policy, user=system_owner)
    html = page(client, system_owner, policy)
    assert "You acknowledged this version on" in html
    assert "I have read and understood this policy" not in html


def test_a_draft_shows_no_acknowledgements(client, compliance_officer):
    draft = AIPolicy.objects.create(title="AI policy", content="Text")
    assert "Acknowledgements of this version" not in page(client, compliance_officer, draft)


@pytest.mark.parametrize("persona", ["compliance_officer", "administrator"])
def test_compliance_officers_and_administrators_may_ask(client, policy, request, persona):
    user = persona_user(request, persona)
    client.force_login(user)
    url = reverse("communication:acknowledgement_request", args=[policy.pk])
    response = client.post(url, {"roles": [group(roles.AUDITOR).pk]})
    assert response.status_code == 302
    assert policy.acknowledgement_requests.get().requested_by == user


@pytest.mark.parametrize(
    "persona, status",
    [
        ("ai_officer", 403),
        ("system_owner", 403),
        ("auditor", 403),
        ("internal_auditor", 403),
        ("no_role", 404),
    ],
)
def test_nobody_else_may_ask(client, policy, request, persona, status):
    user = persona_user(request, persona)
    client.force_login(user)
    url = reverse("communication:acknowledgement_request", args=[policy.pk])
    assert client.post(url, {"all_users": "on"}).status_code == status
    assert not policy.acknowledgement_requests.exists()
    with pytest.raises(PermissionDenied):
        acknowledgement_request_create(policy=policy, user=user, all_users=True)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "no_role"])
def test_the_policy_page_offers_the_request_form_to_whom_the_role_predicate_names(
    client, policy, request, persona
):
    user = persona_user(request, persona)
    form = reverse("communication:acknowledgement_request", args=[policy.pk])
    may_ask = persona in ("compliance_officer", "administrator")
    assert roles.may_request_acknowledgement(user) is may_ask
    assert (form in page(client, user, policy)) is may_ask


def test_an_inactive_compliance_officer_may_not_ask(policy):
    user = UserFactory(role=roles.COMPLIANCE_OFFICER, is_active=False)
    assert not roles.may_request_acknowledgement(user)
    with pytest.raises(PermissionDenied):
        acknowledgement_request_create(policy=policy, user=user, all_users=True)


def test_the_auditor_reads_the_state_but_gets_no_form(client, policy, compliance_officer, auditor):
    ask_all(policy, compliance_officer)
    html = page(client, auditor, policy)
    assert 'data-testid="not-acknowledged"' in html
    assert reverse("communication:acknowledgement_request", args=[policy.pk]) not in html


def test_asking_without_roles_is_refused_at_the_field(client, policy, compliance_officer):
    client.force_login(compliance_officer)
    url = reverse("communication:acknowledgement_request", args=[policy.pk])
    response = client.post(url, {}, follow=True)
    assert "Choose the roles to ask, or ask all users." in response.content.decode()
    assert not policy.acknowledgement_requests.exists()


def test_a_draft_cannot_be_asked_for(compliance_officer):
    draft = AIPolicy.objects.create(title="AI policy", content="Text")
    with pytest.raises(ValidationError):
        ask_all(draft, compliance_officer)


def test_asked_users_are_notified_once(policy, compliance_officer, system_owner, ai_officer):
    inactive = UserFactory(is_active=False, role=roles.SYSTEM_OWNER)
    acknowledgement_request_create(
        policy=policy, user=compliance_officer, roles=[group(roles.SYSTEM_OWNER)]
    )
    ask_all(policy, compliance_officer)
    assert Notification.objects.filter(recipient=system_owner).count() == 1
    assert Notification.objects.filter(recipient=ai_officer).count() == 1
    assert not Notification.objects.filter(recipient=inactive).exists()


def test_the_asked_user_finds_the_request_on_the_dashboard_and_in_my_work(
    client, policy, compliance_officer, system_owner
):
    ask_all(policy, compliance_officer)
    client.force_login(system_owner)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "Please read and acknowledge the AI policy" in dashboard
    assert any("Acknowledge the AI policy" in item.text for item in work_items(system_owner))
    policy_acknowledge(policy=policy, user=system_owner)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "Please read and acknowledge the AI policy" not in dashboard
    assert not any("Acknowledge the AI policy" in item.text for item in work_items(system_owner))


def test_the_compliance_officer_sees_how_many_are_outstanding(
    client, policy, compliance_officer, system_owner, ai_officer
):
    client.force_login(compliance_officer)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "Nobody has been asked to acknowledge the approved AI policy yet." in dashboard
    acknowledgement_request_create(
        policy=policy,
        user=compliance_officer,
        roles=[group(roles.SYSTEM_OWNER), group(roles.AI_OFFICER)],
    )
    policy_acknowledge(policy=policy, user=ai_officer)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "1 user has not yet acknowledged the AI policy." in dashboard


def test_names_on_the_policy_page_are_escaped(client, policy, compliance_officer):
    UserFactory(first_name="<script>alert(1)</script>", last_name="X", role=roles.AI_OFFICER)
    ask_all(policy, compliance_officer)
    html = page(client, compliance_officer, policy)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_policy_page_costs_the_same_queries_for_few_and_many_users(
    client, policy, compliance_officer
):
    ask_all(policy, compliance_officer)

    def queries():
        client.force_login(compliance_officer)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(policy.get_absolute_url()).status_code == 200
        return len(captured)

    few = queries()
    for user in UserFactory.create_batch(20, role=roles.SYSTEM_OWNER):
        policy_acknowledge(policy=policy, user=user)
    UserFactory.create_batch(5, role=roles.AUDITOR)
    assert queries() == few
