"""The improvement register (10.1): a decision needs its reason, only an adopted improvement is
implemented, and the list filters by status, decision and source."""

import pytest
from django.urls import reverse

from audits.models import Improvement
from tests.factories import ImprovementFactory


def payload(**changes):
    data = {
        "title": "Show the risk owner on the SoA entry",
        "description": "Auditors look for it there.",
        "source": Improvement.Source.AUDIT,
        "decision": Improvement.Decision.PENDING,
        "decision_note": "",
        "status": Improvement.Status.OPEN,
        "due_date": "",
        "owner": "",
    }
    return {**data, **changes}


@pytest.fixture
def officer_client(client, compliance_officer):
    client.force_login(compliance_officer)
    return client


def test_an_improvement_is_recorded_with_the_next_reference(officer_client):
    response = officer_client.post(reverse("audits:improvement_add"), payload())
    assert response.status_code == 302
    assert Improvement.objects.get().reference == "IMP-001"


@pytest.mark.parametrize(
    "decision", [Improvement.Decision.ADOPTED, Improvement.Decision.DECLINED, "deferred"]
)
def test_a_decision_needs_its_reason(officer_client, decision):
    response = officer_client.post(reverse("audits:improvement_add"), payload(decision=decision))
    assert response.status_code == 200
    assert "Give the reason for the decision." in response.content.decode()
    assert not Improvement.objects.exists()


@pytest.mark.parametrize(
    ("decision", "status", "saved"),
    [
        (Improvement.Decision.ADOPTED, Improvement.Status.DONE, True),
        (Improvement.Decision.ADOPTED, Improvement.Status.IN_PROGRESS, True),
        (Improvement.Decision.DECLINED, Improvement.Status.CLOSED, True),
        (Improvement.Decision.DECLINED, Improvement.Status.DONE, False),
        (Improvement.Decision.DEFERRED, Improvement.Status.IN_PROGRESS, False),
    ],
)
def test_only_an_adopted_improvement_is_implemented(officer_client, decision, status, saved):
    response = officer_client.post(
        reverse("audits:improvement_add"),
        payload(decision=decision, status=status, decision_note="Cheap and useful."),
    )
    assert Improvement.objects.exists() is saved
    if not saved:
        assert "Only an adopted improvement is implemented." in response.content.decode()


def test_the_list_filters_by_decision_and_source(officer_client):
    adopted = ImprovementFactory(
        decision=Improvement.Decision.ADOPTED, source=Improvement.Source.AUDIT
    )
    ImprovementFactory()
    listing = officer_client.get(
        reverse("audits:improvement_list"), {"decision": "adopted", "source": "audit"}
    )
    assert [row.record for row in listing.context["table"].rows] == [adopted]


def test_the_owner_edits_their_improvement(client, make_user):
    owner = make_user("ai_officer")
    mine = ImprovementFactory(owner=owner)
    client.force_login(owner)
    assert client.get(reverse("audits:improvement_edit", args=[mine.pk])).status_code == 200
    other = ImprovementFactory()
    assert client.get(reverse("audits:improvement_edit", args=[other.pk])).status_code == 403
