"""The computed KPI of the AI policy's acknowledgements, against hand-built data."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from aims.communication.kpis import ai_policy_acknowledged
from aims.communication.services import acknowledgement_request_create, policy_acknowledge
from aims.context.models import AIPolicy
from aims.context.services import ai_policy_approve
from aims.core import roles
from aims.objectives.computed import computed_kpis
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


def test_the_kpi_is_registered():
    assert computed_kpis()["ai_policy_acknowledged"].function is ai_policy_acknowledged


def test_the_share_counts_asked_active_users_with_a_role(compliance_officer, ai_officer):
    today = timezone.localdate()
    policy = approved_policy(compliance_officer, ai_officer)
    owners = UserFactory.create_batch(2, role=roles.SYSTEM_OWNER)
    UserFactory(is_active=False, role=roles.SYSTEM_OWNER)  # not counted
    UserFactory()  # no role: not counted
    acknowledgement_request_create(policy=policy, user=compliance_officer, all_users=True)
    policy_acknowledge(policy=policy, user=owners[0])
    # Asked: the compliance officer, the AI officer and the two owners; one acknowledged.
    assert ai_policy_acknowledged(today.replace(day=1), today) == Decimal("25.0")


def test_a_new_version_starts_from_nothing(compliance_officer, ai_officer):
    today = timezone.localdate()
    old = approved_policy(compliance_officer, ai_officer)
    acknowledgement_request_create(policy=old, user=compliance_officer, all_users=True)
    policy_acknowledge(policy=old, user=compliance_officer)
    policy_acknowledge(policy=old, user=ai_officer)
    assert ai_policy_acknowledged(today, today) == Decimal("100.0")
    new = approved_policy(compliance_officer, ai_officer, version="2.0")
    acknowledgement_request_create(policy=new, user=compliance_officer, all_users=True)
    assert ai_policy_acknowledged(today, today) == Decimal("0.0")


def test_nothing_asked_or_nothing_approved_is_zero(compliance_officer, ai_officer, db):
    today = timezone.localdate()
    assert ai_policy_acknowledged(today, today) == Decimal(0)
    approved_policy(compliance_officer, ai_officer)
    assert ai_policy_acknowledged(today, today) == Decimal(0)


def test_a_period_that_ended_before_the_acknowledgement_does_not_count_it(
    compliance_officer, ai_officer
):
    today = timezone.localdate()
    policy = approved_policy(compliance_officer, ai_officer)
    acknowledgement_request_create(policy=policy, user=compliance_officer, all_users=True)
    policy_acknowledge(policy=policy, user=ai_officer)
    policy.acknowledgements.update(acknowledged_at=timezone.now() + timedelta(days=40))
    assert ai_policy_acknowledged(today, today) == Decimal("0.0")
