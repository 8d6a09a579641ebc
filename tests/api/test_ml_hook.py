"""The ML pipeline hook: one call with a personal token registers a model version of an AI
system, sets off the material-change rules (the impact assessment due for re-assessment) and
shows in the version's history and the activity log under the token's user."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from aims.core import roles
from aims.core.models import ApiToken, Notification
from aims.impact.models import ImpactAssessment
from aims.inventory.models import ModelVersion
from tests.factories import AISystemFactory, ModelVersionFactory, UserFactory
from tests.impact.test_workflow import approved

BACKEND = "django.contrib.auth.backends.ModelBackend"
REASON = "model version 2.0 was added"
BODY = {
    "version": "2.0",
    "metrics": {"accuracy": 0.931, "f1": 0.88, "samples": 120000},
    "training_data": "claims-2026-10-31",
    "run_url": "https://mlflow.example.test/#/experiments/4/runs/8f2c",
    "release_date": "2026-11-30",
    "change_summary": "Retrained on October's claims.",
}


def hook(system):
    return reverse("api:inventory.aisystem-model-versions", args=[system.pk])


def token_client(user, **token):
    token.setdefault("expires_at", timezone.now() + timedelta(days=30))
    row, text = ApiToken.issue(user=user, name="Training pipeline", **token)
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    return client, row


def session_client(user):
    client = APIClient()
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture
def owner(db):
    return UserFactory(role=roles.SYSTEM_OWNER)


@pytest.fixture
def system(owner):
    return AISystemFactory(owner=owner)


@pytest.fixture
def assessment(system):
    """The system's approved impact assessment, kept by its owner."""
    author = UserFactory(role=roles.COMPLIANCE_OFFICER)
    return approved(author, UserFactory(role=roles.AI_OFFICER), system, owner=system.owner)


def test_a_pipeline_registers_a_version_with_its_token(owner, system, assessment):
    client, _token = token_client(owner)
    response = client.post(hook(system), BODY, format="json")
    assert response.status_code == 201, response.json()
    version = ModelVersion.objects.get(system=system)
    assert (
        version.version_label,
        version.key_metrics,
        version.training_data_snapshot,
        version.run_url,
        version.release_date,
        version.change_summary,
    ) == (
        "2.0",
        "accuracy: 0.931\nf1: 0.88\nsamples: 120000",
        "claims-2026-10-31",
        BODY["run_url"],
        date(2026, 11, 30),
        "Retrained on October's claims.",
    )
    body = response.json()
    assert {key: body[key] for key in BODY} == {**BODY, "metrics": BODY["metrics"]}
    assert (body["id"], body["system"]) == (version.pk, system.pk)
    assert body["url"].endswith(version.get_absolute_url())


def test_the_new_version_flags_the_impact_assessment_due(owner, system, assessment):
    client, _token = token_client(owner)
    response = client.post(hook(system), BODY, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["triggered"] == {
        "impact_assessment_due": True,
        "impact_assessment": f"http://testserver{assessment.get_absolute_url()}",
        "reason": REASON,
        "reclassification_needed": False,
    }
    assessment.refresh_from_db()
    assert (assessment.reassessment_due, assessment.reassessment_reason) == (True, REASON)
    (notice,) = Notification.objects.filter(recipient=owner, message__contains=REASON)
    assert notice.url == assessment.get_absolute_url()
    # The flag as the assessment's endpoint and its page show it.
    entry = reverse("api:impact.impactassessment-detail", args=[assessment.pk])
    assert session_client(owner).get(entry).json()["reassessment_due"] is True
    page = Client()
    page.force_login(owner, backend=BACKEND)
    assert REASON in page.get(assessment.get_absolute_url()).content.decode()


def test_the_version_is_in_its_history_and_the_activity_log_under_the_token_user(
    owner, system, assessment
):
    client, _token = token_client(owner)
    assert client.post(hook(system), BODY, format="json").status_code == 201
    version = ModelVersion.objects.get(system=system)
    (record,) = version.history.all()
    assert (record.history_type, record.history_user) == ("+", owner)
    page = Client()
    page.force_login(owner, backend=BACKEND)
    log = page.get(reverse("core:activity")).content.decode()
    assert str(version) in log


def test_without_a_decided_assessment_nothing_is_flagged(owner, system):
    client, _token = token_client(owner)
    response = client.post(hook(system), {"version": "0.1"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["triggered"] == {
        "impact_assessment_due": False,
        "impact_assessment": None,
        "reason": "",
        "reclassification_needed": False,
    }
    assert response.json()["metrics"] == {}


def test_a_revoked_token_is_refused(owner, system, assessment):
    client, token = token_client(owner)
    token.revoke()
    response = client.post(hook(system), BODY, format="json")
    assert response.status_code == 401
    assert not ModelVersion.objects.exists()
    assessment.refresh_from_db()
    assert assessment.reassessment_due is False


def test_an_expired_token_is_refused(owner, system):
    client, _token = token_client(owner, expires_at=timezone.now() - timedelta(minutes=1))
    assert client.post(hook(system), BODY, format="json").status_code == 401
    assert not ModelVersion.objects.exists()


def test_another_owners_system_is_not_found(system):
    """An owner without a role reaches only the systems they own."""
    other_owner = UserFactory()
    AISystemFactory(owner=other_owner)
    client, _token = token_client(other_owner)
    assert client.post(hook(system), BODY, format="json").status_code == 404
    assert not ModelVersion.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "ai_officer", "system_owner"])
def test_readers_of_the_system_may_not_add_versions(system, make_user, persona):
    client, _token = token_client(make_user(persona))
    response = client.post(hook(system), BODY, format="json")
    assert response.status_code == 403
    assert not ModelVersion.objects.exists()


def test_the_compliance_officer_registers_versions_of_any_system(system, compliance_officer):
    response = session_client(compliance_officer).post(hook(system), BODY, format="json")
    assert response.status_code == 201, response.json()
    assert ModelVersion.objects.get().history.get().history_user == compliance_officer


def test_a_label_the_system_has_already_is_refused(owner, system, assessment):
    ModelVersionFactory(system=system, version_label="2.0")
    assessment.refresh_from_db()
    assert assessment.reassessment_due is True  # flagged by the first 2.0
    client, _token = token_client(owner)
    response = client.post(hook(system), BODY, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This system already has a version with this label."]
    }
    assert ModelVersion.objects.count() == 1


def test_the_same_label_on_another_system_is_fine(owner, system):
    ModelVersionFactory(system=AISystemFactory(), version_label="2.0")
    response = session_client(owner).post(hook(system), BODY, format="json")
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"version": ""}, "version"),
        ({"version": "2.0\t1"}, "version"),
        ({"metrics": {"accuracy": "high"}}, "metrics.accuracy"),
        ({"metrics": ["accuracy", 0.9]}, "metrics"),
        ({"metrics": {"line\nbreak": 1}}, "metrics"),
        ({"run_url": "javascript:alert(1)"}, "run_url"),
        ({"release_date": "30.11.2026"}, "release_date"),
    ],
)
def test_invalid_values_are_named_at_their_key(owner, system, changes, field):
    response = session_client(owner).post(hook(system), {**BODY, **changes}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not ModelVersion.objects.exists()


def test_the_new_version_is_listed_on_the_systems_page_with_its_run(owner, system):
    assert session_client(owner).post(hook(system), BODY, format="json").status_code == 201
    version = ModelVersion.objects.get()
    page = Client()
    page.force_login(owner, backend=BACKEND)
    assert "2.0" in page.get(system.get_absolute_url()).content.decode()
    assert BODY["run_url"] in page.get(version.get_absolute_url()).content.decode()


def test_an_assessment_is_flagged_once_per_version(owner, system, assessment):
    client, _token = token_client(owner)
    client.post(hook(system), BODY, format="json")
    client.post(hook(system), {"version": "2.1"}, format="json")
    assessment.refresh_from_db()
    assert assessment.reassessment_reason == f"{REASON}\nmodel version 2.1 was added"
    assert ImpactAssessment.objects.filter(reassessment_due=True).count() == 1
