"""A second factor for local accounts: TOTP through django-otp.

Users set up an authenticator app on a page of their own and confirm it with a code. Whoever has
a confirmed device enters a code after the password before any other page; the roles named in
AIMS_REQUIRE_MFA_ROLES must set one up before they reach anything but the set-up page. With
single sign-on the identity provider's second factor takes over.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from aims.core import sso
from aims.core.api import is_api_request
from aims.core.redirects import safe_next
from aims.core.roles import role_names

# Set at log-in for users with a confirmed device: the portal then asks for a code, without a
# device query on every request of everyone else.
SESSION_KEY = "aims_mfa_required"


def required_roles():
    return {role.strip() for role in settings.AIMS_REQUIRE_MFA_ROLES if role.strip()}


def must_have_device(user):
    """Whether the user's roles require a second factor (AIMS_REQUIRE_MFA_ROLES)."""
    required = required_roles()
    return bool(required and required & role_names(user))


def connect():
    user_logged_in.connect(remember_device_at_login, dispatch_uid="aims-mfa-login")


def remember_device_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        if user_has_device(user):
            request.session[SESSION_KEY] = True
        else:
            request.session.pop(SESSION_KEY, None)


def _exempt_paths():
    return (
        reverse("core:mfa_setup"),
        reverse("core:mfa_verify"),
        reverse("logout"),
        settings.STATIC_URL,
    )


class SecondFactorMiddleware:
    """After OTPMiddleware: send users who owe a code to the verify page, and users of a role
    that requires a second factor without a device to the set-up page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        # A single sign-on session was authenticated by the provider, its second factor included.
        if (
            user.is_authenticated
            and not sso.signed_in_by_provider(request)
            and not request.path.startswith(_exempt_paths())
        ):
            target = None
            if request.session.get(SESSION_KEY) or must_have_device(user):
                if user.is_verified():
                    pass
                elif user_has_device(user):
                    request.session[SESSION_KEY] = True
                    target = "core:mfa_verify"
                else:
                    target = "core:mfa_setup"
            if target and is_api_request(request):
                # The browser's session calls the API only once the code was given.
                detail = _("Confirm your log-in with a code from your authenticator app first.")
                return JsonResponse({"detail": str(detail)}, status=403)
            if target:
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse(target)}?{query}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not code.isdigit() or self.device is None or not self.device.verify_token(code):
            raise forms.ValidationError(
                _("This code is not valid. Enter the current code from your authenticator app.")
            )
        return code


def _next_url(request, default="core:dashboard"):
    return safe_next(request, request.POST.get("next") or request.GET.get("next")) or reverse(
        default
    )


def qr_svg(text):
    """The QR code of `text` as inline SVG, drawn here: the secret never leaves the portal."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def mfa_device_confirm(*, device, user):
    """Confirm a device whose code was checked; the user's other devices go."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Set up (or replace) the authenticator app: scan the QR code, confirm with a code."""
    user = request.user
    if user_has_device(user) and not user.is_verified():
        # Replacing a device needs the current one first.
        return redirect(f"{reverse('core:mfa_verify')}?{urlencode({'next': request.path})}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        mfa_device_confirm(device=device, user=user)
        otp_login(request, device)
        request.session[SESSION_KEY] = True
        messages.success(
            request, _("Your authenticator app is set up: log-ins now ask for a code.")
        )
        return HttpResponseRedirect(_next_url(request))
    context = {
        "form": form,
        "qr_svg": qr_svg(device.config_url),
        "secret": _base32(device),
        "has_device": user_has_device(user),
        "required": must_have_device(user),
        "next": _next_url(request),
    }
    return render(request, "core/mfa_setup.html", context)


def _base32(device):
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """The step after the password for users with a device."""
    user = request.user
    if user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("core:mfa_setup")
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return HttpResponseRedirect(_next_url(request))
    return render(request, "core/mfa_verify.html", {"form": form, "next": _next_url(request)})
