"""Demo data and the dashboard built from it."""

from django.core.management import call_command
from django.urls import reverse

from aims.context.models import AIPolicy, ContextIssue
from aims.core.models import User
from aims.core.registry import registry


def snapshot():
    return {
        register.model_name: (
            register.model.objects.count(),
            register.model.history.count(),
            sorted(register.model.objects.values_list("version", flat=True)),
        )
        for register in registry
    } | {"users": User.objects.count()}


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo")
    first = snapshot()
    assert first["users"] == 5
    assert first["contextissue"][0] >= 5
    call_command("seed_demo")
    assert snapshot() == first


def test_seed_demo_if_empty_leaves_an_existing_database_alone(db, compliance_officer):
    call_command("seed_demo", "--if-empty")
    assert not ContextIssue.objects.exists()


def test_demo_policy_is_approved_by_the_ai_officer_not_its_author(db):
    call_command("seed_demo")
    policy = AIPolicy.objects.get()
    assert policy.status == "approved"
    assert policy.approved_by.username == "aiofficer"
    assert policy.history.last().history_user.username == "compliance"


def test_dashboard_counts_registers_and_lists_what_needs_attention(client, db):
    call_command("seed_demo")
    client.force_login(User.objects.get(username="compliance"))
    response = client.get(reverse("core:dashboard"))
    page = response.content.decode()
    counts = {
        register.model_name: count
        for _area, registers in response.context["areas"]
        for register, count in registers
    }
    assert counts["contextissue"] == ContextIssue.objects.count()
    assert counts["aisystem"] == 4
    assert "The AI policy is due for review" in page
    assert "1 AI systems are overdue for review." in page
    assert "1 AI systems have no EU AI Act classification." in page


def test_dashboard_for_a_user_without_role_explains_it(client, make_user):
    client.force_login(make_user("no_role"))
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Your account has no role yet" in page


def test_the_demo_administrator_manages_user_accounts(client, db):
    call_command("seed_demo")
    client.force_login(User.objects.get(username="admin"))
    assert client.get(reverse("admin:core_user_changelist")).status_code == 200
    client.force_login(User.objects.get(username="auditor"))
    assert client.get(reverse("admin:core_user_changelist")).status_code == 302
