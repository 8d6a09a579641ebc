"""Session lifetime: an idle timeout besides the absolute one.

The session remembers when its user logged in and when they were last active. A request after
`AIMS_SESSION_IDLE_MINUTES` without activity, or `SESSION_COOKIE_AGE` seconds after the log-in,
logs the user out with a message and sends them to the log-in page. Requests that a page makes
on its own in the background (the My work count) are not activity. The last activity is written
at most once a minute, so that not every page saves the session.
"""

import time
from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from aims.core.api import is_api_request

LAST_ACTIVITY = "aims_last_activity"
LOGGED_IN_AT = "aims_logged_in_at"
# Activity less than this many seconds after the recorded one does not save the session again.
RESOLUTION = 60
# URL names that pages request by themselves, without anything the user did.
BACKGROUND_URLS = ("core:my_work_count",)


@cache
def background_paths():
    return frozenset(reverse(name) for name in BACKGROUND_URLS)


def connect():
    user_logged_in.connect(start_session_clock, dispatch_uid="aims-session-start")


def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGGED_IN_AT] = now
        request.session[LAST_ACTIVITY] = now


def expiry_reason(session, now):
    """Why the session has ended by `now`, or None while it is still valid."""
    idle_minutes = settings.AIMS_SESSION_IDLE_MINUTES
    last = session.get(LAST_ACTIVITY)
    if last is not None and now - last > idle_minutes * 60:
        return _("You were logged out after %(minutes)s minutes without activity.") % {
            "minutes": idle_minutes
        }
    started = session.get(LOGGED_IN_AT)
    if started is not None and now - started > settings.SESSION_COOKIE_AGE:
        return _("Your session has ended. Please log in again.")
    return None


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            reason = expiry_reason(request.session, now)
            if reason:
                return self.logged_out(request, reason)
            if request.path_info not in background_paths():
                self.record_activity(request.session, now)
        return self.get_response(request)

    @staticmethod
    def record_activity(session, now):
        if now - session.get(LAST_ACTIVITY, 0) >= RESOLUTION:
            session[LAST_ACTIVITY] = now
        if LOGGED_IN_AT not in session:  # a session from before the clock existed
            session[LOGGED_IN_AT] = now

    @staticmethod
    def logged_out(request, reason):
        logout(request)
        if is_api_request(request):
            return JsonResponse({"detail": reason}, status=401)
        messages.warning(request, reason)
        if request.headers.get("HX-Request"):
            # A fragment request: the whole page goes to the log-in, not the fragment's target.
            response = HttpResponse(status=200)
            response["HX-Redirect"] = reverse(settings.LOGIN_URL)
            return response
        return redirect_to_login(request.get_full_path())
