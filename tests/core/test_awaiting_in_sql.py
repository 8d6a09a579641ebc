"""What awaits a user's decision is counted by the database: for every kind of decision and
every user, `decisions_for` finds the records the record-by-record rule (`may_decide` and
`four_eyes_refusal`) lets them decide; a record's deciders cost the same queries however
many people may decide."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aims.core import approvals as machinery
from aims.core.approvals import approvals
from aims.core.models import User
from risks.approvals import ACCEPTANCE, PLAN
from tests.factories import RiskFactory, TreatmentActionFactory, UserFactory, active_criteria

ABOVE = {"residual_likelihood": 4, "residual_impact": 4}
BELOW = {"residual_likelihood": 1, "residual_impact": 1}


def by_rule(kind, user):
    return {
        obj.pk
        for obj in kind.awaiting().restrict(user)
        if kind.may_decide(user, obj) and not machinery.four_eyes_refusal(kind, user, obj)
    }


def assert_sql_agrees_with_the_rule():
    found = 0
    for user in User.objects.all():
        for kind in approvals:
            in_sql = set(machinery.decisions_for(user, kind).values_list("pk", flat=True))
            assert in_sql == by_rule(kind, user), (user.username, kind.key)
            found += len(in_sql)
    return found


def edited_by(risk, user):
    risk.description = f"Reviewed by {user}"
    risk._history_user = user
    risk.save()


def test_the_demo_organisation_awaits_the_same_decisions_in_sql(db):
    call_command("seed_demo")
    assert assert_sql_agrees_with_the_rule()


def test_risk_decisions_in_sql_follow_owners_thresholds_and_authors(system_owner, ai_officer):
    active_criteria()
    other_officer = UserFactory(role="AI Officer")
    below = RiskFactory(owner=system_owner, **BELOW)  # the owner may accept it
    above = RiskFactory(owner=system_owner, **ABOVE)  # only an AI officer
    owned_above = RiskFactory(owner=ai_officer, **ABOVE)  # not by the officer who owns it
    RiskFactory(owner=ai_officer, **BELOW)  # the owner accepts, being the AI officer too
    edited_by(RiskFactory(owner=system_owner, **ABOVE), ai_officer)
    edited_by(RiskFactory(owner=system_owner, **BELOW), system_owner)
    TreatmentActionFactory(risk=above)
    TreatmentActionFactory(risk=below)
    moved = TreatmentActionFactory(risk=below)
    moved._history_user = ai_officer
    moved.save()
    del moved._history_user
    moved.risk = owned_above
    moved.save()
    assert below.needs_ai_officer is False and above.needs_ai_officer is True
    assert assert_sql_agrees_with_the_rule()
    plans = set(machinery.decisions_for(ai_officer, PLAN))
    # The action the officer wrote was in the first risk's plan once: both plans are theirs.
    assert above in plans and below not in plans and owned_above not in plans
    assert {below} <= set(machinery.decisions_for(system_owner, ACCEPTANCE))
    assert owned_above in set(machinery.decisions_for(other_officer, ACCEPTANCE))


def detail_queries(client, risk):
    url = reverse("risks:risk_detail", args=[risk.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_more_people_who_may_decide_cost_the_risk_page_no_query(
    client, compliance_officer, system_owner
):
    active_criteria()
    risk = RiskFactory(owner=system_owner, **ABOVE)
    TreatmentActionFactory(risk=risk)
    UserFactory(role="AI Officer")
    client.force_login(compliance_officer)
    one = detail_queries(client, risk)
    officers = [UserFactory(role="AI Officer") for _ in range(3)]
    assert detail_queries(client, risk) == one
    for approval in (PLAN, ACCEPTANCE):
        deciders = machinery.eligible_deciders(approval, risk)
        assert set(officers) < set(deciders)
        assert deciders == [
            user
            for user in approval.candidates(risk)
            if approval.may_decide(user, risk)
            and not machinery.four_eyes_refusal(approval, user, risk)
        ]


@pytest.mark.parametrize("kind", list(approvals), ids=lambda kind: kind.key)
def test_every_kind_says_its_four_eyes_in_sql(kind, ai_officer):
    assert machinery.decisions_for(ai_officer, kind).count() >= 0
