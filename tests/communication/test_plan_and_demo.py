"""The communication plan and log, and the demo's communication."""

from django.core.management import call_command
from django.urls import reverse

from aims.communication.models import (
    CommunicationPlanItem,
    CommunicationRecord,
    PolicyAcknowledgement,
    pending_policy_for,
)
from aims.context.models import AIPolicy
from aims.core.models import User
from aims.core.work import work_items
from tests.factories import CommunicationPlanItemFactory, CommunicationRecordFactory


def test_the_communicator_logs_communications_under_their_plan_item(client, system_owner):
    item = CommunicationPlanItemFactory(communicator=system_owner)
    other = CommunicationPlanItemFactory()
    client.force_login(system_owner)
    add = reverse("communication:communicationrecord_add")
    assert client.get(add).status_code == 200
    payload = {"date": "2026-11-02", "subject": "Briefing", "channel": "meeting"}
    assert client.post(add, {**payload, "plan_item": item.pk}).status_code == 302
    assert CommunicationRecord.objects.get().plan_item == item
    response = client.post(add, {**payload, "plan_item": other.pk})
    assert response.status_code == 200
    assert CommunicationRecord.objects.count() == 1


def test_the_plan_item_page_lists_its_log(client, auditor):
    record = CommunicationRecordFactory(subject="<b>Town hall</b>")
    client.force_login(auditor)
    html = client.get(record.plan_item.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Town hall&lt;/b&gt;" in html
    assert "<b>Town hall</b>" not in html


def test_a_due_communication_shows_in_my_work_of_its_communicator(system_owner):
    from django.utils import timezone

    CommunicationPlanItemFactory(
        title="Newsletter", communicator=system_owner, next_date=timezone.localdate()
    )
    CommunicationPlanItemFactory(
        title="Old", communicator=system_owner, next_date=timezone.localdate(), status="completed"
    )
    texts = [item.text for item in work_items(system_owner)]
    assert any("Newsletter" in text for text in texts)
    assert not any("Old" in text for text in texts)


def test_the_demo_has_a_plan_a_log_and_a_policy_acknowledged_by_most(db):
    call_command("seed_demo")
    assert 4 <= CommunicationPlanItem.objects.count() <= 6
    assert CommunicationRecord.objects.filter(plan_item__isnull=False).count() >= 2
    policy = AIPolicy.objects.get(status=AIPolicy.Status.APPROVED)
    users = User.objects.filter(is_active=True, groups__isnull=False).distinct().count()
    acknowledged = PolicyAcknowledgement.objects.filter(policy=policy).count()
    assert users // 2 < acknowledged < users
    owner = User.objects.get(username="owner")
    assert pending_policy_for(owner) == policy
    call_command("seed_demo")
    assert PolicyAcknowledgement.objects.count() == acknowledged
    assert policy.acknowledgement_requests.count() == 1
