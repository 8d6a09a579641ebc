"""The log-in page with single sign-on, the provider's round trip, and the log-out.

Whatever goes wrong on the way back from the provider (a refusal there, a state that is not
this browser's, a token that does not verify, a provider out of reach) ends on the log-in page
with a message saying so, never on an error page.
"""

import functools
import logging

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from aims.core import sso
from aims.core.redirects import safe_next

log = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    """Django's log-in with the single sign-on button; without passwords, the button alone."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sso_enabled=sso.enabled(),
            sso_label=sso.label(),
            password_login=sso.password_login(),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not sso.password_login():
            messages.error(request, _("This portal takes no passwords: use single sign-on."))
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    """The local log-out; after single sign-on it goes on to the provider's log-out when the
    provider advertises one, so that the next log-in asks for the credentials again."""

    def post(self, request, *args, **kwargs):
        signed_in = request.session.get(sso.SESSION_KEY)
        response = super().post(request, *args, **kwargs)
        if signed_in and sso.enabled():
            url = sso.end_session_url(request, signed_in.get("id_token"))
            if url:
                return HttpResponseRedirect(url)
        return response


@require_GET
def sso_login(request):
    """Off to the provider, with a new state, nonce and PKCE verifier kept in the session."""
    if not sso.enabled():
        raise Http404
    request.session[sso.NEXT_KEY] = safe_next(request, request.GET.get("next"))
    try:
        return sso.provider().authorize_redirect(
            request, request.build_absolute_uri(reverse("sso_callback"))
        )
    except (requests.RequestException, AuthlibBaseError, RuntimeError, ValueError):
        log.warning("single sign-on: provider not reachable", exc_info=True)
        return _back_to_login(request, _("The identity provider cannot be reached just now."))


@require_GET
def sso_callback(request):
    """The provider's answer: verified, then the user logged in (and created if new)."""
    if not sso.enabled():
        raise Http404
    client = sso.provider()
    try:
        token = client.authorize_access_token(request)
        claims = sso.claims_of(client, token)
        user = sso.sso_sign_in(issuer=settings.AIMS_OIDC_ISSUER, claims=claims)
    except sso.SignInRefused as refusal:
        return _back_to_login(request, str(refusal))
    except MismatchingStateError:
        return _back_to_login(
            request,
            _(
                "The log-in could not be completed: the answer from the identity provider does "
                "not belong to a log-in started in this browser, or it has expired. Try again."
            ),
        )
    except OAuthError as error:
        log.warning("single sign-on: provider answered %s", error.error)
        if error.error == "access_denied":
            return _back_to_login(
                request, _("The log-in was cancelled or refused at the identity provider.")
            )
        return _back_to_login(
            request, _("The identity provider refused the log-in. Ask an administrator.")
        )
    except (AuthlibBaseError, JoseError, ValueError):
        log.warning("single sign-on: answer not verified", exc_info=True)
        return _back_to_login(
            request,
            _("The identity provider's answer could not be verified, so you are not logged in."),
        )
    except requests.RequestException:
        log.warning("single sign-on: provider not reachable", exc_info=True)
        return _back_to_login(request, _("The identity provider cannot be reached just now."))
    target = request.session.pop(sso.NEXT_KEY, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[sso.SESSION_KEY] = {
        "issuer": settings.AIMS_OIDC_ISSUER,
        "id_token": token.get("id_token"),
    }
    # Checked before it was kept in the session (sso_login).
    return HttpResponseRedirect(target or reverse(settings.LOGIN_REDIRECT_URL))


def _back_to_login(request, message):
    messages.error(request, message)
    return redirect("login")


def admin_login(request):
    """The admin's log-in, or the portal's when passwords are off (its session serves both)."""
    if not sso.password_login():
        query = urlencode({"next": request.GET.get("next") or reverse("admin:index")})
        return HttpResponseRedirect(f"{reverse('login')}?{query}")
    return admin.site.login(request)


def passwords_allowed(view):
    """A password page (change, reset) that says so, and does nothing, when passwords are off."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not sso.password_login():
            return render(request, "registration/password_login_off.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped
