"""The impact assessment workflow (6.1.4, 8.4): who may take which step in which state, four-eyes
on the AI officer's decision, what a decision records, the snapshot hash, new versions and the
fundamental rights impact assessment of EU AI Act Art. 27."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aims.core import roles
from aims.core.digests import canonical_sha256
from aims.core.models import Notification
from aims.core.registry import registry
from aims.impact import services
from aims.impact.approvals import IMPACT_FIELDS, snapshot
from aims.impact.models import (
    AssessmentDecision,
    DecisionCondition,
    Impact,
    ImpactAssessment,
)
from tests import decisions
from tests.concurrency import at_once
from tests.conftest import form_payload
from tests.factories import (
    AISystemFactory,
    ClassificationFactory,
    ControlFactory,
    ImpactAssessmentFactory,
    ImpactFactory,
    UserFactory,
)

KEY = "impact-assessment"
Status = ImpactAssessment.Status
Outcome = AssessmentDecision.Outcome
LOCKED = "Approved versions are read-only; start a new version to change it."
AWAITING = "The assessment awaits the AI officer's decision and cannot be changed."
FOUR_EYES = (
    "You wrote, changed or submitted this impact assessment; someone else must decide on it "
    "(four-eyes)."
)
FRIA_FIELDS = [
    "fria_processes",
    "fria_period",
    "fria_affected_persons",
    "fria_risks",
    "fria_oversight",
    "fria_measures",
    "fria_notified_on",
]


# Helpers ---------------------------------------------------------------------------------------


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def give_role(user, role):
    user.groups.add(Group.objects.get(name=role))
    user.__dict__.pop("_aims_roles", None)
    return user


def saved_by(obj, user):
    """Save `obj` as `user` would, so that history names them."""
    obj._history_user = user
    obj.save()
    return obj


def draft_by(author, system=None, **fields):
    """A draft written by `author`, with one impact."""
    system = system or AISystemFactory()
    assessment = saved_by(ImpactAssessmentFactory.build(system=system, **fields), author)
    saved_by(ImpactFactory.build(assessment=assessment), author)
    return assessment


def submitted_by(author, system=None, **fields):
    assessment = draft_by(author, system, **fields)
    return services.impact_assessment_submit(assessment=assessment, user=author)


def approved(author, decider, system=None, **fields):
    assessment = submitted_by(author, system, **fields)
    services.impact_assessment_decide(assessment=assessment, user=decider, outcome=Outcome.APPROVED)
    assessment.refresh_from_db()
    return assessment


def decide_url(assessment):
    return decisions.decide_url(KEY, assessment)


def decision_payload(assessment, outcome, comment="", conditions=()):
    """The decide form as a browser posts it: the content hash it showed, three condition
    rows, unused ones empty."""
    data = decisions.decision_payload(KEY, assessment, outcome=outcome, comment=comment)
    for row in range(3):
        text, owner, due = conditions[row] if row < len(conditions) else ("", None, None)
        data[f"condition_{row}"] = text
        data[f"condition_{row}_owner"] = owner.pk if owner else ""
        data[f"condition_{row}_due"] = due.isoformat() if due else ""
    return data


def edit_assessment(client, assessment, user, **changes):
    payload = {**form_payload(registry[ImpactAssessment], assessment, user), **changes}
    return client.post(reverse("impact:impactassessment_edit", args=[assessment.pk]), payload)


def impact_payload(assessment, **changes):
    return {
        "assessment": assessment.pk,
        "area": "privacy_security",
        "affected_group": "Claimants with health data",
        "description": "Health details in claims reach the model.",
        "likelihood": "low",
        "severity": "medium",
        "mitigation": "",
        "control": "",
        "loaded_version": "",
        **changes,
    }


def add_impact(client, assessment, **changes):
    return client.post(reverse("impact:impact_add"), impact_payload(assessment, **changes))


def digest(assessment):
    assessment = ImpactAssessment.objects.get(pk=assessment.pk)
    return canonical_sha256(snapshot(assessment))


def state_of(system):
    """Everything a refused step must leave as it was."""
    return {
        "assessments": [
            (a.pk, a.number, a.status, a.version, digest(a), a.reassessment_due)
            for a in ImpactAssessment.objects.filter(system=system).order_by("number")
        ],
        "impacts": sorted(
            Impact.objects.filter(assessment__system=system).values_list("pk", "version")
        ),
        "decisions": AssessmentDecision.objects.count(),
        "conditions": DecisionCondition.objects.count(),
        "notifications": Notification.objects.count(),
    }


# The workflow as a state machine ---------------------------------------------------------------

PERSONAS = ("compliance_officer", "ai_officer", "owner", "other_owner", "auditor", "administrator")
COLUMNS = ("CO", "AIO", "OWN", "OTH", "AUD", "ADM")  # the personas above, in this order
# Who may take which step in which state: x may, . may not.
# CO compliance officer, AIO AI officer (not an author), OWN the system owner who owns the AI
# system, OTH a system owner who does not, AUD auditor, ADM administrator.
TABLE = """
state                     transition               CO  AIO OWN OTH AUD ADM
draft                     submit                   x   .   x   .   .   x
draft                     approve                  .   .   .   .   .   .
draft                     approve_with_conditions  .   .   .   .   .   .
draft                     reject                   .   .   .   .   .   .
draft                     new_version              .   .   .   .   .   .
draft                     edit                     x   .   x   .   .   x
draft                     add_impact               x   .   x   .   .   x
draft                     delete                   x   .   x   .   .   x
submitted                 submit                   .   .   .   .   .   .
submitted                 approve                  .   x   .   .   .   .
submitted                 approve_with_conditions  .   x   .   .   .   .
submitted                 reject                   .   x   .   .   .   .
submitted                 new_version              .   .   .   .   .   .
submitted                 edit                     .   .   .   .   .   .
submitted                 add_impact               .   .   .   .   .   .
submitted                 delete                   .   .   .   .   .   .
approved                  submit                   .   .   .   .   .   .
approved                  approve                  .   .   .   .   .   .
approved                  approve_with_conditions  .   .   .   .   .   .
approved                  reject                   .   .   .   .   .   .
approved                  new_version              x   .   x   .   .   x
approved                  edit                     .   .   .   .   .   .
approved                  add_impact               .   .   .   .   .   .
approved                  delete                   .   .   .   .   .   .
approved_with_conditions  submit                   .   .   .   .   .   .
approved_with_conditions  approve                  .   .   .   .   .   .
approved_with_conditions  approve_with_conditions  .   .   .   .   .   .
approved_with_conditions  reject                   .   .   .   .   .   .
approved_with_conditions  new_version              x   .   x   .   .   x
approved_with_conditions  edit                     .   .   .   .   .   .
approved_with_conditions  add_impact               .   .   .   .   .   .
approved_with_conditions  delete                   .   .   .   .   .   .
"""


def parse_table(text):
    header, *rows = [line.split() for line in text.strip().splitlines()]
    assert header[2:] == list(COLUMNS)
    return {
        (state, transition, persona): mark == "x"
        for state, transition, *marks in rows
        for persona, mark in zip(PERSONAS, marks, strict=True)
    }


EXPECTED = parse_table(TABLE)
STATES = ("draft", "submitted", "approved", "approved_with_conditions")
TRANSITIONS = (
    "submit",
    "approve",
    "approve_with_conditions",
    "reject",
    "new_version",
    "edit",
    "add_impact",
    "delete",
)


def test_the_table_covers_every_state_transition_and_persona():
    assert len(EXPECTED) == len(STATES) * len(TRANSITIONS) * len(PERSONAS)
    assert {key[:2] for key in EXPECTED} == {(s, t) for s in STATES for t in TRANSITIONS}


@pytest.fixture
def world(make_user):
    """The six personas, an author and a decider (neither of them a persona), and an AI
    system owned by the owning system owner."""
    owner = make_user("system_owner")
    people = SimpleNamespace(
        compliance_officer=make_user("compliance_officer"),
        ai_officer=make_user("ai_officer"),
        owner=owner,
        other_owner=UserFactory(username="other_system_owner", role=roles.SYSTEM_OWNER),
        auditor=make_user("auditor"),
        administrator=make_user("administrator"),
        author=UserFactory(username="author", role=roles.COMPLIANCE_OFFICER),
        decider=UserFactory(username="decider", role=roles.AI_OFFICER),
    )
    people.system = AISystemFactory(owner=owner)
    return people


def assessment_in(state, world):
    assessment = draft_by(world.author, world.system)
    if state == "draft":
        return assessment
    services.impact_assessment_submit(assessment=assessment, user=world.author)
    if state == "approved":
        services.impact_assessment_decide(
            assessment=assessment, user=world.decider, outcome=Outcome.APPROVED
        )
    elif state == "approved_with_conditions":
        services.impact_assessment_decide(
            assessment=assessment,
            user=world.decider,
            outcome=Outcome.APPROVED_WITH_CONDITIONS,
            conditions=[("Monitor the ranking by age monthly.", world.author, in_days(30))],
        )
    assessment.refresh_from_db()
    assert assessment.status == state
    return assessment


NEW_USE = "Sort incoming claims by urgency; the case handler confirms each ranking."
CONDITION = "Report the ranking by age group every month."


def take(transition, client, assessment, user, world):
    """Take the step through its page, as a browser would."""
    pk = assessment.pk
    if transition == "submit":
        return client.post(reverse("impact:submit", args=[pk]))
    if transition == "approve":
        return client.post(decide_url(assessment), decision_payload(assessment, Outcome.APPROVED))
    if transition == "approve_with_conditions":
        conditions = [(CONDITION, world.author, in_days(30))]
        payload = decision_payload(
            assessment, Outcome.APPROVED_WITH_CONDITIONS, conditions=conditions
        )
        return client.post(decide_url(assessment), payload)
    if transition == "reject":
        payload = decision_payload(
            assessment, Outcome.REJECTED, comment="Older claimants are missing."
        )
        return client.post(decide_url(assessment), payload)
    if transition == "new_version":
        return client.post(reverse("impact:new_version", args=[pk]))
    if transition == "edit":
        return edit_assessment(client, assessment, user, intended_use=NEW_USE)
    if transition == "add_impact":
        return add_impact(client, assessment)
    if transition == "delete":
        return client.post(reverse("impact:impactassessment_delete", args=[pk]))
    raise AssertionError(transition)


def assert_taken(transition, assessment, user, state):
    """What each step, when allowed, must have done."""
    if transition == "delete":
        assert not ImpactAssessment.objects.filter(pk=assessment.pk).exists()
        return
    assessment.refresh_from_db()
    decision = assessment.decisions.first()
    if transition == "submit":
        assert assessment.status == Status.SUBMITTED
    elif transition == "approve":
        assert assessment.status == Status.APPROVED
        assert (decision.outcome, decision.decided_by) == (Outcome.APPROVED, user)
    elif transition == "approve_with_conditions":
        assert assessment.status == Status.APPROVED_WITH_CONDITIONS
        assert (decision.outcome, decision.decided_by) == (Outcome.APPROVED_WITH_CONDITIONS, user)
        assert [c.text for c in decision.conditions.all()] == [CONDITION]
    elif transition == "reject":
        assert assessment.status == Status.DRAFT
        assert (decision.outcome, decision.decided_by) == (Outcome.REJECTED, user)
    elif transition == "new_version":
        assert assessment.status == state  # the approved version stays as it was
        draft = assessment.system.impact_assessments.get(number=assessment.number + 1)
        assert draft.status == Status.DRAFT
    elif transition == "edit":
        assert assessment.intended_use == NEW_USE
    elif transition == "add_impact":
        assert assessment.impacts.count() == 2
    else:
        raise AssertionError(transition)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("transition", TRANSITIONS)
@pytest.mark.parametrize("state", STATES)
def test_each_persona_takes_exactly_the_steps_the_table_allows(world, state, transition, persona):
    assessment = assessment_in(state, world)
    user = getattr(world, persona)
    before = state_of(world.system)

    response = take(transition, client_of(user), assessment, user, world)

    if EXPECTED[state, transition, persona]:
        assert response.status_code == 302, response.content.decode()[:3000]
        assert_taken(transition, assessment, user, state)
    else:
        assert response.status_code == refused_status(transition, persona)
        assert state_of(world.system) == before


def refused_status(transition, persona):
    """How a refused step answers. Every persona sees the assessment, so a refused decision
    goes back to its page with the reason. Someone who may not change the assessment gets 403
    for a change (naming who may) and for a new impact; a writer refused by the state goes
    back to the page with the reason, or stays on the impact form with the error."""
    if transition in ("approve", "approve_with_conditions", "reject"):
        return 302
    if transition == "add_impact":
        return 200 if persona in WRITERS else 403
    return 302 if persona in WRITERS else 403


# Approved versions are read-only ---------------------------------------------------------------

WRITERS = ("compliance_officer", "owner", "administrator")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", ["approved", "approved_with_conditions"])
def test_no_one_edits_or_deletes_an_approved_version(world, state, persona):
    assessment = assessment_in(state, world)
    user = getattr(world, persona)
    client = client_of(user)
    before = state_of(world.system)
    edit = reverse("impact:impactassessment_edit", args=[assessment.pk])
    delete = reverse("impact:impactassessment_delete", args=[assessment.pk])
    payload = {
        **form_payload(registry[ImpactAssessment], assessment, user),
        "intended_use": NEW_USE,
    }

    for response in (
        client.get(edit),
        client.post(edit, payload),
        client.get(delete),
        client.post(delete),
    ):
        if persona in WRITERS:
            assert response.status_code == 302
            assert response["Location"] == assessment.get_absolute_url()
            assert LOCKED in messages_of(response)
        else:
            assert response.status_code == 403  # seen, but not theirs to change
    assert state_of(world.system) == before


@pytest.mark.parametrize("persona", WRITERS)
def test_the_impacts_of_an_approved_version_cannot_be_edited_or_deleted(world, persona):
    assessment = assessment_in("approved", world)
    impact = assessment.impacts.get()
    user = getattr(world, persona)
    client = client_of(user)
    before = state_of(world.system)
    edit = reverse("impact:impact_edit", args=[impact.pk])
    delete = reverse("impact:impact_delete", args=[impact.pk])
    payload = {**form_payload(registry[Impact], impact, user), "severity": "low"}

    for response in (
        client.get(edit),
        client.post(edit, payload),
        client.get(delete),
        client.post(delete),
    ):
        assert response.status_code == 302
        assert response["Location"] == impact.get_absolute_url()
        assert LOCKED in messages_of(response)
    assert state_of(world.system) == before
    impact.refresh_from_db()
    assert impact.severity == "high"


@pytest.mark.parametrize("state", ["submitted", "approved", "approved_with_conditions"])
def test_a_new_impact_cannot_be_posted_into_an_assessment_that_is_not_a_draft(world, state):
    assessment = assessment_in(state, world)
    before = state_of(world.system)
    response = add_impact(client_of(world.compliance_officer), assessment)
    assert response.status_code == 200
    assert "assessment" in response.context["form"].errors
    assert state_of(world.system) == before


def test_a_submitted_assessment_is_locked_with_its_own_message(world):
    assessment = assessment_in("submitted", world)
    response = client_of(world.compliance_officer).get(
        reverse("impact:impactassessment_edit", args=[assessment.pk])
    )
    assert response.status_code == 302
    assert AWAITING in messages_of(response)


# Decisions and rejection -----------------------------------------------------------------------


def test_a_rejection_needs_a_comment(world):
    assessment = assessment_in("submitted", world)
    before = state_of(world.system)
    with pytest.raises(ValidationError, match="Give the reasons for the rejection"):
        services.impact_assessment_decide(
            assessment=assessment, user=world.ai_officer, outcome=Outcome.REJECTED, comment="  "
        )
    response = client_of(world.ai_officer).post(
        decide_url(assessment), decision_payload(assessment, Outcome.REJECTED)
    )
    assert response.status_code == 200
    assert "Give the reasons for the rejection." in response.content.decode()
    assert state_of(world.system) == before


def test_a_rejection_returns_the_assessment_to_draft_with_the_decision_recorded(world):
    assessment = assessment_in("submitted", world)
    response = client_of(world.ai_officer).post(
        decide_url(assessment),
        decision_payload(
            assessment, Outcome.REJECTED, comment="The FRIA of older claimants is missing."
        ),
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT
    decision = assessment.decisions.get()
    assert (decision.outcome, decision.decided_by, decision.comment) == (
        Outcome.REJECTED,
        world.ai_officer,
        "The FRIA of older claimants is missing.",
    )
    # Back in draft, the authors change it again.
    response = edit_assessment(
        client_of(world.compliance_officer),
        assessment,
        world.compliance_officer,
        intended_use=NEW_USE,
    )
    assert response.status_code == 302


def test_an_approval_with_conditions_needs_a_condition_and_a_plain_one_has_none(world):
    assessment = assessment_in("submitted", world)
    before = state_of(world.system)
    with pytest.raises(ValidationError, match="needs at least one condition"):
        services.impact_assessment_decide(
            assessment=assessment, user=world.ai_officer, outcome=Outcome.APPROVED_WITH_CONDITIONS
        )
    with pytest.raises(ValidationError, match="needs at least one condition"):
        services.impact_assessment_decide(
            assessment=assessment,
            user=world.ai_officer,
            outcome=Outcome.APPROVED,
            conditions=[(CONDITION, world.author, in_days(30))],
        )
    assert state_of(world.system) == before


def test_a_condition_without_owner_or_due_date_is_refused_at_the_field(world):
    assessment = assessment_in("submitted", world)
    before = state_of(world.system)
    response = client_of(world.ai_officer).post(
        decide_url(assessment),
        decision_payload(
            assessment,
            Outcome.APPROVED_WITH_CONDITIONS,
            conditions=[(CONDITION, None, in_days(30))],
        ),
    )
    assert response.status_code == 200
    assert "condition_0" in response.context["form"].errors
    assert state_of(world.system) == before


# Four-eyes -------------------------------------------------------------------------------------


@pytest.fixture
def officer_a(db):
    """An AI officer who also holds the compliance officer's role, so may write assessments."""
    return give_role(
        UserFactory(username="officer_a", role=roles.AI_OFFICER), roles.COMPLIANCE_OFFICER
    )


def created_by(officer, author):
    """`officer` writes the assessment through the add page; `author` submits it."""
    system = AISystemFactory()
    payload = form_payload(
        registry[ImpactAssessment], ImpactAssessmentFactory.build(system=system), officer
    )
    response = client_of(officer).post(reverse("impact:impactassessment_add"), payload)
    assert response.status_code == 302, response.content.decode()[:3000]
    assessment = system.impact_assessments.get()
    return services.impact_assessment_submit(assessment=assessment, user=author)


def edited_by(officer, author):
    """`author` writes the assessment, `officer` changes a field through the edit page."""
    assessment = draft_by(author)
    response = edit_assessment(client_of(officer), assessment, officer, intended_use=NEW_USE)
    assert response.status_code == 302, response.content.decode()[:3000]
    return services.impact_assessment_submit(assessment=assessment, user=author)


def impact_added_by(officer, author):
    """`author` writes the assessment, `officer` only adds an impact to it."""
    assessment = draft_by(author)
    response = add_impact(client_of(officer), assessment)
    assert response.status_code == 302, response.content.decode()[:3000]
    return services.impact_assessment_submit(assessment=assessment, user=author)


def assert_undecided(assessment):
    assessment.refresh_from_db()
    assert assessment.status == Status.SUBMITTED
    assert not assessment.decisions.exists()


@pytest.mark.parametrize("authorship", [created_by, edited_by, impact_added_by])
def test_an_ai_officer_who_wrote_any_of_the_assessment_cannot_decide(
    officer_a, compliance_officer, authorship
):
    # An AI officer who wrote none of it must exist before it can be submitted.
    other = UserFactory(role=roles.AI_OFFICER)
    assessment = authorship(officer_a, compliance_officer)
    assert officer_a.pk in services.content_editors(assessment)

    with pytest.raises(ValidationError, match=re.escape(FOUR_EYES)):
        services.impact_assessment_decide(
            assessment=assessment, user=officer_a, outcome=Outcome.APPROVED
        )
    assert_undecided(assessment)

    client = client_of(officer_a)
    for response in (
        client.get(decide_url(assessment)),
        client.post(decide_url(assessment), decision_payload(assessment, Outcome.APPROVED)),
    ):
        assert response.status_code == 302
        assert response["Location"] == assessment.get_absolute_url()
        assert FOUR_EYES in messages_of(response)
    assert_undecided(assessment)

    # The assessment page shows no Decide button to them, and says why.
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert decide_url(assessment) not in page
    assert FOUR_EYES in page

    # A different AI officer decides.
    response = client_of(other).post(
        decide_url(assessment), decision_payload(assessment, Outcome.APPROVED)
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    assert assessment.decisions.get().decided_by == other


def test_a_rejecting_ai_officer_may_decide_again_after_the_resubmission(
    officer_a, compliance_officer
):
    assessment = submitted_by(compliance_officer)
    services.impact_assessment_decide(
        assessment=assessment, user=officer_a, outcome=Outcome.REJECTED, comment="Incomplete."
    )
    assessment.refresh_from_db()
    services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    # Neither the rejection nor the resubmission made anyone an author.
    assert services.content_editors(assessment) == {compliance_officer.pk}

    response = client_of(officer_a).post(
        decide_url(assessment), decision_payload(assessment, Outcome.APPROVED)
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED
    assert list(assessment.decisions.values_list("outcome", "decided_by")) == [
        (Outcome.APPROVED, officer_a.pk),
        (Outcome.REJECTED, officer_a.pk),
    ]


def test_a_compliance_officer_cannot_decide(compliance_officer, ai_officer):
    assessment = submitted_by(UserFactory(role=roles.COMPLIANCE_OFFICER))
    with pytest.raises(ValidationError, match="Only the AI officer decides"):
        services.impact_assessment_decide(
            assessment=assessment, user=compliance_officer, outcome=Outcome.APPROVED
        )
    assert_undecided(assessment)


def test_an_inactive_ai_officer_cannot_decide(ai_officer, compliance_officer):
    assessment = submitted_by(compliance_officer)
    ai_officer.is_active = False
    ai_officer.save()
    with pytest.raises(ValidationError, match="Only the AI officer decides"):
        services.impact_assessment_decide(
            assessment=assessment, user=ai_officer, outcome=Outcome.APPROVED
        )
    assert_undecided(assessment)


# What a decision records -----------------------------------------------------------------------


def test_a_decision_records_decider_time_comment_conditions_and_the_snapshot_hash(
    ai_officer, compliance_officer, system_owner
):
    assessment = submitted_by(compliance_officer)
    content_hash = digest(assessment)
    conditions = [
        ("Report the ranking by age group every month.", system_owner, in_days(30)),
        ("Train the case handlers on overriding the ranking.", compliance_officer, in_days(60)),
    ]
    before = timezone.now()
    response = client_of(ai_officer).post(
        decide_url(assessment),
        decision_payload(
            assessment,
            Outcome.APPROVED_WITH_CONDITIONS,
            comment="Fine with monitoring.",
            conditions=conditions,
        ),
    )
    assert response.status_code == 302
    assert "Decision recorded." in messages_of(response)

    decision = AssessmentDecision.objects.get()
    assert decision.assessment == assessment
    assert decision.outcome == Outcome.APPROVED_WITH_CONDITIONS
    assert decision.decided_by == ai_officer
    assert before <= decision.decided_at <= timezone.now()
    assert decision.comment == "Fine with monitoring."
    assert sorted((c.text, c.owner, c.due_date) for c in decision.conditions.all()) == sorted(
        conditions
    )
    assert len(decision.snapshot_sha256) == 64
    assert decision.snapshot_sha256 == canonical_sha256(decision.snapshot)
    # The hash covers the content as it was submitted.
    assert decision.snapshot_sha256 == content_hash
    assert decision.snapshot["intended_use"] == assessment.intended_use
    assert [i["affected_group"] for i in decision.snapshot["impacts"]] == ["Older policy holders"]

    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED_WITH_CONDITIONS
    assert assessment.next_review is not None and assessment.next_review > timezone.localdate()
    page = client_of(ai_officer).get(assessment.get_absolute_url()).content.decode()
    assert decision.snapshot_sha256 in page
    assert "matches the content shown" in page


@pytest.mark.parametrize(
    ("outcome", "comment"),
    [(Outcome.APPROVED, ""), (Outcome.REJECTED, "The misuse section is empty.")],
)
def test_every_outcome_stores_the_hash_of_its_snapshot(
    ai_officer, compliance_officer, outcome, comment
):
    assessment = submitted_by(compliance_officer)
    content_hash = digest(assessment)
    decision = services.impact_assessment_decide(
        assessment=assessment, user=ai_officer, outcome=outcome, comment=comment
    )
    decision.refresh_from_db()
    assert (decision.outcome, decision.decided_by, decision.comment) == (
        outcome,
        ai_officer,
        comment,
    )
    assert decision.snapshot_sha256 == canonical_sha256(decision.snapshot) == content_hash
    assert not decision.conditions.exists()


def test_a_decided_assessment_cannot_be_decided_again(ai_officer, compliance_officer):
    assessment = submitted_by(compliance_officer)
    services.impact_assessment_decide(
        assessment=assessment, user=ai_officer, outcome=Outcome.APPROVED
    )
    other = UserFactory(role=roles.AI_OFFICER)
    with pytest.raises(ValidationError, match="Only a submitted assessment can be decided"):
        services.impact_assessment_decide(
            assessment=assessment, user=other, outcome=Outcome.REJECTED, comment="No."
        )
    assert AssessmentDecision.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_ai_officers_approving_at_once_yield_one_decision():
    """The second approver waits for the first one's decision and is then told the assessment
    is no longer awaiting one: one decision, never two."""
    author = UserFactory(role=roles.COMPLIANCE_OFFICER)
    officers = [UserFactory(role=roles.AI_OFFICER), UserFactory(role=roles.AI_OFFICER)]
    assessment = submitted_by(author)
    outcomes = at_once(
        officers,
        lambda officer: services.impact_assessment_decide(
            assessment=assessment, user=officer, outcome=Outcome.APPROVED
        ),
        writes=AssessmentDecision,
        refused=ValidationError,
    )

    approved_by = [user.pk for user, outcome in outcomes.items() if outcome == "done"]
    refused = [user for user, outcome in outcomes.items() if isinstance(outcome, ValidationError)]
    assert (len(approved_by), len(refused)) == (1, 1), outcomes
    assert AssessmentDecision.objects.count() == 1
    decision = AssessmentDecision.objects.get()
    assert decision.decided_by_id == approved_by[0]
    assessment.refresh_from_db()
    assert assessment.status == Status.APPROVED


# The snapshot ----------------------------------------------------------------------------------

# Every field the decision covers, with a value different from the factory's.
CONTENT_CHANGES = {
    "intended_use": "Rank claims for fraud checks.",
    "foreseeable_misuse": "Used to deny claims without review.",
    "technical_context": "Gradient-boosted trees on claim features.",
    "societal_context": "Claimants in distress.",
    "jurisdictions": "Germany, Austria",
    "affected_groups": "Claimants and their families.",
    "vulnerable_groups": "Elderly claimants.",
    "data_used": "Claim forms and payment history.",
    "data_sensitivity": "special",
    "automation_level": "human_in_loop",
    "human_oversight": "A case handler confirms every ranking.",
    "predictable_failures": "Rare claim types are ranked low.",
    "positive_impacts": "Urgent claims are paid sooner.",
    "negative_impacts": "Unusual claims wait longer.",
    "overall_rating": "high",
    "recommendation": "Deploy with monthly monitoring.",
    "fria_processes": "Claims handling.",
    "fria_period": "Daily, all year.",
    "fria_affected_persons": "Policy holders.",
    "fria_risks": "Indirect discrimination by age.",
    "fria_oversight": "Four-eyes on rejections.",
    "fria_measures": "Complaints desk; ranking switched off on incidents.",
}


@pytest.fixture
def assessment(compliance_officer):
    return draft_by(compliance_officer)


def test_the_hash_is_stable_while_nothing_changes(assessment, compliance_officer, ai_officer):
    first = digest(assessment)
    assert digest(assessment) == first
    assert canonical_sha256(snapshot(assessment)) == first

    saved_by(ImpactAssessment.objects.get(pk=assessment.pk), compliance_officer)  # no changes
    saved_by(assessment.impacts.get(), compliance_officer)
    assert digest(assessment) == first

    services.impact_assessment_submit(assessment=assessment, user=compliance_officer)
    assert digest(assessment) == first
    decision = services.impact_assessment_decide(
        assessment=assessment, user=ai_officer, outcome=Outcome.APPROVED
    )
    assert decision.snapshot_sha256 == first
    assert digest(assessment) == first


@pytest.mark.parametrize("field", list(CONTENT_CHANGES))
def test_the_hash_changes_when_a_content_field_changes(assessment, compliance_officer, field):
    before = digest(assessment)
    stored = ImpactAssessment.objects.get(pk=assessment.pk)
    assert getattr(stored, field) != CONTENT_CHANGES[field]
    setattr(stored, field, CONTENT_CHANGES[field])
    saved_by(stored, compliance_officer)
    assert digest(assessment) != before


def test_the_hash_changes_when_an_impact_is_added(assessment, compliance_officer):
    before = digest(assessment)
    saved_by(ImpactFactory.build(assessment=assessment, severity="low"), compliance_officer)
    assert digest(assessment) != before


IMPACT_CHANGES = {
    "area": "transparency",
    "description": "Claimants cannot tell why they wait.",
    "affected_group": "Claimants abroad",
    "positive": True,
    "likelihood": "critical",
    "severity": "low",
    "mitigation": "Explain the ranking on request.",
}


@pytest.mark.parametrize("field", [*IMPACT_CHANGES, "control"])
def test_the_hash_changes_when_an_impact_changes(assessment, compliance_officer, field):
    before = digest(assessment)
    impact = assessment.impacts.get()
    value = ControlFactory(framework="iso42001") if field == "control" else IMPACT_CHANGES[field]
    setattr(impact, field, value)
    saved_by(impact, compliance_officer)
    assert digest(assessment) != before


def test_the_hash_changes_when_an_impact_is_removed(assessment):
    before = digest(assessment)
    assessment.impacts.get().delete()
    assert digest(assessment) != before


# New versions ----------------------------------------------------------------------------------


def test_a_new_version_is_a_draft_copy_that_needs_its_own_approval(
    client, compliance_officer, ai_officer
):
    v1 = draft_by(compliance_officer, jurisdictions="Germany")
    saved_by(ImpactFactory.build(assessment=v1, area="transparency"), compliance_officer)
    services.impact_assessment_submit(assessment=v1, user=compliance_officer)
    services.impact_assessment_decide(assessment=v1, user=ai_officer, outcome=Outcome.APPROVED)
    v1.refresh_from_db()
    assert v1.impacts.count() == 2
    v1_state = (v1.status, v1.version, digest(v1), v1.decisions.count())
    client.force_login(compliance_officer)

    response = client.post(reverse("impact:new_version", args=[v1.pk]))

    v2 = v1.system.impact_assessments.get(number=2)
    assert response.status_code == 302
    assert response["Location"] == v2.get_absolute_url()
    assert v2.status == Status.DRAFT
    assert v2.reference != v1.reference
    for field in CONTENT_CHANGES:
        assert getattr(v2, field) == getattr(v1, field), field
    copied = [name.removesuffix("_id") for name in IMPACT_FIELDS]
    assert sorted(v2.impacts.values_list(*copied)) == sorted(v1.impacts.values_list(*copied))
    assert not set(v2.impacts.values_list("pk", flat=True)) & set(
        v1.impacts.values_list("pk", flat=True)
    )
    assert not v2.decisions.exists()
    assert v2.next_review is None

    # The approved version is unchanged.
    v1.refresh_from_db()
    assert (v1.status, v1.version, digest(v1), v1.decisions.count()) == v1_state

    # v2 needs its own decision: not before it is submitted, and then by the AI officer.
    with pytest.raises(ValidationError, match="Only a submitted assessment"):
        services.impact_assessment_decide(assessment=v2, user=ai_officer, outcome=Outcome.APPROVED)
    services.impact_assessment_submit(assessment=v2, user=compliance_officer)
    services.impact_assessment_decide(assessment=v2, user=ai_officer, outcome=Outcome.APPROVED)
    v2.refresh_from_db()
    assert v2.status == Status.APPROVED
    assert v2.decisions.count() == 1


@pytest.mark.parametrize("open_status", ["draft", "submitted"])
def test_a_system_has_one_open_assessment_at_most(
    client, compliance_officer, ai_officer, open_status
):
    v1 = approved(compliance_officer, ai_officer)
    v2 = services.impact_assessment_new_version(assessment=v1, user=compliance_officer)
    if open_status == "submitted":
        services.impact_assessment_submit(assessment=v2, user=compliance_officer)
    before = state_of(v1.system)

    with pytest.raises(ValidationError, match="in draft or awaiting approval already"):
        services.impact_assessment_new_version(assessment=v1, user=compliance_officer)

    client.force_login(compliance_officer)
    response = client.post(reverse("impact:new_version", args=[v1.pk]))
    assert response.status_code == 302
    assert any("in draft or awaiting approval already" in m for m in messages_of(response))

    payload = form_payload(
        registry[ImpactAssessment],
        ImpactAssessmentFactory.build(system=v1.system),
        compliance_officer,
    )
    response = client.post(reverse("impact:impactassessment_add"), payload)
    assert response.status_code == 200
    assert response.context["form"].errors["system"] == [
        "This AI system has an assessment in draft or awaiting approval already."
    ]
    assert state_of(v1.system) == before


def test_a_new_version_starts_only_from_an_approved_one(compliance_officer):
    draft = draft_by(compliance_officer)
    with pytest.raises(ValidationError, match="starts from an approved version"):
        services.impact_assessment_new_version(assessment=draft, user=compliance_officer)
    assert ImpactAssessment.objects.count() == 1


# The fundamental rights impact assessment (EU AI Act Art. 27) ----------------------------------


def system_classified(tiers, ai_act_roles):
    system = AISystemFactory(ai_act_roles=ai_act_roles)
    for tier in tiers:  # oldest first; the last one is current
        # High-risk as life and health insurance pricing, where Art. 27 applies to deployers.
        answers = {"annex_iii_area": "essential_services", "credit_or_insurance": True}
        ClassificationFactory(
            system=system,
            tier=tier,
            roles=ai_act_roles,
            answers=answers if tier == "high_risk" else {},
        )
    return system


def form_fields(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return set(response.context["form"].fields)


@pytest.mark.parametrize(
    ("tiers", "ai_act_roles", "fria"),
    [
        (["high_risk"], ["deployer"], True),
        (["high_risk"], ["provider", "deployer"], True),
        (["minimal", "high_risk"], ["deployer"], True),
        (["high_risk"], ["provider"], False),
        (["minimal"], ["deployer"], False),
        (["high_risk", "minimal"], ["deployer"], False),
        ([], ["deployer"], False),
    ],
    ids=[
        "high-risk deployer",
        "high-risk provider and deployer",
        "now high-risk deployer",
        "high-risk provider only",
        "minimal-risk deployer",
        "formerly high-risk deployer",
        "unclassified deployer",
    ],
)
def test_the_fria_fields_are_on_the_form_only_for_deployers_of_high_risk_systems(
    client, compliance_officer, tiers, ai_act_roles, fria
):
    system = system_classified(tiers, ai_act_roles)
    client.force_login(compliance_officer)
    add = reverse("impact:impactassessment_add")

    on_add = form_fields(client, f"{add}?system={system.pk}")
    assessment = draft_by(compliance_officer, system)
    on_edit = form_fields(client, reverse("impact:impactassessment_edit", args=[assessment.pk]))

    for fields in (on_add, on_edit):
        assert "intended_use" in fields
        if fria:
            assert set(FRIA_FIELDS) <= fields
        else:
            assert not set(FRIA_FIELDS) & fields
    assert assessment.fria_required is fria


def test_the_fria_answers_are_saved_for_a_high_risk_deployer(client, compliance_officer):
    system = system_classified(["high_risk"], ["deployer"])
    client.force_login(compliance_officer)
    unsaved = ImpactAssessmentFactory.build(system=system)
    payload = {
        **form_payload(registry[ImpactAssessment], unsaved, compliance_officer),
        "fria_risks": "Indirect discrimination by age.",
        "fria_notified_on": in_days(-1).isoformat(),
    }
    response = client.post(reverse("impact:impactassessment_add"), payload)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = system.impact_assessments.get()
    assert (saved.fria_risks, saved.fria_notified_on) == (
        "Indirect discrimination by age.",
        in_days(-1),
    )


def test_fria_answers_posted_for_a_system_that_needs_none_are_ignored(client, compliance_officer):
    system = system_classified(["minimal"], ["deployer"])
    client.force_login(compliance_officer)
    unsaved = ImpactAssessmentFactory.build(system=system)
    payload = {
        **form_payload(registry[ImpactAssessment], unsaved, compliance_officer),
        "fria_risks": "Posted anyway.",
    }
    response = client.post(reverse("impact:impactassessment_add"), payload)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert system.impact_assessments.get().fria_risks == ""


@pytest.mark.parametrize(
    ("tiers", "ai_act_roles", "fria"),
    [
        (["high_risk"], ["deployer"], True),
        (["high_risk"], ["provider"], False),
        (["minimal"], ["deployer"], False),
    ],
)
def test_the_fria_part_of_the_assessment_page_shows_only_where_art_27_asks_for_it(
    client, compliance_officer, tiers, ai_act_roles, fria
):
    system = system_classified(tiers, ai_act_roles)
    assessment = draft_by(compliance_officer, system)
    client.force_login(compliance_officer)
    page = client.get(assessment.get_absolute_url()).content.decode()
    assert ("(d) specific risks of harm to them" in page) is fria
    assert ("market surveillance authority" in page) is fria
    assert "intended use" in page.lower()
