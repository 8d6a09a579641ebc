"""Accounts and sessions: log-in throttling, password change and reset, session lifetime."""

import logging
import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from aims.core import sessions, throttling
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-much-longer-passphrase-42"


@pytest.fixture
def user(db):
    return UserFactory(username="dana")


def log_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(client, username, times, address="10.0.0.1"):
    for _ in range(times):
        log_in(client, username, "wrong-password", address)


def move_attempts_back(minutes):
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save()


def main_part(response):
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


# Log-in throttling


def test_a_wrong_password_below_the_limit_gets_the_ordinary_form_error(client, user):
    response = log_in(client, "dana", "wrong-password")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_the_right_password_is_refused_once_the_account_is_locked_out(client, user):
    fail(client, "dana", 5)
    response = log_in(client, "dana", PASSWORD, address="10.0.0.2")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_fifth_failure_answers_with_the_lockout_page(client, user):
    fail(client, "dana", 4)
    assert log_in(client, "dana", "wrong-password").status_code == 429


def test_an_address_is_locked_out_after_failures_with_several_account_names(client, user):
    for name in ("ann", "bob", "cid", "dan", "eve"):
        log_in(client, name, "wrong-password", address="10.0.0.9")
    assert log_in(client, "dana", PASSWORD, address="10.0.0.9").status_code == 429
    assert log_in(client, "dana", PASSWORD, address="10.0.0.10").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, user, settings):
    settings.AIMS_LOGIN_COOLOFF_MINUTES = 15
    fail(client, "dana", 5)
    move_attempts_back(16)
    response = log_in(client, "dana", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:dashboard")


def test_the_lockout_still_holds_before_the_cool_off_has_passed(client, user, settings):
    settings.AIMS_LOGIN_COOLOFF_MINUTES = 15
    fail(client, "dana", 5)
    move_attempts_back(14)
    assert log_in(client, "dana", PASSWORD).status_code == 429


def test_further_failures_during_a_lockout_double_the_cool_off(client, user, settings):
    settings.AIMS_LOGIN_COOLOFF_MINUTES = 15
    fail(client, "dana", 10)
    move_attempts_back(16)
    assert log_in(client, "dana", PASSWORD).status_code == 429


def test_a_doubled_cool_off_ends_too(client, user, settings):
    settings.AIMS_LOGIN_COOLOFF_MINUTES = 15
    fail(client, "dana", 10)
    move_attempts_back(31)
    assert log_in(client, "dana", PASSWORD).status_code == 302


def test_the_cool_off_grows_with_each_round_of_failures_up_to_the_maximum(db, rf, settings):
    settings.AIMS_LOGIN_COOLOFF_MINUTES = 15
    settings.AIMS_LOGIN_COOLOFF_MAX_HOURS = 2
    request = rf.post("/accounts/login/", {"username": "dana"})
    request.axes_ip_address = "10.0.0.1"
    periods = []
    for failures in (5, 10, 15, 20, 100):
        AccessAttempt.objects.update_or_create(
            username="dana",
            ip_address="10.0.0.1",
            user_agent="test",
            defaults={"failures_since_start": failures, "get_data": "", "post_data": ""},
        )
        periods.append(throttling.cool_off(request))
    assert periods == [
        timedelta(minutes=15),
        timedelta(minutes=30),
        timedelta(minutes=60),
        timedelta(minutes=120),
        timedelta(minutes=120),
    ]


def test_a_successful_log_in_clears_the_failures_of_the_account(client, user):
    fail(client, "dana", 3)
    assert log_in(client, "dana", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="dana").exists()


def test_an_unknown_account_gets_the_same_lockout_page_as_a_known_one(client, user):
    fail(client, "dana", 5, address="10.0.0.1")
    fail(client, "nobody-here", 5, address="10.0.0.2")
    known = log_in(Client(), "dana", PASSWORD, address="10.0.0.3")
    unknown = log_in(Client(), "nobody-here", PASSWORD, address="10.0.0.4")
    assert known.status_code == 429
    assert unknown.status_code == 429
    assert main_part(unknown) == main_part(known)


def test_a_lockout_is_logged(client, user, caplog):
    with caplog.at_level(logging.WARNING, logger="aims.core.throttling"):
        fail(client, "dana", 5)
    assert [r.getMessage() for r in caplog.records if r.name == "aims.core.throttling"] == [
        "Log-in refused: locked out after repeated failures (address 10.0.0.1, cool-off 0:15:00)"
    ]


# Password change


def change_password(client, old, new):
    return client.post(
        reverse("password_change"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_navigation_links_to_the_password_change(client, user):
    client.force_login(user)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert reverse("password_change") in response.content.decode()


def test_a_password_shorter_than_twelve_characters_is_refused_at_the_field(client, user):
    client.force_login(user)
    response = change_password(client, PASSWORD, "Tr0ub4dor&3")
    assert response.status_code == 200
    assert any("at least 12" in e for e in response.context["form"].errors["new_password2"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_common_password_is_refused_at_the_field(client, user):
    client.force_login(user)
    response = change_password(client, PASSWORD, "password1234")
    assert response.status_code == 200
    assert any("too common" in e for e in response.context["form"].errors["new_password2"])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_password_change_keeps_this_session_and_ends_the_others(client, user):
    other = Client()
    other.force_login(user)
    client.force_login(user)
    response = change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get(reverse("core:dashboard")).status_code == 200
    ended = other.get(reverse("core:dashboard"))
    assert ended.status_code == 302
    assert ended["Location"].startswith(reverse("login"))


# Password reset


def test_a_password_reset_mails_a_link_that_sets_a_new_password(client, user):
    response = client.post(reverse("password_reset"), {"email": "dana@example.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana@example.test"]
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done["Location"] == reverse("password_reset_complete")
    assert get_user_model().objects.get(pk=user.pk).check_password(NEW_PASSWORD)


def test_a_used_reset_link_does_not_work_again(client, user):
    client.post(reverse("password_reset"), {"email": "dana@example.test"})
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    target = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(target, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    again = Client().get(link, follow=True)
    assert again.status_code == 200
    assert again.context["validlink"] is False


def test_a_reset_for_an_unknown_address_answers_the_same_and_sends_nothing(client, user):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_log_in_page_offers_the_password_reset(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert reverse("password_reset") in response.content.decode()


# Session lifetime


def set_session(client, **values):
    session = client.session
    session.update(values)
    session.save()


def test_a_session_idle_for_longer_than_the_timeout_is_logged_out(client, user, settings):
    settings.AIMS_SESSION_IDLE_MINUTES = 30
    client.force_login(user)
    set_session(client, **{sessions.LAST_ACTIVITY: time.time() - 31 * 60})
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_the_idle_log_out_says_why(client, user, settings):
    settings.AIMS_SESSION_IDLE_MINUTES = 30
    client.force_login(user)
    set_session(client, **{sessions.LAST_ACTIVITY: time.time() - 31 * 60})
    response = client.get(reverse("core:dashboard"), follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "You were logged out after 30 minutes without activity."
    ]


def test_a_session_active_within_the_timeout_stays(client, user, settings):
    settings.AIMS_SESSION_IDLE_MINUTES = 30
    client.force_login(user)
    set_session(client, **{sessions.LAST_ACTIVITY: time.time() - 29 * 60})
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_a_page_request_counts_as_activity(client, user):
    client.force_login(user)
    earlier = time.time() - 20 * 60
    set_session(client, **{sessions.LAST_ACTIVITY: earlier})
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert client.session[sessions.LAST_ACTIVITY] > earlier + 19 * 60


def test_the_background_my_work_count_does_not_count_as_activity(client, user):
    client.force_login(user)
    earlier = time.time() - 20 * 60
    set_session(client, **{sessions.LAST_ACTIVITY: earlier})
    response = client.get(reverse("core:my_work_count"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert client.session[sessions.LAST_ACTIVITY] == earlier


def test_a_background_request_of_an_idle_session_sends_the_page_to_the_log_in(
    client, user, settings
):
    settings.AIMS_SESSION_IDLE_MINUTES = 30
    client.force_login(user)
    set_session(client, **{sessions.LAST_ACTIVITY: time.time() - 31 * 60})
    response = client.get(reverse("core:my_work_count"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_a_session_ends_at_its_absolute_lifetime_even_when_active(client, user, settings):
    settings.SESSION_COOKIE_AGE = 12 * 3600
    client.force_login(user)
    set_session(client, **{sessions.LOGGED_IN_AT: time.time() - 12 * 3600 - 60})
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_address_is_remote_addr_when_no_proxy_is_declared(rf, settings):
    settings.AIMS_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.1")
    assert throttling.client_address(request) == "10.0.0.1"


def test_behind_one_proxy_the_address_is_the_one_the_proxy_appended(rf, settings):
    settings.AIMS_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5", REMOTE_ADDR="10.0.0.1")
    assert throttling.client_address(request) == "203.0.113.5"


def test_behind_two_proxies_the_address_is_the_one_the_outer_proxy_appended(rf, settings):
    settings.AIMS_PROXY_COUNT = 2
    request = rf.get(
        "/", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5, 10.0.0.7", REMOTE_ADDR="10.0.0.1"
    )
    assert throttling.client_address(request) == "203.0.113.5"


def test_a_client_cannot_escape_the_address_lockout_by_forging_the_header(client, user, settings):
    settings.AIMS_PROXY_COUNT = 1
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", "5.5.5.5"):
        client.post(
            reverse("login"),
            {"username": f"name-{forged}", "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.5",
        )
    response = client.post(
        reverse("login"),
        {"username": "dana", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.5",
    )
    assert response.status_code == 429
