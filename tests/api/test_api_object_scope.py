"""Object scope through the API: an owner reaches their own entries and nothing of anyone
else's, lists hold what the pages list, and what an attacker puts in a request (keys outside
their scope, read-only fields, markup, huge pages, odd keys and methods, missing CSRF tokens)
gains nothing."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import resolve, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from aims.context.models import AIPolicy, ContextIssue
from aims.core.api import tokens
from aims.core.models import ApiToken
from aims.core.registry import registry
from aims.inventory.models import AISystem, ModelVersion
from audits.models import AIIncident, Audit, ChecklistItem
from controls.models import Evidence
from risks.models import Risk
from tests.api.calls import api_body, api_url, listed_ids, new_body, rows, state
from tests.conftest import REGISTERS
from tests.core.test_register_views import EXPECTED
from tests.factories import (
    REGISTER_FACTORIES,
    AIIncidentFactory,
    AIPolicyFactory,
    AISystemFactory,
    AuditFactory,
    ChecklistItemFactory,
    ContextIssueFactory,
    EvidenceFactory,
    ModelVersionFactory,
    RiskFactory,
    ThirdPartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SYSTEMS, VERSIONS = registry[AISystem], registry[ModelVersion]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def owner():
    """Reaches entries only through what they own: no role."""
    return UserFactory(username="owner")


@pytest.fixture
def rival():
    return UserFactory(username="rival")


def with_token(user):
    """A client that authenticates as `user` with a personal token only, enforcing CSRF as a
    browser's session would."""
    _token, text = ApiToken.issue(
        user=user, name="Pipeline", expires_at=timezone.now() + timedelta(days=30)
    )
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    return client


def with_session(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture(params=["session", "token"])
def signed_in(request):
    """The same checks through a browser's session and through a personal token."""
    return with_session if request.param == "session" else with_token


# Owners ---------------------------------------------------------------------------------------


def test_an_owner_reaches_their_own_system_and_what_hangs_off_it(signed_in, owner):
    system = AISystemFactory(owner=owner)
    version = ModelVersionFactory(system=system)
    api = signed_in(owner)
    assert listed_ids(api.get(api_url(SYSTEMS))) == {system.pk}
    assert listed_ids(api.get(api_url(VERSIONS))) == {version.pk}
    response = api.patch(
        api_url(SYSTEMS, system), {"version": 1, "purpose": "Triage claims."}, format="json"
    )
    assert response.status_code == 200, response.content.decode()
    system.refresh_from_db()
    assert (system.purpose, system.version) == ("Triage claims.", 2)
    # Owning is not deleting.
    assert api.delete(api_url(SYSTEMS, system)).status_code == 403
    assert AISystem.objects.filter(pk=system.pk).exists()


def test_an_owner_cannot_read_or_write_another_owners_system(signed_in, owner, rival):
    # The owner's own entries open each list to them: the rival's must be absent from it.
    mine = AISystemFactory(owner=owner)
    ModelVersionFactory(system=mine)
    AIIncidentFactory(ai_system=mine)
    RiskFactory(owner=owner)
    EvidenceFactory(uploaded_by=owner)
    theirs = AISystemFactory(owner=rival)
    entries = [
        (SYSTEMS, theirs),
        (VERSIONS, ModelVersionFactory(system=theirs)),
        (registry[AIIncident], AIIncidentFactory(ai_system=theirs)),
        (registry[Risk], RiskFactory(owner=rival)),
        (registry[Evidence], EvidenceFactory(uploaded_by=rival)),
    ]
    api = signed_in(owner)
    for register, obj in entries:
        before = state(register.model)
        address = api_url(register, obj)
        listing = api.get(api_url(register))
        assert listing.json()["count"] == 1, register.model_name
        assert obj.pk not in listed_ids(listing), register.model_name
        assert api.get(address).status_code == 404, register.model_name
        body = api_body(register, obj, rival)
        assert api.put(address, body, format="json").status_code == 404, register.model_name
        patch = {"version": obj.version}
        assert api.patch(address, patch, format="json").status_code == 404, register.model_name
        assert api.delete(address).status_code == 404, register.model_name
        assert state(register.model) == before, register.model_name


def test_a_system_owner_reads_every_system_but_changes_only_their_own(signed_in, system_owner):
    mine, theirs = AISystemFactory(owner=system_owner), AISystemFactory()
    api = signed_in(system_owner)
    assert listed_ids(api.get(api_url(SYSTEMS))) == {mine.pk, theirs.pk}
    assert api.get(api_url(SYSTEMS, theirs)).status_code == 200
    before = state(AISystem)
    patch = {"version": 1, "purpose": "Taken over."}
    assert api.patch(api_url(SYSTEMS, theirs), patch, format="json").status_code == 403
    assert api.delete(api_url(SYSTEMS, theirs)).status_code == 403
    assert state(AISystem) == before
    assert api.patch(api_url(SYSTEMS, mine), patch, format="json").status_code == 200


def test_an_internal_auditor_writes_the_audits_of_their_team_only(signed_in, internal_auditor):
    ours, theirs = AuditFactory(lead_auditor=internal_auditor), AuditFactory()
    our_item, their_item = ChecklistItemFactory(audit=ours), ChecklistItemFactory(audit=theirs)
    api = signed_in(internal_auditor)
    audits, items = registry[Audit], registry[ChecklistItem]
    assert listed_ids(api.get(api_url(audits))) == {ours.pk, theirs.pk}
    before = state(Audit), state(ChecklistItem)
    patch = {"version": 1, "conclusion": "Effective."}
    assert api.patch(api_url(audits, theirs), patch, format="json").status_code == 403
    patch = {"version": 1, "notes": "Seen."}
    assert api.patch(api_url(items, their_item), patch, format="json").status_code == 403
    assert (state(Audit), state(ChecklistItem)) == before
    patch = {"version": 1, "conclusion": "Effective."}
    assert api.patch(api_url(audits, ours), patch, format="json").status_code == 200
    patch = {"version": 1, "notes": "Seen."}
    assert api.patch(api_url(items, our_item), patch, format="json").status_code == 200


def owned_entries(user):
    """One entry of each register that keeps owners, owned by `user`."""
    for register in REGISTERS:
        field = getattr(register.model, "owner_field", None)
        if field:
            REGISTER_FACTORIES[register.model](**{field: user})
    AuditFactory(lead_auditor=user)
    ModelVersionFactory(system=AISystemFactory(owner=user))  # scoped through its system


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_api_lists_hold_what_the_pages_list(client, make_user, persona):
    user = make_user(persona)
    for register in REGISTERS:
        REGISTER_FACTORIES[register.model]()
    owned_entries(user)
    api = with_session(user)
    client.force_login(user)
    for register in REGISTERS:
        page = client.get(reverse(register.url_name("list")))
        listing = api.get(api_url(register))
        assert listing.status_code == page.status_code, register.model_name
        if page.status_code == 200:
            expected = page.context["table"].paginator.count
            assert listing.json()["count"] == expected, register.model_name


# What a request carries -----------------------------------------------------------------------


def test_a_key_outside_the_users_scope_is_refused_at_its_field(signed_in, owner, rival):
    mine, theirs = AISystemFactory(owner=owner), AISystemFactory(owner=rival)
    version = ModelVersionFactory(system=mine)
    api = signed_in(owner)
    for system in (theirs.pk, 2**63, 0):
        body = new_body(VERSIONS, owner, system=system)
        before = state(ModelVersion)
        response = api.post(api_url(VERSIONS), body, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"system"}, response.json()
        assert state(ModelVersion) == before
        patch = {"version": version.version, "system": system}
        response = api.patch(api_url(VERSIONS, version), patch, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"system"}, response.json()
        assert state(ModelVersion) == before
    response = api.post(api_url(VERSIONS), new_body(VERSIONS, owner, system=mine.pk), format="json")
    assert response.status_code == 201, response.content.decode()
    assert ModelVersion.objects.get(pk=response.json()["id"]).system == mine


def test_a_link_to_entries_outside_the_users_scope_is_refused_at_its_field(signed_in, owner, rival):
    mine, theirs = AISystemFactory(owner=owner), AISystemFactory(owner=rival)
    risk = RiskFactory(owner=owner, controls=[])
    risk.ai_systems.set([mine])
    api = signed_in(owner)
    before = state(Risk)
    for systems in ([mine.pk, theirs.pk], [2**63], ["x"]):
        patch = {"version": 1, "ai_systems": systems}
        response = api.patch(api_url(registry[Risk], risk), patch, format="json")
        assert response.status_code == 400, systems
        assert set(response.json()) == {"ai_systems"}, response.json()
    assert state(Risk) == before
    assert list(risk.ai_systems.all()) == [mine]


def test_a_link_the_user_may_not_set_is_ignored(signed_in, owner):
    """Suppliers are the third parties' keepers' to name: disabled for an owner, as on the page."""
    system, supplier = AISystemFactory(owner=owner), ThirdPartyFactory()
    api = signed_in(owner)
    patch = {"version": 1, "suppliers": [supplier.pk], "purpose": "Triage claims."}
    response = api.patch(api_url(SYSTEMS, system), patch, format="json")
    assert response.status_code == 200, response.content.decode()
    system.refresh_from_db()
    assert system.purpose == "Triage claims."
    assert not supplier.systems.exists()


def test_an_owners_partial_update_keeps_links_they_cannot_see(signed_in, owner):
    """The owner of a risk sees no controls; changing its title leaves its controls linked."""
    risk = RiskFactory(owner=owner)
    controls = set(risk.controls.all())
    assert controls
    api = signed_in(owner)
    patch = {"version": 1, "title": "Prompt injection via e-mail"}
    response = api.patch(api_url(registry[Risk], risk), patch, format="json")
    assert response.status_code == 200, response.content.decode()
    risk.refresh_from_db()
    assert risk.title == "Prompt injection via e-mail"
    assert set(risk.controls.all()) == controls


def test_a_body_that_is_not_a_json_object_is_refused(compliance_officer):
    register = registry[ContextIssue]
    issue = ContextIssueFactory()
    api = with_session(compliance_officer)
    before = state(ContextIssue)
    for body in ([], ["title"], "title", 1, None):
        assert api.post(api_url(register), body, format="json").status_code == 400, body
        assert api.put(api_url(register, issue), body, format="json").status_code == 400, body
    broken = api.generic("POST", api_url(register), "{", content_type="application/json")
    assert broken.status_code == 400
    form = api.post(api_url(register), {"title": "As a form"})  # multipart, not JSON
    assert form.status_code == 415
    assert state(ContextIssue) == before


def test_read_only_fields_in_a_create_are_ignored(compliance_officer, make_user):
    api = with_session(compliance_officer)
    other, approver = AIPolicyFactory(), make_user("ai_officer")
    before = list(AIPolicy.objects.values())
    register = registry[AIPolicy]
    forged = {
        "id": other.pk,
        "version": 7,
        "status": AIPolicy.Status.APPROVED,
        "approved_by": approver.pk,
        "approved_on": "2026-01-01",
        "created_at": "2000-01-01T00:00:00Z",
        "history_user": approver.pk,
        "history_date": "2000-01-01T00:00:00Z",
        "history_id": 1,
    }
    body = new_body(register, compliance_officer, **forged)
    response = api.post(api_url(register), body, format="json")
    assert response.status_code == 201, response.content.decode()
    assert response.json()["id"] != other.pk
    assert list(AIPolicy.objects.filter(pk=other.pk).values()) == before
    policy = AIPolicy.objects.get(pk=response.json()["id"])
    assert (policy.version, policy.status, policy.approved_by, policy.approved_on) == (
        1,
        AIPolicy.Status.DRAFT,
        None,
        None,
    )
    assert policy.created_at > timezone.now() - timedelta(minutes=5)
    record = policy.history.get()
    assert record.history_user == compliance_officer
    assert record.history_date > timezone.now() - timedelta(minutes=5)


def test_read_only_fields_in_an_update_are_ignored(compliance_officer, make_user):
    policy, other = AIPolicyFactory(), AIPolicyFactory()
    approver = make_user("ai_officer")
    created = policy.created_at
    api = with_session(compliance_officer)
    forged = {
        "version": 1,
        "id": other.pk,
        "status": AIPolicy.Status.APPROVED,
        "approved_by": approver.pk,
        "created_at": "2000-01-01T00:00:00Z",
        "history_user": approver.pk,
        "title": "AI policy, reviewed",
    }
    before = state(AIPolicy)
    response = api.patch(api_url(registry[AIPolicy], policy), forged, format="json")
    assert response.status_code == 200, response.content.decode()
    assert response.json()["id"] == policy.pk
    policy.refresh_from_db()
    assert (policy.title, policy.version, policy.status, policy.approved_by) == (
        "AI policy, reviewed",
        2,
        AIPolicy.Status.DRAFT,
        None,
    )
    assert policy.created_at == created
    assert policy.history.first().history_user == compliance_officer
    other_before = [row for row in before[0] if row["id"] == other.pk]
    assert list(AIPolicy.objects.filter(pk=other.pk).values()) == other_before


def test_an_owner_cannot_hand_their_system_to_someone_else(signed_in, owner, rival):
    system = AISystemFactory(owner=owner)
    api = signed_in(owner)
    patch = {"version": 1, "owner": rival.pk, "purpose": "Handed over."}
    response = api.patch(api_url(SYSTEMS, system), patch, format="json")
    system.refresh_from_db()
    assert system.owner == owner
    if response.status_code == 200:  # ignored, like the page's disabled field
        assert system.purpose == "Handed over."
    else:
        assert response.status_code == 400
        assert system.version == 1


def test_a_stale_version_is_refused_with_409_naming_who_changed_it(compliance_officer, make_user):
    editor = make_user("administrator", first_name="Ada", last_name="Admin")
    issue = ContextIssueFactory(title="Supervisory guidance")
    with_session(editor).patch(
        api_url(registry[ContextIssue], issue), {"version": 1, "title": "Newer"}, format="json"
    )
    before = state(ContextIssue)
    api = with_session(compliance_officer)
    response = api.patch(
        api_url(registry[ContextIssue], issue), {"version": 1, "title": "Older"}, format="json"
    )
    assert response.status_code == 409
    assert "Ada Admin" in response.content.decode()
    for version, refusal in ((99, 409), (None, 400), ("two", 400)):
        body = {"version": version, "title": "Forged version"}
        response = api.patch(api_url(registry[ContextIssue], issue), body, format="json")
        assert response.status_code == refusal, version
    assert state(ContextIssue) == before


MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)> & "quotes"'


def test_markup_in_text_fields_comes_back_as_literal_json_text(compliance_officer):
    register = registry[ContextIssue]
    api = with_session(compliance_officer)
    body = new_body(register, compliance_officer, title=MARKUP, description=MARKUP)
    created = api.post(api_url(register), body, format="json")
    assert created.status_code == 201, created.content.decode()
    for response in (created, api.get(api_url(register, created.json()["id"]))):
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response.json()["title"] == response.json()["description"] == MARKUP
        assert "&lt;" not in response.content.decode()
    listing = api.get(api_url(register), {"search": "script"})
    assert [row["description"] for row in rows(listing)] == [MARKUP]


def test_a_huge_page_size_is_capped(compliance_officer):
    address = api_url(registry[ContextIssue])
    cap = resolve(address).func.view_class.pagination_class.max_page_size
    assert 0 < cap <= 1000
    ContextIssue.objects.bulk_create(
        ContextIssueFactory.build(reference=f"CTX-{n:04d}") for n in range(cap + 1)
    )
    api = with_session(compliance_officer)
    for size in (cap + 1, 10**9, 2**63, -1, "all"):
        response = api.get(address, {"page_size": size})
        assert response.status_code == 200, size
        assert len(rows(response)) <= cap, size
        assert response.json()["count"] == cap + 1
        assert response.json()["next"]


@pytest.mark.parametrize("register", [SYSTEMS, registry[ContextIssue]], ids=lambda r: r.model_name)
def test_odd_keys_answer_404(compliance_officer, register):
    obj = REGISTER_FACTORIES[register.model]()
    api = with_session(compliance_officer)
    address = api_url(register, obj)
    for key in ("abc", "1.5", "-1", str(2**63), "%00", "1%20OR%201=1"):
        odd = address.replace(f"/{obj.pk}/", f"/{key}/")
        assert api.get(odd).status_code == 404, key
        assert api.delete(odd).status_code == 404, key
    assert register.model.objects.filter(pk=obj.pk).exists()


def test_methods_a_url_does_not_offer_answer_405(compliance_officer):
    register = registry[ContextIssue]
    issue = ContextIssueFactory()
    api = with_session(compliance_officer)
    before = state(ContextIssue)
    for method in ("put", "patch", "delete"):
        assert getattr(api, method)(api_url(register), {}, format="json").status_code == 405
    assert api.post(api_url(register, issue), {}, format="json").status_code == 405
    assert state(ContextIssue) == before


@pytest.fixture
def fresh_failure_count():
    """Refused token attempts are counted per address in the cache, outside the database."""
    tokens.forget_failures("127.0.0.1")
    yield
    tokens.forget_failures("127.0.0.1")


def test_a_wrong_token_answers_401(owner, fresh_failure_count):
    AISystemFactory(owner=owner)
    api = APIClient()
    for header in ("Bearer nonsense", "Bearer ", "Token abc", "Basic b3duZXI6cGFzcw=="):
        api.credentials(HTTP_AUTHORIZATION=header)
        assert api.get(api_url(SYSTEMS)).status_code == 401, header


def test_session_writes_need_the_csrf_token_and_token_writes_do_not(compliance_officer):
    register = registry[ContextIssue]
    issue = ContextIssueFactory()
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(compliance_officer)
    body = new_body(register, compliance_officer)
    before = state(ContextIssue)
    assert browser.post(api_url(register), body, format="json").status_code == 403
    patch = {"version": 1, "title": "Without CSRF"}
    assert browser.patch(api_url(register, issue), patch, format="json").status_code == 403
    assert browser.delete(api_url(register, issue)).status_code == 403
    assert state(ContextIssue) == before
    assert browser.get(api_url(register)).status_code == 200  # reading needs no token

    browser.get(reverse("context:contextissue_add"))  # a form's page sets the CSRF cookie
    csrf = browser.cookies[settings.CSRF_COOKIE_NAME].value
    response = browser.patch(api_url(register, issue), patch, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200, response.content.decode()

    response = with_token(compliance_officer).post(api_url(register), body, format="json")
    assert response.status_code == 201, response.content.decode()
