"""Object scope through django-guardian: owners edit their own entries, and only those."""

import pytest
from django.urls import reverse

from aims.context.forms import InterestedPartyForm, PartyRequirementForm
from aims.context.models import ContextIssue, ContextIssueUserObjectPermission, InterestedParty
from aims.core.permissions import permits
from aims.core.registry import registry
from aims.core.services import OutOfScope, register_entry_save
from risks.models import Risk
from tests.conftest import form_payload
from tests.factories import ContextIssueFactory, InterestedPartyFactory, RiskFactory, UserFactory


def test_system_owner_edits_the_issue_they_own(client, system_owner):
    issue = ContextIssueFactory(owner=system_owner)
    client.force_login(system_owner)
    edit = reverse("context:contextissue_edit", args=[issue.pk])
    payload = form_payload(registry[ContextIssue], issue, system_owner)
    response = client.post(edit, {**payload, "effect_on_aims": "Reviewed by the owner."})
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.effect_on_aims == "Reviewed by the owner."


def test_system_owner_gets_403_for_someone_elses_issue_they_can_read(client, system_owner):
    other = UserFactory(role="System Owner")
    issue = ContextIssueFactory(owner=other)
    client.force_login(system_owner)
    assert client.get(reverse("context:contextissue_edit", args=[issue.pk])).status_code == 403
    assert client.get(reverse("context:contextissue_detail", args=[issue.pk])).status_code == 200


def test_permissions_follow_the_owner_when_it_changes(client, system_owner):
    issue = ContextIssueFactory(owner=system_owner)
    successor = UserFactory(role="System Owner")
    issue.owner = successor
    issue.save()
    holders = set(
        ContextIssueUserObjectPermission.objects.filter(content_object=issue).values_list(
            "user__username", flat=True
        )
    )
    assert holders == {successor.username}
    assert list(ContextIssue.objects.restrict(system_owner, "change")) == []
    assert list(ContextIssue.objects.restrict(successor, "change")) == [issue]


def test_ownership_does_not_allow_deleting(client, system_owner):
    issue = ContextIssueFactory(owner=system_owner)
    client.force_login(system_owner)
    assert client.post(reverse("context:contextissue_delete", args=[issue.pk])).status_code == 403
    assert ContextIssue.objects.filter(pk=issue.pk).exists()


def test_object_permission_does_not_open_the_add_form(client, system_owner):
    ContextIssueFactory(owner=system_owner)
    client.force_login(system_owner)
    assert client.get(reverse("context:contextissue_add")).status_code == 403


def test_inactive_users_see_nothing(system_owner):
    ContextIssueFactory(owner=system_owner)
    system_owner.is_active = False
    assert not ContextIssue.objects.restrict(system_owner, "view").exists()


def test_dropdowns_offer_only_objects_in_scope(make_user):
    outsider = make_user("no_role")
    own, foreign = InterestedPartyFactory(owner=outsider), InterestedPartyFactory()
    form = PartyRequirementForm(user=outsider)
    assert list(form.fields["party"].queryset) == [own]
    assert foreign not in form.fields["party"].queryset


def test_an_owner_cannot_hand_their_entry_to_someone_else(client, make_user):
    outsider = make_user("no_role")
    party = InterestedPartyFactory(owner=outsider, name="Works council")
    client.force_login(outsider)
    payload = form_payload(registry[InterestedParty], party, outsider)
    successor = UserFactory()
    response = client.post(
        reverse("context:interestedparty_edit", args=[party.pk]),
        {**payload, "owner": successor.pk, "name": "Central works council"},
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.name, party.owner) == ("Central works council", outsider)


def test_a_save_that_would_leave_the_users_scope_is_refused(make_user):
    outsider = make_user("no_role")
    party = InterestedPartyFactory(owner=outsider, name="Works council")
    payload = form_payload(registry[InterestedParty], party, outsider)
    form = InterestedPartyForm(
        {**payload, "owner": UserFactory().pk, "name": "Renamed"}, instance=party, user=outsider
    )
    form.fields["owner"].disabled = False  # as if a form let the owner field through
    assert form.is_valid(), form.errors
    with pytest.raises(OutOfScope):
        register_entry_save(form=form, user=outsider)
    party.refresh_from_db()
    assert (party.name, party.owner) == ("Works council", outsider)


def test_an_owners_edit_keeps_the_links_they_cannot_see(client, db):
    """A risk's owner without a role sees no controls, so the edit form offers none and posts
    none; saving the title leaves the risk's controls linked."""
    owner = UserFactory(username="owner")
    risk = RiskFactory(owner=owner)
    controls = set(risk.controls.all())
    assert controls
    client.force_login(owner)
    edit = client.get(reverse("risks:risk_edit", args=[risk.pk]))
    assert not edit.context["form"].fields["controls"].queryset.exists()
    data = form_payload(registry[Risk], risk, owner)
    del data["controls"]  # offered none, the browser sends none
    data["title"] = "Prompt injection via e-mail"
    response = client.post(reverse("risks:risk_edit", args=[risk.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    risk.refresh_from_db()
    assert risk.title == "Prompt injection via e-mail"
    assert set(risk.controls.all()) == controls


def test_permits_answers_like_the_scope_and_asks_nothing_of_model_permission_holders(
    compliance_officer, system_owner, auditor, django_assert_num_queries
):
    own = ContextIssueFactory(owner=system_owner)
    other = ContextIssueFactory(owner=UserFactory(role="System Owner"))
    for user in (compliance_officer, system_owner, auditor):
        user.get_all_permissions()  # the role's permissions, cached as on any request
    with django_assert_num_queries(0):
        assert permits(compliance_officer, "change", other)
        assert permits(auditor, "view", other)
    for user in (system_owner, auditor):
        for issue in (own, other):
            for action in ("view", "change", "delete"):
                in_scope = ContextIssue.objects.restrict(user, action).filter(pk=issue.pk).exists()
                assert permits(user, action, issue) is in_scope, (user, issue, action)
    assert permits(system_owner, "change", own) and not permits(system_owner, "change", other)
    assert not permits(auditor, "change", own)
    system_owner.is_active = False
    assert not permits(system_owner, "view", own)
