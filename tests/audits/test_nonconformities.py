"""The nonconformity registers around the life cycle: reminders of actions and checks (the
reminder engine),
the dashboard, My work, list filters, who sees and changes what, and the demo."""

import datetime

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aims.core import roles
from aims.core.models import Reminder
from aims.core.reminders import sweep
from aims.core.work import work_items
from audits.models import (
    AuditResult,
    CorrectiveAction,
    EffectivenessCheck,
    Improvement,
    Nonconformity,
)
from tests.factories import (
    AISystemFactory,
    CorrectiveActionFactory,
    EffectivenessCheckFactory,
    NonconformityFactory,
    UserFactory,
)

TODAY = timezone.localdate()
PAST = TODAY - datetime.timedelta(days=3)


# Reminders ----------------------------------------------------------------------------------


def digests():
    return [m for m in mail.outbox if "due dates in the AI management system" in m.subject]


def reminded(key, **lookups):
    return sorted(
        Reminder.objects.filter(key=key, **lookups).values_list("object_id", "stage", "due_on")
    )


ACTIONS = "audits.correctiveaction:due_date"
CHECKS = "audits.effectivenesscheck:due_date"


def test_an_overdue_action_is_reminded_once_to_its_owner_and_the_nc_owner(db):
    nc_owner, action_owner = UserFactory(), UserFactory()
    action = CorrectiveActionFactory(
        nonconformity=NonconformityFactory(owner=nc_owner), owner=action_owner, due_date=PAST
    )
    sweep()
    assert sorted(m.to[0] for m in digests()) == sorted([nc_owner.email, action_owner.email])
    assert action.title in digests()[0].body and "overdue" in digests()[0].body
    sweep()  # the next sweep
    assert len(digests()) == 2
    assert reminded(ACTIONS) == [(action.pk, "overdue", PAST)] * 2


def test_a_new_due_date_is_reminded_again_and_done_actions_are_not(db):
    action = CorrectiveActionFactory(due_date=PAST)
    CorrectiveActionFactory(due_date=PAST, status=CorrectiveAction.Status.DONE)
    today = CorrectiveActionFactory(due_date=TODAY)  # due today: not overdue yet
    sweep()
    assert {(pk, stage) for pk, stage, _due in reminded(ACTIONS)} == {
        (action.pk, "overdue"),
        (today.pk, "today"),
    }
    later = PAST + datetime.timedelta(days=1)
    action.due_date = later
    action.save()
    sweep()
    sweep()
    first = reminded(ACTIONS, object_id=action.pk, due_on=PAST)
    assert first and reminded(ACTIONS, object_id=action.pk, due_on=later) == [
        (action.pk, "overdue", later)
    ] * len(first)


def test_an_overdue_check_is_reminded_to_the_nc_owner_and_the_compliance_officers(db):
    officers = [UserFactory(role=roles.COMPLIANCE_OFFICER) for _ in range(2)]
    nc_owner = UserFactory()
    nonconformity = NonconformityFactory(owner=nc_owner)
    check = EffectivenessCheckFactory(nonconformity=nonconformity, due_date=PAST)
    EffectivenessCheckFactory(
        due_date=PAST, result=EffectivenessCheck.Result.EFFECTIVE, notes="Fine."
    )
    sweep()
    sweep()
    assert sorted(m.to[0] for m in digests()) == sorted(u.email for u in [nc_owner, *officers])
    assert nonconformity.get_absolute_url() in digests()[0].body
    assert {pk for pk, _stage, _due in reminded(CHECKS)} == {check.pk}


def test_the_engine_sweep_replaces_the_nonconformity_sweep_in_the_beat_schedule(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "aims.core.tasks.send_review_reminders" in tasks_scheduled
    assert not any("nonconformities" in task for task in tasks_scheduled)


# Dashboard and My work ----------------------------------------------------------------------


def test_the_dashboard_shows_overdue_actions_checks_and_open_ncs_by_grade(
    client, compliance_officer
):
    CorrectiveActionFactory(due_date=PAST)
    EffectivenessCheckFactory(due_date=PAST)
    NonconformityFactory(grade=Nonconformity.Grade.MAJOR)
    NonconformityFactory(grade=Nonconformity.Grade.MINOR, status=Nonconformity.Status.CLOSED)
    client.force_login(compliance_officer)
    response = client.get(reverse("core:dashboard"))
    page = response.content.decode()
    attention = dict(response.context["attention"])
    assert "1 corrective action is overdue." in attention
    assert "1 effectiveness check is due." in attention
    checks = client.get(reverse("audits:effectivenesscheck_list"), {"due": "yes"})
    assert checks.context["table"].paginator.count == 1
    assert f"{reverse('audits:correctiveaction_list')}?overdue=yes" in page
    assert f"{reverse('audits:nonconformity_list')}?state=open&amp;grade=major" in page
    assert "nonconformity-panel-heading" in page


def test_the_panel_links_list_what_it_counts(client, compliance_officer):
    NonconformityFactory(grade=Nonconformity.Grade.MAJOR)
    NonconformityFactory(grade=Nonconformity.Grade.MAJOR, status=Nonconformity.Status.CLOSED)
    overdue = CorrectiveActionFactory(due_date=PAST)
    CorrectiveActionFactory(due_date=TODAY + datetime.timedelta(days=5))
    client.force_login(compliance_officer)
    listing = client.get(reverse("audits:nonconformity_list"), {"state": "open", "grade": "major"})
    assert listing.context["table"].paginator.count == 1
    actions = client.get(reverse("audits:correctiveaction_list"), {"overdue": "yes"})
    assert [row.record for row in actions.context["table"].rows] == [overdue]
    with_overdue = client.get(reverse("audits:nonconformity_list"), {"overdue_actions": "yes"})
    assert [row.record for row in with_overdue.context["table"].rows] == [overdue.nonconformity]
    assert "overdue" in with_overdue.content.decode()


def test_my_work_lists_my_actions_and_the_checks_i_may_verify(db):
    owner = UserFactory(role=roles.SYSTEM_OWNER)
    verifier = UserFactory(role=roles.INTERNAL_AUDITOR)
    nc = NonconformityFactory(owner=owner, status=Nonconformity.Status.ACTIONS_DONE)
    action = CorrectiveActionFactory(nonconformity=nc, owner=owner)
    EffectivenessCheckFactory(nonconformity=nc, due_date=PAST)
    assert str(action) in [item.text for item in work_items(owner)]
    texts = [item.text for item in work_items(verifier)]
    assert any(nc.reference in text for text in texts)
    # Who owns an action does not verify: not in their My work.
    officer_with_action = UserFactory(role=roles.COMPLIANCE_OFFICER)
    CorrectiveActionFactory(
        nonconformity=nc, owner=officer_with_action, status=CorrectiveAction.Status.DONE
    )
    texts = [item.text for item in work_items(officer_with_action)]
    assert not any("Verify the effectiveness" in text for text in texts)


# Who sees and changes what ------------------------------------------------------------------


def test_the_nc_owner_takes_the_steps_of_their_nonconformity_and_no_other(client, make_user):
    owner = make_user("system_owner")
    mine, other = NonconformityFactory(owner=owner), NonconformityFactory()
    client.force_login(owner)
    assert client.get(reverse("audits:nonconformity_edit", args=[mine.pk])).status_code == 200
    assert client.get(reverse("audits:nonconformity_edit", args=[other.pk])).status_code == 403
    assert client.get(other.get_absolute_url()).status_code == 200  # reads everything
    add = client.get(reverse("audits:correctiveaction_add"))
    assert list(add.context["form"].fields["nonconformity"].queryset) == [mine]


def test_system_owners_see_the_nonconformities_of_their_systems(client, make_user):
    owner = make_user("system_owner")
    nc = NonconformityFactory()
    nc.ai_systems.add(AISystemFactory(owner=owner))
    client.force_login(owner)
    listing = client.get(
        reverse("audits:nonconformity_list"), {"ai_systems": nc.ai_systems.get().pk}
    )
    assert [row.record for row in listing.context["table"].rows] == [nc]
    assert client.get(nc.get_absolute_url()).status_code == 200


def test_an_internal_auditor_reads_nonconformities_and_changes_none(client, internal_auditor):
    nc = NonconformityFactory()
    client.force_login(internal_auditor)
    assert client.get(nc.get_absolute_url()).status_code == 200
    assert client.get(reverse("audits:nonconformity_edit", args=[nc.pk])).status_code == 403
    assert client.get(reverse("audits:nonconformity_add")).status_code == 403


def test_the_verifier_predicate(db):
    for role, expected in (
        (roles.COMPLIANCE_OFFICER, True),
        (roles.ADMINISTRATOR, True),
        (roles.INTERNAL_AUDITOR, True),
        (roles.AI_OFFICER, False),
        (roles.SYSTEM_OWNER, False),
        (roles.AUDITOR, False),
    ):
        assert roles.may_verify_effectiveness(UserFactory(role=role)) is expected, role
    assert not roles.may_verify_effectiveness(
        UserFactory(role=roles.COMPLIANCE_OFFICER, is_active=False)
    )


# The form -----------------------------------------------------------------------------------


def test_the_clause_dropdown_offers_leaf_clauses_under_their_main_clause(
    client, compliance_officer
):
    client.force_login(compliance_officer)
    form = client.get(reverse("audits:nonconformity_add")).context["form"]
    choices = list(form.fields["clause"].choices)
    groups = [label for label, options in choices[1:]]
    assert groups[0].endswith("4") and groups[-1].endswith("10")
    codes = [option.split(" ", 1)[0] for _label, options in choices[1:] for _v, option in options]
    assert "6.1.2" in codes and "6.1" not in codes
    control_frameworks = set(form.fields["control"].queryset.values_list("framework", flat=True))
    assert control_frameworks <= {"iso42001", "own"}


def test_html_in_a_description_is_escaped(client, compliance_officer):
    nc = NonconformityFactory(title="<script>alert(1)</script>", description="<b>bold</b>")
    client.force_login(compliance_officer)
    page = client.get(nc.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page


# Demo ---------------------------------------------------------------------------------------


def test_the_demo_shows_each_workflow_and_running_it_again_changes_nothing(db):
    from audits.internal import demo as audit_demo
    from audits.nonconformities import demo

    users = {
        role: UserFactory(username=role.lower().replace(" ", ""), role=role) for role in roles.ROLES
    }
    audit = audit_demo.seed(users)
    demo.seed(users, audit)
    minor = Nonconformity.objects.get(checklist_item__result=AuditResult.MINOR)
    major = Nonconformity.objects.get(checklist_item__result=AuditResult.MAJOR)
    assert minor.status == Nonconformity.Status.CLOSED
    assert minor.closed_by == users[roles.COMPLIANCE_OFFICER]
    check = minor.effectiveness_checks.get()
    assert check.result == "effective" and check.checked_by == users[roles.INTERNAL_AUDITOR]
    assert not minor.actions.filter(owner=users[roles.COMPLIANCE_OFFICER]).exists()
    assert major.status == Nonconformity.Status.ACTIONS_PLANNED
    assert major.actions.overdue().count() == 1
    assert minor.history.last().history_user == users[roles.INTERNAL_AUDITOR]
    assert audit.checklist.get(result=AuditResult.OBSERVATION).improvement.owner is not None

    def state():
        return sorted(
            (type(obj).__name__, obj.pk, obj.version)
            for model in (Nonconformity, CorrectiveAction, EffectivenessCheck, Improvement)
            for obj in model.objects.all()
        )

    before = state()
    demo.seed(users, audit)
    assert state() == before
