"""Second factor: set-up with a confirming code, a code after the password for users with a
device, and the set-up page for roles that require one."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


def current_code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def wrong_code(device):
    return f"{(int(current_code(device)) + 500_000) % 1_000_000:06d}"


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return response


@pytest.fixture
def user_with_device(db):
    user = UserFactory(username="careful", role="Compliance Officer")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user, device


def test_the_set_up_page_shows_a_qr_code_drawn_by_the_portal(client, compliance_officer):
    client.force_login(compliance_officer)
    response = client.get(reverse("core:mfa_setup"))
    assert response.status_code == 200
    assert "<svg" in response.content.decode()


def test_a_user_sets_up_totp_by_confirming_a_code(client, compliance_officer):
    client.force_login(compliance_officer)
    client.get(reverse("core:mfa_setup"))
    device = TOTPDevice.objects.get(user=compliance_officer)
    response = client.post(reverse("core:mfa_setup"), {"code": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_a_wrong_code_does_not_confirm_the_set_up(client, compliance_officer):
    client.force_login(compliance_officer)
    client.get(reverse("core:mfa_setup"))
    device = TOTPDevice.objects.get(user=compliance_officer)
    response = client.post(reverse("core:mfa_setup"), {"code": wrong_code(device)})
    assert "This code is not valid" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_a_user_with_a_device_is_asked_for_a_code_after_the_password(client, user_with_device):
    user, _device = user_with_device
    log_in(client, user)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:mfa_verify"))


def test_a_user_with_a_device_reaches_the_portal_after_the_right_code(client, user_with_device):
    user, device = user_with_device
    log_in(client, user)
    response = client.post(
        reverse("core:mfa_verify"), {"code": current_code(device), "next": "/my-work/"}
    )
    assert response.status_code == 302
    assert response.url == "/my-work/"
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_a_wrong_code_is_refused_at_the_verify_step(client, user_with_device):
    user, device = user_with_device
    log_in(client, user)
    response = client.post(reverse("core:mfa_verify"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert "This code is not valid" in response.content.decode()
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_a_code_that_is_not_a_number_is_refused_at_the_field(client, user_with_device):
    user, _device = user_with_device
    log_in(client, user)
    response = client.post(reverse("core:mfa_verify"), {"code": "abcdef"})
    assert "This code is not valid" in response.content.decode()


def test_the_admin_also_asks_for_the_code(client, db):
    admin = UserFactory(role="Administrator", is_staff=True)
    TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
    log_in(client, admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:mfa_verify"))


def test_a_user_without_a_device_is_not_asked_for_a_code(client, compliance_officer):
    log_in(client, compliance_officer)
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_a_required_role_without_a_device_is_sent_to_the_set_up_page(client, settings, ai_officer):
    settings.AIMS_REQUIRE_MFA_ROLES = ["AI Officer", "Administrator"]
    client.force_login(ai_officer)
    response = client.get(reverse("core:my_work"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("core:mfa_setup"))


def test_a_required_role_reaches_the_set_up_page_itself(client, settings, ai_officer):
    settings.AIMS_REQUIRE_MFA_ROLES = ["AI Officer"]
    client.force_login(ai_officer)
    response = client.get(reverse("core:mfa_setup"))
    assert response.status_code == 200
    assert "Your role requires a second factor" in response.content.decode()


def test_a_required_role_may_log_out_without_a_device(client, settings, ai_officer):
    settings.AIMS_REQUIRE_MFA_ROLES = ["AI Officer"]
    client.force_login(ai_officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_a_role_not_required_passes_without_a_device(client, settings, auditor):
    settings.AIMS_REQUIRE_MFA_ROLES = ["AI Officer"]
    client.force_login(auditor)
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_a_required_role_reaches_the_portal_once_the_device_is_set_up(client, settings, ai_officer):
    settings.AIMS_REQUIRE_MFA_ROLES = ["AI Officer"]
    client.force_login(ai_officer)
    client.get(reverse("core:mfa_setup"))
    device = TOTPDevice.objects.get(user=ai_officer)
    client.post(reverse("core:mfa_setup"), {"code": current_code(device)})
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_the_verify_page_does_not_redirect_to_another_site(client, user_with_device):
    user, device = user_with_device
    log_in(client, user)
    response = client.post(
        reverse("core:mfa_verify"), {"code": current_code(device), "next": "https://evil.test/"}
    )
    assert response.url == reverse("core:dashboard")
