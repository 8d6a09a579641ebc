"""Workflow steps through the API: each step by the right role leaves the records the pages
leave (decisions with their hashes, history naming the API user); a wrong role answers 403,
another owner's record 404, a state that does not allow the step 409, invalid input 400."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from aims.core import roles
from aims.core.approvals import WORKFLOW, approvals, content_sha256
from aims.core.digests import canonical_sha256
from aims.core.models import ApiToken, Notification
from aims.impact.approvals import snapshot
from aims.impact.models import AssessmentDecision, DecisionCondition, ImpactAssessment
from audits.models import AuditPack
from controls.models import SoAVersion
from risks.models import Risk, RiskAcceptance
from tests.controls.test_catalogue import ANNEX_A_IDS
from tests.factories import (
    AISystemFactory,
    AuditFactory,
    AuditProgrammeFactory,
    RiskFactory,
    TreatmentActionFactory,
    UserFactory,
    active_criteria,
    justify_soa_entries,
)
from tests.impact.test_workflow import decide_url as page_decide_url
from tests.impact.test_workflow import decision_payload, draft_by, submitted_by

BACKEND = "django.contrib.auth.backends.ModelBackend"
Outcome = AssessmentDecision.Outcome
Status = ImpactAssessment.Status


def api_client(user):
    """A client logged in as `user` (the browser's session)."""
    client = APIClient()
    client.force_login(user, backend=BACKEND)
    return client


def token_client(user):
    """A client calling with one of `user`'s personal API tokens, as a script does."""
    expires_at = timezone.now() + timedelta(days=30)
    _token, text = ApiToken.issue(user=user, name="pipeline", expires_at=expires_at)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    return client


def page_client(user):
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def step(model_label, action, obj):
    return reverse(f"api:{model_label}-{action}", args=[obj.pk])


def in_days(days):
    return timezone.localdate() + timedelta(days=days)


def last_history(obj):
    return obj.history.order_by("-history_date", "-history_id").first()


@pytest.fixture
def author(db):
    return UserFactory(role=roles.COMPLIANCE_OFFICER)


@pytest.fixture
def decider(db):
    return UserFactory(role=roles.AI_OFFICER)


# Impact assessments: submit ---------------------------------------------------------------------


def submit_url(assessment):
    return step("impact.impactassessment", "submit", assessment)


def decide_url(assessment):
    return step("impact.impactassessment", "decide", assessment)


def test_the_author_submits_a_draft_and_the_ai_officer_is_told(author, decider):
    assessment = draft_by(author)
    response = api_client(author).post(submit_url(assessment), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["status"]) == (assessment.pk, Status.SUBMITTED)
    assert body["version"] == assessment.version + 1
    record = last_history(assessment)
    assert record.history_user == author
    assert record.history_change_reason.startswith(WORKFLOW)
    (notice,) = Notification.objects.filter(recipient=decider)
    assert "awaits your decision" in notice.message


def test_a_submitted_assessment_cannot_be_submitted_again(author, decider):
    assessment = submitted_by(author)
    response = api_client(author).post(submit_url(assessment), format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": "Only a draft can be submitted."}


def test_submission_is_refused_while_no_one_may_decide(author):
    assessment = draft_by(author)
    response = api_client(author).post(submit_url(assessment), format="json")
    assert response.status_code == 409
    assert "No one may decide on this" in response.json()["detail"]
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_an_auditor_may_not_submit(author, decider, auditor):
    assessment = draft_by(author)
    response = api_client(auditor).post(submit_url(assessment), format="json")
    assert response.status_code == 403
    assert "Allowed: Administrator, Compliance Officer" in response.json()["detail"]
    assessment.refresh_from_db()
    assert assessment.status == Status.DRAFT


def test_another_owners_assessment_is_not_found(author, decider):
    """An owner without a role reaches only what they own."""
    owner = UserFactory()
    AISystemFactory(owner=owner)
    assessment = draft_by(author, system=AISystemFactory(owner=UserFactory()))
    response = api_client(owner).post(submit_url(assessment), format="json")
    assert response.status_code == 404


def test_a_system_owner_reads_another_owners_assessment_but_may_not_submit_it(
    author, decider, system_owner
):
    assessment = draft_by(author, system=AISystemFactory(owner=UserFactory()))
    response = api_client(system_owner).post(submit_url(assessment), format="json")
    assert response.status_code == 403


def test_the_system_owner_submits_the_assessment_of_their_system(decider, system_owner):
    system = AISystemFactory(owner=system_owner)
    assessment = draft_by(system_owner, system=system)
    response = api_client(system_owner).post(submit_url(assessment), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.SUBMITTED


def test_missing_fria_answers_are_named_per_field(author, decider, monkeypatch):
    assessment = draft_by(author)
    monkeypatch.setattr(ImpactAssessment, "fria_required", property(lambda self: True))
    response = api_client(author).post(submit_url(assessment), format="json")
    assert response.status_code == 400
    assert "fria_processes" in response.json()


def test_without_credentials_the_api_answers_401(author):
    assessment = draft_by(author)
    assert APIClient().post(submit_url(assessment), format="json").status_code == 401


# Impact assessments: decide ---------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [api_client, token_client], ids=["session", "token"])
def test_the_ai_officer_approves_and_the_decision_binds_the_content_hash(
    author, decider, signed_in
):
    assessment = submitted_by(author)
    client = signed_in(decider)
    pending = client.get(decide_url(assessment)).json()
    expected = canonical_sha256(snapshot(assessment))
    assert pending == {
        "awaiting": True,
        "refusal": "",
        "content_sha256": expected,
        "content": snapshot(assessment),
    }
    response = client.post(
        decide_url(assessment), {"outcome": Outcome.APPROVED, "seen": expected}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Status.APPROVED
    decision = assessment.decisions.get()
    assert (decision.outcome, decision.decided_by, decision.snapshot_sha256) == (
        Outcome.APPROVED,
        decider,
        expected,
    )
    assert last_history(assessment).history_user == decider


def test_an_api_decision_leaves_the_records_of_a_decision_on_the_page(author, decider):
    by_page, by_api = submitted_by(author), submitted_by(author)
    comment = "The appeal route is missing."
    page = page_client(decider).post(
        page_decide_url(by_page), decision_payload(by_page, Outcome.REJECTED, comment=comment)
    )
    assert page.status_code == 302
    response = api_client(decider).post(
        decide_url(by_api), {"outcome": "rejected", "comment": comment}, format="json"
    )
    assert response.status_code == 200, response.json()
    page_decision, api_decision = by_page.decisions.get(), by_api.decisions.get()
    for decision, assessment in ((page_decision, by_page), (api_decision, by_api)):
        assessment.refresh_from_db()
        assert assessment.status == Status.DRAFT
        assert decision.snapshot_sha256 == canonical_sha256(decision.snapshot)
        assert decision.snapshot == snapshot(assessment)
    fields = ("outcome", "decided_by_id", "comment")
    assert [getattr(api_decision, f) for f in fields] == [getattr(page_decision, f) for f in fields]
    assert [(r.history_user, r.status) for r in by_api.history.order_by("history_id")][-2:] == [
        (r.history_user, r.status) for r in by_page.history.order_by("history_id")
    ][-2:]
    notices = Notification.objects.filter(recipient=author, message__contains="Rejected")
    assert notices.count() == 2


def test_conditions_are_recorded_with_owner_and_due_date(author, decider, system_owner):
    assessment = submitted_by(author)
    conditions = [
        {"text": "Add an appeal route.", "owner": system_owner.pk, "due_date": "2099-01-31"}
    ]
    response = api_client(decider).post(
        decide_url(assessment),
        {"outcome": Outcome.APPROVED_WITH_CONDITIONS, "conditions": conditions},
        format="json",
    )
    assert response.status_code == 200, response.json()
    (condition,) = DecisionCondition.objects.all()
    assert (condition.text, condition.owner, str(condition.due_date)) == (
        "Add an appeal route.",
        system_owner,
        "2099-01-31",
    )
    assert Notification.objects.filter(recipient=system_owner).exists()


def test_a_condition_due_in_the_past_is_named_at_its_field(author, decider, system_owner):
    assessment = submitted_by(author)
    past = str(in_days(-1))
    conditions = [{"text": "Add an appeal route.", "owner": system_owner.pk, "due_date": past}]
    response = api_client(decider).post(
        decide_url(assessment),
        {"outcome": Outcome.APPROVED_WITH_CONDITIONS, "conditions": conditions},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"conditions[0].due_date": ["The due date lies in the past."]}
    assert not assessment.decisions.exists()


def test_a_condition_of_the_wrong_shape_is_named_at_its_key(author, decider):
    assessment = submitted_by(author)
    conditions = [{"text": "Add an appeal route.", "owner": "someone", "due_date": "2099-01-31"}]
    response = api_client(decider).post(
        decide_url(assessment),
        {"outcome": Outcome.APPROVED_WITH_CONDITIONS, "conditions": conditions},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"conditions[0].owner": ["A valid integer is required."]}


def test_a_rejection_needs_its_reasons(author, decider):
    assessment = submitted_by(author)
    response = api_client(decider).post(
        decide_url(assessment), {"outcome": "rejected"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"comment": ["Give the reasons for the rejection."]}


def test_an_unknown_outcome_is_refused(author, decider):
    assessment = submitted_by(author)
    response = api_client(decider).post(decide_url(assessment), {"outcome": "maybe"}, format="json")
    assert response.status_code == 400
    assert "outcome" in response.json()


def test_the_ai_officer_never_decides_on_their_own_work(decider):
    UserFactory(role=roles.AI_OFFICER)  # someone else may decide: submission passes
    assessment = submitted_by(decider)
    response = api_client(decider).post(
        decide_url(assessment), {"outcome": Outcome.APPROVED}, format="json"
    )
    assert response.status_code == 403
    assert "four-eyes" in response.json()["detail"]
    assert not assessment.decisions.exists()


@pytest.mark.parametrize("persona", ["auditor", "compliance_officer"])
def test_only_the_ai_officer_decides(author, decider, make_user, persona):
    assessment = submitted_by(author)
    response = api_client(make_user(persona)).post(
        decide_url(assessment), {"outcome": Outcome.APPROVED}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the AI officer decides on impact assessments."}


def test_a_decided_assessment_answers_409(author, decider):
    assessment = submitted_by(author)
    client = api_client(decider)
    first = client.post(decide_url(assessment), {"outcome": "approved"}, format="json")
    assert first.status_code == 200
    again = client.post(decide_url(assessment), {"outcome": "approved"}, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "Only a submitted assessment can be decided."}
    assert assessment.decisions.count() == 1


def test_a_decision_on_content_changed_since_it_was_read_answers_409(author, decider):
    assessment = submitted_by(author)
    client = api_client(decider)
    seen = client.get(decide_url(assessment)).json()["content_sha256"]
    assessment.intended_use = "Decides on claims without review."
    assessment.save()
    response = client.post(
        decide_url(assessment), {"outcome": "approved", "seen": seen}, format="json"
    )
    assert response.status_code == 409
    assert "changed after you opened it" in response.json()["detail"]
    assert not assessment.decisions.exists()


def test_a_decision_outside_the_scope_is_not_found(author, decider):
    assessment = submitted_by(author)
    client = api_client(UserFactory())
    assert client.get(decide_url(assessment)).status_code == 404
    response = client.post(decide_url(assessment), {"outcome": "approved"}, format="json")
    assert response.status_code == 404


# Risks: treatment plan, acceptance ---------------------------------------------------------------


def test_the_ai_officer_approves_a_treatment_plan(author, decider):
    action = TreatmentActionFactory(risk=RiskFactory(), owner=author)
    action._history_user = author
    action.save()
    risk = action.risk
    response = api_client(decider).post(step("risks.risk", "approve-plan", risk), {}, format="json")
    assert response.status_code == 200, response.json()
    risk.refresh_from_db()
    assert (risk.plan_approved_by, risk.plan_approved_on) == (decider, timezone.localdate())
    assert response.json()["plan_approved_by"] == decider.pk
    record = last_history(risk)
    assert (record.history_user, record.history_change_reason) == (decider, WORKFLOW)
    again = api_client(decider).post(step("risks.risk", "approve-plan", risk), {}, format="json")
    assert again.status_code == 409


def test_the_author_of_a_plan_may_not_approve_it(decider):
    risk = RiskFactory()
    action = TreatmentActionFactory.build(risk=risk, owner=decider)
    action._history_user = decider
    action.save()
    response = api_client(decider).post(step("risks.risk", "approve-plan", risk), {}, format="json")
    assert response.status_code == 403
    assert "four-eyes" in response.json()["detail"]


def test_the_ai_officer_accepts_a_residual_risk_above_the_threshold(author, decider):
    active_criteria()
    risk = RiskFactory(owner=author, residual_likelihood=4, residual_impact=4)
    body = {"justification": "Monitoring is in place.", "expires_on": str(in_days(180))}
    response = api_client(decider).post(step("risks.risk", "accept", risk), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Risk.Status.ACCEPTED
    acceptance = RiskAcceptance.objects.get(risk=risk)
    assert (acceptance.accepted_by, acceptance.by_ai_officer, acceptance.expires_on) == (
        decider,
        True,
        in_days(180),
    )
    assert acceptance.history.get().history_user == decider
    again = api_client(decider).post(step("risks.risk", "accept", risk), body, format="json")
    assert again.status_code == 409
    assert again.json() == {"detail": "The residual risk is accepted already."}


def test_an_acceptance_beyond_three_years_is_refused_at_its_field(author, decider):
    risk = RiskFactory(owner=author, residual_likelihood=4, residual_impact=4)
    body = {"justification": "Monitoring is in place.", "expires_on": str(in_days(365 * 4))}
    response = api_client(decider).post(step("risks.risk", "accept", risk), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"expires_on": ["An acceptance is valid for three years at most."]}
    assert not RiskAcceptance.objects.exists()


def test_a_risk_owner_may_not_accept_above_the_threshold(decider, system_owner):
    risk = RiskFactory(owner=system_owner, residual_likelihood=4, residual_impact=4)
    risk.ai_systems.set([AISystemFactory(owner=system_owner)])
    body = {"justification": "We can live with it.", "expires_on": str(in_days(30))}
    response = api_client(system_owner).post(
        step("risks.risk", "accept", risk), body, format="json"
    )
    assert response.status_code in (403, 404)
    assert not RiskAcceptance.objects.exists()


# Statement of Applicability ---------------------------------------------------------------------


ISSUE = "api:controls.soaversion-issue"


def test_the_compliance_officer_issues_and_the_ai_officer_approves(author, decider):
    justify_soa_entries()
    response = api_client(author).post(reverse(ISSUE), {"note": "First issue"}, format="json")
    assert response.status_code == 201, response.json()
    version = SoAVersion.objects.get()
    assert response.json()["id"] == version.pk
    assert (version.status, version.issued_by, version.note) == (
        SoAVersion.Status.AWAITING_APPROVAL,
        author,
        "First issue",
    )
    assert version.sha256 == canonical_sha256(version.content)
    again = api_client(author).post(reverse(ISSUE), {}, format="json")
    assert again.status_code == 409
    assert "awaits approval" in again.json()["detail"]

    approval = approvals["soa-version"]
    decided = api_client(decider).post(
        step("controls.soaversion", "decide", version),
        {"outcome": "approve", "seen": content_sha256(approval, version)},
        format="json",
    )
    assert decided.status_code == 200, decided.json()
    version.refresh_from_db()
    assert (version.status, version.decided_by) == (SoAVersion.Status.APPROVED, decider)
    assert last_history(version).history_user == decider


def test_a_version_is_not_issued_while_controls_lack_a_justification(author, decider):
    """A fresh SoA (38 entries without a justification): the answer names the first ten and
    links the list of all of them, as the page does; it does not grow with the SoA."""
    client = api_client(author)
    response = client.post(reverse(ISSUE), {}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == (
        "The version cannot be issued: 38 applicable controls have no justification for "
        "inclusion (ISO/IEC 42001 6.1.3 requires one): "
        + ", ".join(f"{code} (organization-wide)" for code in ANNEX_A_IDS[:10])
        + ", and 28 more."
    )
    assert body["unjustified"] == 38
    listed = client.get(body["unjustified_url"]).json()
    assert listed["count"] == 38
    assert not SoAVersion.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "ai_officer", "system_owner"])
def test_only_those_who_keep_the_soa_issue_it(make_user, persona):
    justify_soa_entries()
    response = api_client(make_user(persona)).post(reverse(ISSUE), {}, format="json")
    assert response.status_code == 403
    assert not SoAVersion.objects.exists()


def test_a_rejection_of_a_version_needs_its_reasons(author, decider):
    justify_soa_entries()
    api_client(author).post(reverse(ISSUE), {}, format="json")
    version = SoAVersion.objects.get()
    url = step("controls.soaversion", "decide", version)
    response = api_client(decider).post(url, {"outcome": "reject"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"comment": ["Give the reasons for the rejection."]}
    assert api_client(author).post(url, {"outcome": "approve"}, format="json").status_code == 403


# Audit programme ---------------------------------------------------------------------------------


def test_the_ai_officer_approves_an_audit_programme(author, decider):
    programme = AuditProgrammeFactory()
    AuditFactory(programme=programme)
    url = step("audits.auditprogramme", "decide", programme)
    assert api_client(author).post(url, {}, format="json").status_code == 403
    response = api_client(decider).post(url, {}, format="json")
    assert response.status_code == 200, response.json()
    programme.refresh_from_db()
    assert (programme.status, programme.approved_by) == ("approved", decider)
    assert last_history(programme).history_user == decider
    assert api_client(decider).post(url, {}, format="json").status_code == 409


# Audit packs --------------------------------------------------------------------------------------


PACKS = "api:audits.auditpack-request"


def pack_url(action, pack):
    return reverse(f"api:audits.auditpack-{action}", args=[pack.pk])


def request_pack(client, **fields):
    body = {"since": "2026-01-01", "until": "2026-12-31", "sections": ["scope"], **fields}
    return client.post(reverse(PACKS), body, format="json")


def test_a_pack_is_requested_followed_and_downloaded_when_ready(
    author, tasks_in_process, django_capture_on_commit_callbacks
):
    client = api_client(author)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = request_pack(client)
    assert response.status_code == 202, response.json()
    pack = AuditPack.objects.get()
    assert (response.json()["id"], response.json()["status"]) == (pack.pk, "queued")
    assert (pack.requested_by, pack.sections) == (author, ["scope"])
    waiting = client.get(pack_url("download", pack))
    assert waiting.status_code == 409
    assert waiting.json() == {"detail": "Queued"}

    for callback in queued:
        callback()  # the worker renders the pack
    status = client.get(pack_url("detail", pack)).json()
    assert (status["status"], status["percent"]) == ("ready", 100)
    assert status["download"].endswith(pack_url("download", pack))
    download = client.get(pack_url("download", pack))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF")
    pack.refresh_from_db()
    assert len(content) == pack.size


def test_another_users_pack_is_not_found(author, system_owner):
    request_pack(api_client(author))
    pack = AuditPack.objects.get()
    client = api_client(system_owner)
    assert client.get(pack_url("detail", pack)).status_code == 404
    assert client.get(pack_url("download", pack)).status_code == 404


def test_a_pack_of_an_unknown_system_is_refused_at_its_field(author):
    response = request_pack(api_client(author), systems=[987654])
    assert response.status_code == 400
    assert list(response.json()) == ["systems"]
    assert not AuditPack.objects.exists()


def test_a_user_without_a_role_may_not_request_a_pack(make_user):
    response = request_pack(api_client(make_user("no_role")))
    assert response.status_code == 403
