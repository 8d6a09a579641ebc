"""The RACI matrix: one row per activity, one column per role, letters set with HTMX."""

from django.urls import reverse

from aims.context.models import RACIAssignment
from tests.factories import AIMSActivityFactory, AIMSRoleFactory, RACIAssignmentFactory


def test_matrix_shows_letters_and_flags_activities_without_one_accountable(client, auditor):
    board, officer = AIMSRoleFactory(name="Board"), AIMSRoleFactory(name="Officer")
    policy, audit = AIMSActivityFactory(name="Set policy"), AIMSActivityFactory(name="Audit")
    RACIAssignmentFactory(activity=policy, role=board, responsibility="A")
    RACIAssignmentFactory(activity=policy, role=officer, responsibility="R")
    RACIAssignmentFactory(activity=audit, role=board, responsibility="A")
    RACIAssignmentFactory(activity=audit, role=officer, responsibility="A")
    client.force_login(auditor)
    response = client.get(reverse("context:raci_matrix"))
    rows = {row["activity"].name: row for row in response.context["rows"]}
    assert [letter for _role, letter in rows["Set policy"]["cells"]] == ["A", "R"]
    assert rows["Set policy"]["problem"] == ""
    assert rows["Audit"]["problem"] == "More than one role is accountable."
    assert not response.context["editable"]
    assert 'name="responsibility"' not in response.content.decode()


def test_compliance_officer_sets_and_clears_a_letter_with_htmx(client, compliance_officer):
    role, activity = AIMSRoleFactory(), AIMSActivityFactory()
    client.force_login(compliance_officer)
    cell = reverse("context:raci_cell", args=[activity.pk, role.pk])
    response = client.post(cell, {"responsibility": "A"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="raci-{activity.pk}"' in response.content.decode()
    assert RACIAssignment.objects.get(activity=activity, role=role).responsibility == "A"
    client.post(cell, {"responsibility": ""}, headers={"HX-Request": "true"})
    assert not RACIAssignment.objects.exists()
    assert RACIAssignment.history.count() == 2  # created, deleted: both kept


def test_an_invalid_letter_is_refused_with_a_message(client, compliance_officer):
    role, activity = AIMSRoleFactory(), AIMSActivityFactory()
    client.force_login(compliance_officer)
    cell = reverse("context:raci_cell", args=[activity.pk, role.pk])
    response = client.post(cell, {"responsibility": "<b>X</b>"}, headers={"HX-Request": "true"})
    assert "Choose R, A, C or I." in response.content.decode()
    assert "<b>X</b>" not in response.content.decode()
    assert not RACIAssignment.objects.exists()


def test_read_only_roles_cannot_set_letters(client, auditor):
    role, activity = AIMSRoleFactory(), AIMSActivityFactory()
    client.force_login(auditor)
    cell = reverse("context:raci_cell", args=[activity.pk, role.pk])
    assert client.post(cell, {"responsibility": "A"}).status_code == 403
    assert not RACIAssignment.objects.exists()


def test_unknown_activity_is_not_found(client, compliance_officer):
    role = AIMSRoleFactory()
    client.force_login(compliance_officer)
    cell = reverse("context:raci_cell", args=[9999, role.pk])
    assert client.post(cell, {"responsibility": "A"}).status_code == 404


def test_empty_matrix_explains_what_to_do(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.get(reverse("context:raci_matrix"))
    assert "Add AIMS roles and AIMS activities first" in response.content.decode()
