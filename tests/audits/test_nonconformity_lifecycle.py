"""The nonconformity life cycle (10.2) as a state table: state × step × persona → the state it
moves to, or the refusal with its message. Then the same rules on the page."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from aims.core import roles
from audits.models import CorrectiveAction, EffectivenessCheck, Nonconformity
from audits.nonconformities import services
from tests.factories import (
    CorrectiveActionFactory,
    EffectivenessCheckFactory,
    NonconformityFactory,
    UserFactory,
)

S = Nonconformity.Status
DONE, CANCELLED, PLANNED = (
    CorrectiveAction.Status.DONE,
    CorrectiveAction.Status.CANCELLED,
    CorrectiveAction.Status.PLANNED,
)
EFFECTIVE, NOT_EFFECTIVE = (
    EffectivenessCheck.Result.EFFECTIVE,
    EffectivenessCheck.Result.NOT_EFFECTIVE,
)
TODAY = timezone.localdate()


@pytest.fixture
def people(db):
    """compliance officer; a compliance officer who owns the corrective action; a system owner
    who owns the nonconformity; an internal auditor; an (external) auditor."""
    return {
        "officer": UserFactory(username="officer", role=roles.COMPLIANCE_OFFICER),
        "action_owner": UserFactory(username="action_owner", role=roles.COMPLIANCE_OFFICER),
        "nc_owner": UserFactory(username="nc_owner", role=roles.SYSTEM_OWNER),
        "internal_auditor": UserFactory(username="internal", role=roles.INTERNAL_AUDITOR),
        "auditor": UserFactory(username="auditor", role=roles.AUDITOR),
    }


def nonconformity_in(situation, people):
    """A nonconformity in a named situation: its state and what it has at that point."""
    nc = NonconformityFactory(owner=people["nc_owner"])
    state = situation.split(":")[0]
    variant = situation.split(":")[1] if ":" in situation else ""
    later = state not in (S.OPEN,)
    if later:
        nc.correction, nc.correction_date = "Risk owners assigned at once.", TODAY
        nc.root_cause = "" if variant == "no root cause" else "The process named no owner."
    action_status = PLANNED if state in (S.OPEN, S.CORRECTED) else DONE
    if variant == "action open":
        action_status = PLANNED
    if variant != "no action":
        CorrectiveActionFactory(
            nonconformity=nc,
            owner=people["action_owner"],
            status=CANCELLED if variant == "only cancelled" else action_status,
        )
    if state == S.ACTIONS_DONE and variant != "no check":
        EffectivenessCheckFactory(nonconformity=nc)
    if state in (S.VERIFIED, S.CLOSED):
        EffectivenessCheckFactory(
            nonconformity=nc,
            result=NOT_EFFECTIVE if variant == "latest not effective" else EFFECTIVE,
            notes="Ten of ten sampled risks have an owner.",
            checked_by=people["officer"],
            checked_on=TODAY,
        )
    nc.status = state
    nc.save()
    return nc


def take(step, nc, user, people):
    if step == "record correction":
        return services.nonconformity_record_correction(
            nonconformity=nc, user=user, correction="Owners assigned.", correction_date=TODAY
        )
    if step == "plan actions":
        return services.nonconformity_plan_actions(nonconformity=nc, user=user)
    if step == "complete actions":
        return services.nonconformity_complete_actions(nonconformity=nc, user=user)
    if step == "verify: effective":
        return services.nonconformity_verify_effectiveness(
            nonconformity=nc, user=user, result=EFFECTIVE, notes="All sampled risks have owners."
        )
    if step == "verify: not effective, new action":
        return services.nonconformity_verify_effectiveness(
            nonconformity=nc,
            user=user,
            result=NOT_EFFECTIVE,
            notes="Three risks still lack an owner.",
            new_action={
                "title": "Make the owner a required field",
                "owner": people["nc_owner"],
                "due_date": TODAY + datetime.timedelta(days=30),
            },
        )
    if step == "verify: not effective, no action":
        return services.nonconformity_verify_effectiveness(
            nonconformity=nc, user=user, result=NOT_EFFECTIVE, notes="Still lacking.", new_action={}
        )
    if step == "close":
        return services.nonconformity_close(nonconformity=nc, user=user)
    raise AssertionError(step)


WRONG_STATE = "This step is not possible while the nonconformity is"
NO_CHANGE = "You may not change this nonconformity."
NOT_VERIFIER = "Only a compliance officer, an administrator or an internal auditor"
OWNS_ACTION = "You own a corrective action of this nonconformity"

# situation, step, persona, expected: the new state, or (refusal class, message)
STATE_TABLE = [
    # open
    ("open", "record correction", "officer", S.CORRECTED),
    ("open", "record correction", "nc_owner", S.CORRECTED),
    ("open", "record correction", "internal_auditor", (PermissionDenied, NO_CHANGE)),
    ("open", "record correction", "auditor", (PermissionDenied, NO_CHANGE)),
    ("open", "plan actions", "officer", (ValidationError, WRONG_STATE)),
    ("open", "close", "officer", (ValidationError, "whose effectiveness was verified")),
    # correction done
    ("corrected", "plan actions", "officer", S.ACTIONS_PLANNED),
    ("corrected", "plan actions", "nc_owner", S.ACTIONS_PLANNED),
    ("corrected", "plan actions", "auditor", (PermissionDenied, NO_CHANGE)),
    ("corrected:no root cause", "plan actions", "officer", (ValidationError, "root-cause")),
    ("corrected:no action", "plan actions", "officer", (ValidationError, "at least one open")),
    ("corrected", "record correction", "officer", (ValidationError, WRONG_STATE)),
    ("corrected", "complete actions", "officer", (ValidationError, WRONG_STATE)),
    # actions planned
    ("actions_planned", "complete actions", "officer", S.ACTIONS_DONE),
    ("actions_planned", "complete actions", "nc_owner", S.ACTIONS_DONE),
    ("actions_planned", "complete actions", "internal_auditor", (PermissionDenied, NO_CHANGE)),
    ("actions_planned:action open", "complete actions", "officer", (ValidationError, "still open")),
    (
        "actions_planned:only cancelled",
        "complete actions",
        "officer",
        (ValidationError, "At least one corrective action must be done"),
    ),
    ("actions_planned", "verify: effective", "officer", (ValidationError, WRONG_STATE)),
    # actions done
    ("actions_done", "verify: effective", "officer", S.VERIFIED),
    ("actions_done", "verify: effective", "internal_auditor", S.VERIFIED),
    ("actions_done", "verify: effective", "action_owner", (ValidationError, OWNS_ACTION)),
    ("actions_done", "verify: effective", "nc_owner", (PermissionDenied, NOT_VERIFIER)),
    ("actions_done", "verify: effective", "auditor", (PermissionDenied, NOT_VERIFIER)),
    ("actions_done:no check", "verify: effective", "officer", (ValidationError, "Plan an")),
    ("actions_done", "verify: not effective, new action", "officer", S.ACTIONS_PLANNED),
    (
        "actions_done",
        "verify: not effective, new action",
        "internal_auditor",
        S.ACTIONS_PLANNED,
    ),
    (
        "actions_done",
        "verify: not effective, no action",
        "officer",
        (ValidationError, "plan a new corrective action"),
    ),
    ("actions_done", "close", "officer", (ValidationError, "whose effectiveness was verified")),
    # effectiveness verified
    ("verified", "close", "officer", S.CLOSED),
    ("verified", "close", "internal_auditor", S.CLOSED),
    ("verified", "close", "action_owner", (ValidationError, OWNS_ACTION)),
    ("verified", "close", "nc_owner", (PermissionDenied, NOT_VERIFIER)),
    ("verified", "close", "auditor", (PermissionDenied, NOT_VERIFIER)),
    ("verified:action open", "close", "officer", (ValidationError, "still open")),
    ("verified:latest not effective", "close", "officer", (ValidationError, "latest")),
    ("verified", "verify: effective", "officer", (ValidationError, WRONG_STATE)),
    # closed
    ("closed", "record correction", "officer", (ValidationError, WRONG_STATE)),
    ("closed", "close", "officer", (ValidationError, "whose effectiveness was verified")),
]


@pytest.mark.parametrize(
    ("situation", "step", "persona", "expected"),
    STATE_TABLE,
    ids=[f"{row[0]} / {row[1]} / {row[2]}" for row in STATE_TABLE],
)
def test_the_life_cycle_follows_the_state_table(people, situation, step, persona, expected):
    nc = nonconformity_in(situation, people)
    before = nc.status
    if isinstance(expected, tuple):
        refusal, message = expected
        with pytest.raises(refusal) as raised:
            take(step, nc, people[persona], people)
        assert message in " ".join(getattr(raised.value, "messages", [str(raised.value)]))
        nc.refresh_from_db()
        assert nc.status == before
    else:
        take(step, nc, people[persona], people)
        nc.refresh_from_db()
        assert nc.status == expected


def test_not_effective_reopens_with_a_new_action_and_keeps_the_check(people):
    nc = nonconformity_in("actions_done", people)
    take("verify: not effective, new action", nc, people["officer"], people)
    nc.refresh_from_db()
    assert nc.status == S.ACTIONS_PLANNED
    new = nc.actions.get(title="Make the owner a required field")
    assert new.status == PLANNED and new.owner == people["nc_owner"]
    check = nc.effectiveness_checks.get()
    assert check.result == NOT_EFFECTIVE
    assert check.checked_by == people["officer"] and check.checked_on == TODAY
    assert check.notes == "Three risks still lack an owner."
    # The new owner is told.
    assert people["nc_owner"].notifications.filter(message__contains=new.title).exists()


def test_the_whole_cycle_runs_again_after_not_effective_and_closes(people):
    nc = nonconformity_in("actions_done", people)
    officer = people["officer"]
    take("verify: not effective, new action", nc, officer, people)
    nc.actions.filter(status=PLANNED).update(status=DONE, done_on=TODAY)
    services.nonconformity_complete_actions(nonconformity=nc, user=officer)
    EffectivenessCheckFactory(nonconformity=nc, method="Sample again.")
    take("verify: effective", nc, people["internal_auditor"], people)
    take("close", nc, officer, people)
    nc.refresh_from_db()
    assert nc.status == S.CLOSED
    assert nc.closed_by == officer and nc.closed_on == TODAY
    assert nc.lock_reason


def test_a_correction_needs_text_and_a_date_not_in_the_future(people):
    nc = nonconformity_in("open", people)
    with pytest.raises(ValidationError) as raised:
        services.nonconformity_record_correction(
            nonconformity=nc,
            user=people["officer"],
            correction=" ",
            correction_date=TODAY + datetime.timedelta(days=1),
        )
    assert set(raised.value.error_dict) == {"correction", "correction_date"}


def test_the_history_names_who_took_each_step(people):
    nc = nonconformity_in("verified", people)
    take("close", nc, people["internal_auditor"], people)
    assert nc.history.first().history_user == people["internal_auditor"]


# Actions changed after they were done ------------------------------------------------------


def test_an_action_added_after_the_actions_were_done_sends_it_back_to_planned(client, people):
    nc = nonconformity_in("actions_done", people)
    client.force_login(people["officer"])
    response = client.post(
        reverse("audits:correctiveaction_add"),
        {
            "nonconformity": nc.pk,
            "title": "Train the risk owners",
            "owner": people["nc_owner"].pk,
            "due_date": "2027-01-31",
            "status": PLANNED,
        },
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == S.ACTIONS_PLANNED


def test_an_action_opened_again_after_verification_sends_it_back_to_planned(client, people):
    nc = nonconformity_in("verified", people)
    action = nc.actions.get()
    client.force_login(people["officer"])
    response = client.post(
        reverse("audits:correctiveaction_edit", args=[action.pk]),
        {
            "nonconformity": nc.pk,
            "title": action.title,
            "owner": action.owner.pk,
            "due_date": action.due_date.isoformat(),
            "status": CorrectiveAction.Status.IN_PROGRESS,
            "loaded_version": action.version,
        },
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    action.refresh_from_db()
    assert nc.status == S.ACTIONS_PLANNED
    assert action.done_on is None


def test_an_action_marked_done_gets_its_date(client, people):
    nc = nonconformity_in("actions_planned:action open", people)
    action = nc.actions.get()
    client.force_login(people["officer"])
    client.post(
        reverse("audits:correctiveaction_edit", args=[action.pk]),
        {
            "nonconformity": nc.pk,
            "title": action.title,
            "owner": action.owner.pk,
            "due_date": action.due_date.isoformat(),
            "status": DONE,
            "loaded_version": action.version,
        },
    )
    action.refresh_from_db()
    assert action.done_on == TODAY
    nc.refresh_from_db()
    assert nc.status == S.ACTIONS_PLANNED  # done actions move nothing back


def test_the_actions_and_checks_of_a_closed_nonconformity_are_locked(client, people):
    nc = nonconformity_in("closed", people)
    client.force_login(people["officer"])
    action, check = nc.actions.get(), nc.effectiveness_checks.get()
    for url in (
        reverse("audits:correctiveaction_edit", args=[action.pk]),
        reverse("audits:correctiveaction_delete", args=[action.pk]),
        reverse("audits:effectivenesscheck_edit", args=[check.pk]),
        reverse("audits:nonconformity_edit", args=[nc.pk]),
    ):
        assert client.get(url).status_code == 302, url
    form = client.get(reverse("audits:correctiveaction_add")).context["form"]
    assert nc not in form.fields["nonconformity"].queryset


def test_a_second_pending_check_is_refused(client, people):
    nc = nonconformity_in("actions_done", people)
    client.force_login(people["officer"])
    response = client.post(
        reverse("audits:effectivenesscheck_add"),
        {"nonconformity": nc.pk, "method": "Again.", "due_date": "2027-02-01"},
    )
    assert response.status_code == 200
    assert "has a check waiting for its result already" in response.content.decode()


# On the page ------------------------------------------------------------------------------


def step_url(step, nc):
    return reverse(f"audits:nonconformity_{step}", args=[nc.pk])


def test_an_action_owner_sees_no_close_button_and_the_post_is_refused(client, people):
    nc = nonconformity_in("verified", people)
    client.force_login(people["action_owner"])
    page = client.get(nc.get_absolute_url()).content.decode()
    assert step_url("close", nc) not in page
    assert "You own a corrective action of this nonconformity" in page
    response = client.post(step_url("close", nc), follow=True)
    assert "You own a corrective action of this nonconformity" in response.content.decode()
    nc.refresh_from_db()
    assert nc.status == S.VERIFIED


def test_someone_who_owns_no_action_closes_on_the_page(client, people):
    nc = nonconformity_in("verified", people)
    client.force_login(people["officer"])
    assert step_url("close", nc) in client.get(nc.get_absolute_url()).content.decode()
    response = client.post(step_url("close", nc))
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == S.CLOSED and nc.closed_by == people["officer"]


def test_an_action_owner_sees_no_verification_form(client, people):
    nc = nonconformity_in("actions_done", people)
    client.force_login(people["action_owner"])
    assert (
        step_url("verify_effectiveness", nc)
        not in client.get(nc.get_absolute_url()).content.decode()
    )
    client.post(
        step_url("verify_effectiveness", nc), {"result": EFFECTIVE, "notes": "Fine."}, follow=True
    )
    nc.refresh_from_db()
    assert nc.status == S.ACTIONS_DONE


def test_the_page_shows_only_the_steps_the_user_may_take_now(client, people):
    nc = nonconformity_in("open", people)
    client.force_login(people["nc_owner"])
    page = client.get(nc.get_absolute_url()).content.decode()
    assert step_url("record_correction", nc) in page
    assert step_url("plan_actions", nc) not in page
    client.force_login(people["auditor"])
    page = client.get(nc.get_absolute_url()).content.decode()
    assert step_url("record_correction", nc) not in page


def test_a_reader_posting_a_step_is_refused(client, people):
    nc = nonconformity_in("open", people)
    client.force_login(people["auditor"])
    response = client.post(
        step_url("record_correction", nc), {"correction": "x", "correction_date": TODAY}
    )
    assert response.status_code == 403
    nc.refresh_from_db()
    assert nc.status == S.OPEN


def test_a_step_on_a_nonconformity_out_of_scope_answers_404(client, people, make_user):
    nc = nonconformity_in("open", people)
    client.force_login(make_user("no_role"))
    assert client.post(step_url("record_correction", nc)).status_code == 404


def test_not_effective_without_a_new_action_shows_the_errors_at_the_fields(client, people):
    nc = nonconformity_in("actions_done", people)
    client.force_login(people["officer"])
    response = client.post(
        step_url("verify_effectiveness", nc),
        {"result": NOT_EFFECTIVE, "notes": "Three risks still lack an owner."},
    )
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["key"] == "verify_effectiveness")
    assert "action_title" in form.errors and "action_owner" in form.errors
    assert "Three risks still lack an owner." in response.content.decode()  # input kept
    nc.refresh_from_db()
    assert nc.status == S.ACTIONS_DONE


def test_not_effective_with_a_new_action_on_the_page(client, people):
    nc = nonconformity_in("actions_done", people)
    client.force_login(people["internal_auditor"])
    response = client.post(
        step_url("verify_effectiveness", nc),
        {
            "result": NOT_EFFECTIVE,
            "notes": "Three risks still lack an owner.",
            "action_title": "Make the owner required",
            "action_owner": people["nc_owner"].pk,
            "action_due_date": "2027-03-31",
        },
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == S.ACTIONS_PLANNED
    assert nc.actions.filter(title="Make the owner required").exists()


def test_correction_recorded_on_the_page(client, people):
    nc = nonconformity_in("open", people)
    client.force_login(people["nc_owner"])
    response = client.post(
        step_url("record_correction", nc),
        {"correction": "Owners assigned.", "correction_date": TODAY.isoformat()},
    )
    assert response.status_code == 302
    nc.refresh_from_db()
    assert nc.status == S.CORRECTED and nc.correction == "Owners assigned."


def test_a_missing_root_cause_is_shown_at_its_field(client, people):
    nc = nonconformity_in("corrected:no root cause", people)
    client.force_login(people["officer"])
    response = client.post(step_url("plan_actions", nc), {"root_cause": ""})
    assert response.status_code == 400
    form = next(s["form"] for s in response.context["steps"] if s["key"] == "plan_actions")
    assert "root_cause" in form.errors


def test_all_actions_done_is_offered_only_when_no_action_is_open(client, people):
    nc = nonconformity_in("actions_planned:action open", people)
    client.force_login(people["officer"])
    page = client.get(nc.get_absolute_url()).content.decode()
    assert step_url("complete_actions", nc) not in page
    assert "Some corrective actions are still open." in page
    nc.actions.update(status=DONE)
    page = client.get(nc.get_absolute_url()).content.decode()
    assert step_url("complete_actions", nc) in page


def test_the_owner_is_told_to_plan_a_check_when_none_is_pending(client, people):
    nc = nonconformity_in("actions_done:no check", people)
    client.force_login(people["nc_owner"])
    page = client.get(nc.get_absolute_url()).content.decode()
    assert "Plan an effectiveness check (method and due date); its result is recorded here." in page
    assert reverse("audits:effectivenesscheck_add") + f"?nonconformity={nc.pk}" in page


# The action owner reports their action done -------------------------------------------------


def test_the_action_owner_reports_the_action_done_on_its_page(client, people):
    owner = UserFactory(role=roles.SYSTEM_OWNER)
    nc = nonconformity_in("actions_planned:action open", people)
    action = nc.actions.get()
    action.owner = owner
    action.save()
    client.force_login(owner)
    done_url = reverse("audits:correctiveaction_complete", args=[action.pk])
    assert done_url in client.get(action.get_absolute_url()).content.decode()
    assert client.post(done_url).status_code == 302
    action.refresh_from_db()
    assert action.status == DONE and action.done_on == TODAY
    assert action.history.first().history_user == owner


def test_someone_else_may_not_report_an_action_done(client, people):
    nc = nonconformity_in("actions_planned:action open", people)
    action = nc.actions.get()
    client.force_login(people["auditor"])
    done_url = reverse("audits:correctiveaction_complete", args=[action.pk])
    assert done_url not in client.get(action.get_absolute_url()).content.decode()
    assert client.post(done_url).status_code == 403
    action.refresh_from_db()
    assert action.status == PLANNED


def test_an_action_of_a_closed_nonconformity_is_not_reported_done(people):
    nc = nonconformity_in("closed:action open", people)
    with pytest.raises(ValidationError, match="closed nonconformity"):
        services.corrective_action_complete(action=nc.actions.get(), user=people["action_owner"])


def test_a_done_action_is_not_deleted_once_the_actions_are_done(client, people):
    nc = nonconformity_in("verified", people)
    action = nc.actions.get()
    client.force_login(people["officer"])
    response = client.post(reverse("audits:correctiveaction_delete", args=[action.pk]), follow=True)
    assert "stays on record" in response.content.decode()
    assert CorrectiveAction.objects.filter(pk=action.pk).exists()


# What the permission layer lets a user change, on the page ------------------------------------


def test_only_the_owner_among_system_owners_takes_steps_and_adds_actions(client, people):
    """A system owner reads every nonconformity; the object permission of the one who owns it
    lets that one take its steps, add its actions and checks, and report its actions done."""
    nc = nonconformity_in("actions_planned:action open", people)
    action = nc.actions.get()
    add_action = reverse("audits:correctiveaction_add") + f"?nonconformity={nc.pk}"
    done_url = reverse("audits:correctiveaction_complete", args=[action.pk])
    other_owner = UserFactory(role=roles.SYSTEM_OWNER)

    client.force_login(people["nc_owner"])
    page = client.get(nc.get_absolute_url()).content.decode()
    assert add_action in page
    assert "Some corrective actions are still open." in page
    assert done_url in client.get(action.get_absolute_url()).content.decode()

    client.force_login(other_owner)
    page = client.get(nc.get_absolute_url()).content.decode()
    assert add_action not in page
    assert "Some corrective actions are still open." not in page
    assert done_url not in client.get(action.get_absolute_url()).content.decode()
    assert client.post(done_url).status_code == 403


def test_a_closed_nonconformity_offers_its_owner_nothing_to_add(client, people):
    nc = nonconformity_in("closed", people)
    client.force_login(people["nc_owner"])
    page = client.get(nc.get_absolute_url()).content.decode()
    assert reverse("audits:correctiveaction_add") + f"?nonconformity={nc.pk}" not in page
    assert reverse("audits:effectivenesscheck_add") + f"?nonconformity={nc.pk}" not in page
