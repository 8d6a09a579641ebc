"""API authentication by personal token: `Authorization: Bearer aims_<key id>_<secret>`.

The key id finds the token's row, the SHA-256 of the whole token is compared in constant time,
and a revoked or expired token, an unknown or malformed one, or one of an inactive user answers
401. Refused attempts are counted per client address in Django's cache (Redis in production, so
every web process counts together): after `AIMS_API_TOKEN_FAILURE_LIMIT` of them within
`AIMS_API_TOKEN_FAILURE_WINDOW` seconds, every token attempt from that address answers 429 with
Retry-After until the window has passed, a valid token too.

Tokens authenticate in the view, after the middleware: the session's middleware (second factor,
idle timeout) sees no session user on a token request and lets it through.
"""

import logging
import math
import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled

from aims.core.models import ApiToken
from aims.core.throttling import client_address

log = logging.getLogger(__name__)

KEYWORD = "Bearer"
# Use is recorded at most this often per token, so that not every call writes the row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None  # not a token request: the next authentication class decides
        address = client_address(request) or "unknown"
        wait = blocked_for(address)
        if wait:
            raise Throttled(
                wait=wait, detail=_("Too many refused token attempts from your address.")
            )
        try:
            token, user = self.check(header)
        except AuthenticationFailed:
            record_failure(address)
            raise
        record_use(token)
        return user, token

    def check(self, header):
        if len(header) != 2:
            raise AuthenticationFailed(_("The Authorization header must be 'Bearer <token>'."))
        try:
            text = header[1].decode("ascii")
        except UnicodeDecodeError:
            text = ""
        key_id = ApiToken.key_id_of(text)
        token = None
        if key_id:
            token = ApiToken.objects.select_related("user").filter(key_id=key_id).first()
        if token is None or not token.matches(text):
            raise AuthenticationFailed(_("Invalid token."))
        status = token.status()
        if status == ApiToken.Status.REVOKED:
            raise AuthenticationFailed(_("This token has been revoked."))
        if status == ApiToken.Status.EXPIRED:
            raise AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("The token's user account is deactivated."))
        return token, token.user

    def authenticate_header(self, request):
        return KEYWORD


def record_use(token):
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # A plain update: use is not a change of the token and makes no history row.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _keys(address):
    return f"aims:api-token-failures:{address}", f"aims:api-token-failures-until:{address}"


def blocked_for(address):
    """Seconds until token attempts from `address` are accepted again; 0 while they are."""
    count_key, until_key = _keys(address)
    try:
        values = cache.get_many([count_key, until_key])
    except Exception:
        # Without its cache the portal still answers: tokens hold 256 random bits, so the
        # count is a brake on noise, not what keeps a token from being guessed.
        log.warning("API token throttle: cache unavailable", exc_info=True)
        return 0
    if values.get(count_key, 0) < settings.AIMS_API_TOKEN_FAILURE_LIMIT:
        return 0
    until = values.get(until_key, 0)
    return max(1, math.ceil(until - time.time()))


def record_failure(address):
    """Count a refused token attempt; the window starts with the first failure."""
    window = settings.AIMS_API_TOKEN_FAILURE_WINDOW
    count_key, until_key = _keys(address)
    try:
        cache.add(until_key, time.time() + window, window)
        cache.add(count_key, 0, window)
        try:
            count = cache.incr(count_key)
        except ValueError:  # the window ended between add and incr
            count = 1
            cache.set(until_key, time.time() + window, window)
            cache.set(count_key, count, window)
    except Exception:
        log.warning("API token throttle: cache unavailable", exc_info=True)
        return
    if count == settings.AIMS_API_TOKEN_FAILURE_LIMIT:
        log.warning("API tokens refused from %s for %s s after repeated failures", address, window)


def forget_failures(address):
    """Clear the count of `address` (tests and an administrator's shell)."""
    cache.delete_many(_keys(address))
