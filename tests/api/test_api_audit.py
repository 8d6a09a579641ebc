"""API writes leave the same trail as the pages' writes: history rows naming the API user, the
activity log's entries, and the same History tab for the same change."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from aims.context.models import ContextIssue
from aims.core.models import ApiToken
from aims.core.registry import registry
from controls.models import Control
from risks.models import Risk
from tests.api.calls import api_body, api_url, new_body
from tests.conftest import form_payload
from tests.factories import RiskFactory

pytestmark = pytest.mark.django_db

ISSUES = registry[ContextIssue]


def token_client(user):
    _token, text = ApiToken.issue(
        user=user, name="Ticketing", expires_at=timezone.now() + timedelta(days=30)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    return client


def log(client, **params):
    response = client.get(reverse("core:activity"), params)
    assert response.status_code == 200
    return [
        (entry["who"], str(entry["action"]), entry["entry"], list(entry["changes"]))
        for entry in response.context["page"]
    ]


def test_api_writes_are_in_the_history_and_the_activity_log(client, compliance_officer, make_user):
    admin = make_user("administrator", first_name="Ada", last_name="Admin")
    api = token_client(compliance_officer)
    body = new_body(ISSUES, compliance_officer, title="Supervisory guidance", owner=None)
    created = api.post(api_url(ISSUES), body, format="json")
    assert created.status_code == 201, created.content.decode()
    issue = ContextIssue.objects.get(pk=created.json()["id"])
    changed = token_client(admin).patch(
        api_url(ISSUES, issue), {"version": 1, "description": "Rewritten."}, format="json"
    )
    assert changed.status_code == 200, changed.content.decode()
    assert api.delete(api_url(ISSUES, issue)).status_code == 204

    history = ContextIssue.history.filter(id=issue.pk).order_by("history_date", "history_id")
    assert [(r.history_type, r.history_user) for r in history] == [
        ("+", compliance_officer),
        ("~", admin),
        ("-", compliance_officer),
    ]
    client.force_login(admin)
    label = f"{issue.reference} Supervisory guidance"
    # Newest first; before them the template entry the body was built from, added and removed.
    assert log(client, register="context.contextissue")[:3] == [
        (str(compliance_officer), "deleted", label, []),
        (
            str(admin),
            "changed",
            label,
            [("description", "New supervisory guidance on model risk.", "Rewritten.")],
        ),
        (str(compliance_officer), "created", label, []),
    ]


def history_tab(client, register, obj):
    response = client.get(reverse(register.url_name("history"), args=[obj.pk]))
    assert response.status_code == 200
    return [
        (entry["record"].history_type, entry["who"], entry["changes"])
        for entry in response.context["page"]
    ]


def test_the_same_change_through_a_page_and_the_api_leaves_the_same_history(
    client, compliance_officer
):
    register = registry[Risk]
    by_page, by_api = (
        RiskFactory(title="Prompt injection", owner=compliance_officer) for _ in range(2)
    )
    controls = list(
        Control.objects.filter(code__in=["A.6.2.4", "A.6.2.5"]).values_list("pk", flat=True)
    )
    assert len(controls) == 2
    changes = {"title": "Prompt injection via e-mail", "controls": controls}

    client.force_login(compliance_officer)
    payload = {**form_payload(register, by_page, compliance_officer), **changes}
    response = client.post(reverse(register.url_name("edit"), args=[by_page.pk]), payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    api = APIClient()
    api.force_login(compliance_officer)
    body = api_body(register, by_api, compliance_officer, **changes)
    response = api.put(api_url(register, by_api), body, format="json")
    assert response.status_code == 200, response.content.decode()[:2000]

    # The entries after each risk's creation (whose references differ) are the same.
    through_page, through_api = (
        history_tab(client, register, obj)[:-1] for obj in (by_page, by_api)
    )
    assert through_api == through_page
    by_user = [changes for kind, who, changes in through_api if who == compliance_officer]
    assert {str(label) for changes in by_user for label, _old, _new in changes} == {
        "title",
        "linked controls",
    }
    by_page.refresh_from_db()
    by_api.refresh_from_db()
    assert by_page.version == by_api.version == 2
