"""Personal API tokens: kept only as a hash, refused when revoked, expired, wrong or unknown,
refused for a while from an address that keeps failing, and managed by each user on their own
account page (another user's token answers 404)."""

import datetime
import hashlib
import json
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from aims.core.api import tokens
from aims.core.api.tokens import ApiTokenAuthentication
from aims.core.models import ApiToken
from tests.factories import RiskFactory, UserFactory

pytestmark = pytest.mark.django_db

PINNED = json.loads((Path(__file__).parent / "query_counts.json").read_text())
ADDRESS = "127.0.0.1"  # the test client's


class WhoAmI(APIView):
    """The smallest view behind token authentication: who the token belongs to."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [IsAuthenticated]

    def get(self, request):
        return Response({"user": request.user.username, "key_id": request.auth.key_id})


urlpatterns = [path("whoami/", WhoAmI.as_view()), path("", include("aims.urls"))]


@pytest.fixture
def whoami(settings):
    settings.ROOT_URLCONF = __name__

    def call(text, address=ADDRESS, keyword="Bearer"):
        return Client().get("/whoami/", HTTP_AUTHORIZATION=f"{keyword} {text}", REMOTE_ADDR=address)

    return call


def issue(user=None, days=90, name="pipeline"):
    user = user or UserFactory()
    expires_at = timezone.now() + datetime.timedelta(days=days)
    return ApiToken.issue(user=user, name=name, expires_at=expires_at)


def test_a_token_has_a_recognisable_prefix_and_256_random_bits(db):
    token, text = issue()
    prefix, key_id, secret = text.split("_")
    assert prefix == "aims" and key_id == token.key_id and len(key_id) == 8
    assert len(secret) == 43 and secret.isalnum()
    assert issue()[1].split("_")[2] != secret


def test_the_database_holds_only_the_tokens_hash(db):
    token, text = issue()
    token.revoke()
    secret = text.split("_")[2]
    with connection.cursor() as cursor:
        for table in ("core_apitoken", "core_historicalapitoken"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            rows = cursor.fetchall()
            assert rows
            stored = " ".join(str(value) for row in rows for value in row)
            assert secret not in stored and text not in stored
    assert token.digest == hashlib.sha256(text.encode()).hexdigest()
    assert token.digest not in stored  # history does not copy the hash either


def test_a_valid_token_authenticates_as_its_user(whoami):
    token, text = issue(UserFactory(username="pipeline-owner"))
    response = whoami(text)
    assert response.status_code == 200
    assert response.json() == {"user": "pipeline-owner", "key_id": token.key_id}


def test_a_revoked_token_is_refused(whoami):
    token, text = issue()
    token.revoke()
    response = whoami(text)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "revoked" in response.json()["detail"]


def test_an_expired_token_is_refused(whoami):
    token, text = issue()
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    response = whoami(text)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_wrong_secret_is_refused(whoami):
    token, text = issue()
    wrong = f"aims_{token.key_id}_{'A' * 43}"
    assert whoami(wrong).status_code == 401
    assert whoami(text[:-1] + ("b" if text[-1] != "b" else "c")).status_code == 401


@pytest.mark.parametrize(
    "text",
    [f"aims_zzzzzzzz_{'A' * 43}", "aims_short_secret", "", "plain-text", "aims_ü"],
    ids=["unknown-key-id", "malformed", "empty", "no-format", "non-ascii"],
)
def test_unknown_and_malformed_tokens_are_refused(whoami, text):
    issue()
    response = whoami(text)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_deactivated_users_token_is_refused(whoami):
    user = UserFactory()
    _, text = issue(user)
    user.is_active = False
    user.save()
    assert whoami(text).status_code == 401


def test_another_scheme_is_left_to_other_authentication(whoami):
    _, text = issue()
    response = whoami(text, keyword="Token")
    assert response.status_code == 401  # not authenticated: no user
    assert tokens.blocked_for(ADDRESS) == 0
    assert cache.get(tokens._keys(ADDRESS)[0]) is None  # not counted as a failure


def test_repeated_failures_from_an_address_are_refused_until_the_window_passes(whoami, settings):
    settings.AIMS_API_TOKEN_FAILURE_LIMIT = 3
    settings.AIMS_API_TOKEN_FAILURE_WINDOW = 1
    address = "203.0.113.9"
    tokens.forget_failures(address)
    _, text = issue()
    for _attempt in range(3):
        assert whoami("aims_wrong", address=address).status_code == 401
    # Now even a valid token is refused from that address, and it says for how long.
    blocked = whoami(text, address=address)
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "1"
    # Other addresses are not affected.
    assert whoami(text).status_code == 200
    time.sleep(1.2)
    assert whoami(text, address=address).status_code == 200


def test_the_throttle_counts_the_address_behind_the_portals_proxy(whoami, settings):
    settings.AIMS_API_TOKEN_FAILURE_LIMIT = 2
    settings.AIMS_PROXY_COUNT = 1
    client_address = "198.51.100.4"
    tokens.forget_failures(client_address)
    _, text = issue()

    def call(token_text, spoofed):
        return Client().get(
            "/whoami/",
            HTTP_AUTHORIZATION=f"Bearer {token_text}",
            HTTP_X_FORWARDED_FOR=f"{spoofed}, {client_address}",
            REMOTE_ADDR="10.0.0.1",
        )

    # A client that writes a new address into X-Forwarded-For each time is still counted once.
    assert call("aims_wrong", "192.0.2.1").status_code == 401
    assert call("aims_wrong", "192.0.2.2").status_code == 401
    assert call(text, "192.0.2.3").status_code == 429
    tokens.forget_failures(client_address)


def test_use_is_recorded_at_most_once_a_minute(whoami):
    token, text = issue()
    assert token.last_used_at is None
    assert whoami(text).status_code == 200
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < datetime.timedelta(seconds=10)
    with CaptureQueriesContext(connection) as queries:
        assert whoami(text).status_code == 200
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == first
    earlier = first - datetime.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    assert whoami(text).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > first
    assert token.history.count() == 1  # use makes no history row


def test_token_authentication_costs_the_pinned_queries(whoami):
    _, text = issue()
    whoami(text)  # records the use
    with CaptureQueriesContext(connection) as queries:
        assert whoami(text).status_code == 200
    assert len(queries) == PINNED["token:authentication"]


# Through the whole portal: the real API, its settings and every middleware.


def risks_via_api(text, address=ADDRESS):
    return Client().get(
        reverse("api:risks.risk-list"), HTTP_AUTHORIZATION=f"Bearer {text}", REMOTE_ADDR=address
    )


def test_a_token_reads_the_api_with_its_users_roles(db):
    RiskFactory.create_batch(2)
    _, officer = issue(UserFactory(role="Compliance Officer"))
    response = risks_via_api(officer)
    assert response.status_code == 200
    assert response.json()["count"] == 2
    _, no_role = issue(UserFactory())
    assert risks_via_api(no_role).status_code == 403


def test_a_token_is_not_held_up_by_the_sessions_second_factor(db, settings):
    settings.AIMS_REQUIRE_MFA_ROLES = ["Compliance Officer"]
    without_device = UserFactory(role="Compliance Officer")
    with_device = UserFactory(role="Compliance Officer")
    TOTPDevice.objects.create(user=with_device, name="app", confirmed=True)
    for user in (without_device, with_device):
        _, text = issue(user)
        assert risks_via_api(text).status_code == 200


def test_the_api_refuses_revoked_tokens_and_throttles_failures(db, settings):
    settings.AIMS_API_TOKEN_FAILURE_LIMIT = 2
    token, text = issue(UserFactory(role="Compliance Officer"))
    token.revoke()
    response = risks_via_api(text)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert risks_via_api("aims_wrong").status_code == 401
    _, valid = issue(UserFactory(role="Compliance Officer"))
    throttled = risks_via_api(valid)
    assert throttled.status_code == 429
    assert 0 < int(throttled["Retry-After"]) <= settings.AIMS_API_TOKEN_FAILURE_WINDOW


# The account page.


@pytest.fixture
def owner(client, db):
    user = UserFactory(username="owner")
    client.force_login(user)
    return user


def create(client, name="ML pipeline", lifetime="90", expires_on=""):
    return client.post(
        reverse("core:api_tokens"),
        {"name": name, "lifetime": lifetime, "expires_on": expires_on},
    )


def shown_token(response):
    text = response.context["text"]
    assert ApiToken.FORMAT.fullmatch(text)
    return text


def test_the_account_page_says_when_there_are_no_tokens(client, owner):
    response = client.get(reverse("core:api_tokens"))
    assert response.status_code == 200
    assert "You have no API tokens yet" in response.content.decode()


def test_a_created_token_is_shown_once_and_works(client, owner, whoami):
    response = create(client)
    assert response.status_code == 200
    text = shown_token(response)
    page = response.content.decode()
    assert text in page and "will not be shown again" in page
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.user, token.name) == (owner, "ML pipeline")
    listing = client.get(reverse("core:api_tokens")).content.decode()
    assert token.key_id in listing and "ML pipeline" in listing
    assert text not in listing and text.split("_")[2] not in listing
    created = token.history.get()
    assert (created.history_type, created.history_user) == ("+", owner)
    assert whoami(text).json()["user"] == "owner"


def test_the_list_shows_each_tokens_dates_and_status(client, owner):
    active, _ = issue(owner, name="active one")
    revoked, _ = issue(owner, name="revoked one")
    revoked.revoke()
    expired, _ = issue(owner, name="expired one", days=-1)
    ApiToken.objects.filter(pk=active.pk).update(last_used_at=timezone.now())
    response = client.get(reverse("core:api_tokens"))
    statuses = {token.name: status for token, status in response.context["rows"]}
    assert statuses == {"active one": "active", "revoked one": "revoked", "expired one": "expired"}
    page = response.content.decode()
    assert page.count("never") == 2  # the two tokens never used
    revoke_url = reverse("core:api_token_revoke", args=[active.pk])
    assert revoke_url in page
    assert reverse("core:api_token_revoke", args=[revoked.pk]) not in page


@pytest.mark.parametrize(
    "language, moment", [("en", "1 Jul 2026 12:30"), ("de", "01.07.2026 12:30")]
)
def test_dates_are_written_in_the_readers_format(client, owner, language, moment):
    token, _ = issue(owner)
    expires = datetime.datetime(2026, 7, 1, 10, 30, tzinfo=datetime.UTC)  # 12:30 in Berlin
    ApiToken.objects.filter(pk=token.pk).update(expires_at=expires)
    page = client.get(reverse("core:api_tokens"), HTTP_ACCEPT_LANGUAGE=language)
    assert moment in page.content.decode()


def test_the_name_is_required_and_unique_among_active_tokens(client, owner):
    assert create(client, name="").context["form"].errors["name"]
    assert create(client, name="pipeline").status_code == 200
    refused = create(client, name="Pipeline")
    assert "already have an active token" in refused.context["form"].errors["name"][0]
    assert ApiToken.objects.count() == 1
    ApiToken.objects.get().revoke()
    assert "text" in create(client, name="pipeline").context
    assert ApiToken.objects.count() == 2


def test_another_users_token_of_the_same_name_does_not_count(client, owner):
    issue(UserFactory(), name="pipeline")
    assert "text" in create(client, name="pipeline").context


@pytest.mark.parametrize("lifetime, days", [("30", 30), ("90", 90), ("365", 365)])
def test_a_token_expires_after_the_chosen_days(client, owner, lifetime, days):
    before = timezone.now()
    create(client, lifetime=lifetime)
    expires = ApiToken.objects.get().expires_at
    assert before + datetime.timedelta(days=days) <= expires
    assert expires <= timezone.now() + datetime.timedelta(days=days)


def test_ninety_days_is_the_default(client, owner):
    form = client.get(reverse("core:api_tokens")).context["form"]
    assert form["lifetime"].value() == "90"


def test_a_token_expires_at_the_end_of_a_chosen_date(client, owner):
    day = timezone.localdate() + datetime.timedelta(days=10)
    create(client, lifetime="date", expires_on=day.isoformat())
    expires = timezone.localtime(ApiToken.objects.get().expires_at)
    assert (expires.date(), expires.time()) == (
        day + datetime.timedelta(days=1),
        datetime.time.min,
    )


@pytest.mark.parametrize(
    "expires_on, error",
    [
        ("", "Choose the date"),
        ("yesterday", "Enter a valid date"),
        (-1, "today or a later date"),
        (367, "within a year"),
    ],
)
def test_a_chosen_date_must_lie_within_a_year(client, owner, expires_on, error):
    if isinstance(expires_on, int):
        expires_on = (timezone.localdate() + datetime.timedelta(days=expires_on)).isoformat()
    response = create(client, lifetime="date", expires_on=expires_on)
    assert error in response.context["form"].errors["expires_on"][0]
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_and_is_kept_in_history(client, owner, whoami):
    token, text = issue(owner)
    url = reverse("core:api_token_revoke", args=[token.pk])
    confirmation = client.get(url)
    assert confirmation.status_code == 200
    assert "cannot be undone" in confirmation.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("core:api_tokens")
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = token.history.first()
    assert (revoked.history_type, revoked.history_user) == ("~", owner)
    assert revoked.revoked_at == token.revoked_at
    assert whoami(text).status_code == 401


def test_another_users_token_is_neither_listed_nor_revocable(client, owner):
    theirs, _ = issue(UserFactory(), name="their pipeline")
    assert "their pipeline" not in client.get(reverse("core:api_tokens")).content.decode()
    url = reverse("core:api_token_revoke", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_the_pages_require_a_log_in(client, db):
    token, _ = issue()
    for url in (
        reverse("core:api_tokens"),
        reverse("core:api_token_revoke", args=[token.pk]),
    ):
        response = client.post(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    assert ApiToken.objects.get().revoked_at is None


def test_creating_and_revoking_need_the_csrf_token(owner):
    token, _ = issue(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("core:api_tokens"), {"name": "x", "lifetime": "30"})
    assert response.status_code == 403
    response = client.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert response.status_code == 403
    assert ApiToken.objects.get().revoked_at is None


def test_html_in_a_tokens_name_is_shown_as_text(client, owner):
    name = '<img src=x onerror="alert(1)">'
    created = create(client, name=name)
    token = ApiToken.objects.get()
    confirmation = client.get(reverse("core:api_token_revoke", args=[token.pk]))
    revoked = client.post(reverse("core:api_token_revoke", args=[token.pk]), follow=True)
    for response in (created, client.get(reverse("core:api_tokens")), confirmation, revoked):
        page = response.content.decode()
        assert name not in page
        assert "&lt;img src=x" in page


def test_the_list_costs_the_same_queries_for_one_token_and_many(client, owner):
    issue(owner, name="first")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("core:api_tokens")).status_code == 200
        return len(captured)

    queries()  # fills the process's caches (content types)
    one = queries()
    for number in range(20):
        issue(owner, name=f"token {number}")
    assert queries() == one == PINNED["page:api_tokens"]


# The admin.


def test_an_administrator_sees_and_revokes_any_users_tokens_but_never_the_hash(client, db):
    admin = UserFactory(role="Administrator", is_staff=True)
    token, _ = issue(UserFactory(username="someone"))
    client.force_login(admin)
    listing = client.get(reverse("admin:core_apitoken_changelist"))
    assert listing.status_code == 200 and token.key_id in listing.content.decode()
    detail = client.get(reverse("admin:core_apitoken_change", args=[token.pk]))
    assert detail.status_code == 200
    assert token.digest not in detail.content.decode() + listing.content.decode()
    response = client.post(
        reverse("admin:core_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token.history.first().history_user == admin


def test_staff_without_the_administrator_role_do_not_see_tokens(client, db):
    officer = UserFactory(role="Compliance Officer", is_staff=True)
    token, _ = issue()
    client.force_login(officer)
    assert client.get(reverse("admin:core_apitoken_changelist")).status_code == 403
    response = client.post(
        reverse("admin:core_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
