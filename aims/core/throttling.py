"""Log-in throttling with django-axes: a cool-off that grows, and the lock-out page.

Axes counts failed log-ins by account name and by address separately (`AXES_LOCKOUT_PARAMETERS`)
and refuses both after `AXES_FAILURE_LIMIT` failures. It records attempts for names that do not
exist as well, so the lock-out answers the same whether the account exists or not.
"""

import logging
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

log = logging.getLogger(__name__)


def client_address(request):
    """The client's address: REMOTE_ADDR, or behind proxies the entry the outermost one added.

    Each of the `AIMS_PROXY_COUNT` proxies appends the address it received the request from to
    X-Forwarded-For, so the client's address is that many entries from the end; whatever the
    client wrote into the header itself stands further left and is ignored.
    """
    count = settings.AIMS_PROXY_COUNT
    if count:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def recorded_failures(request):
    """The failures recorded for the request's account name or address, the larger count."""
    if request is None:
        return 0
    username = request.POST.get(settings.AXES_USERNAME_FORM_FIELD) if request.POST else None
    address = getattr(request, "axes_ip_address", None)
    counts = [0]
    for lookup in ({"username": username}, {"ip_address": address}):
        if next(iter(lookup.values())):
            total = AccessAttempt.objects.filter(**lookup).aggregate(n=Sum("failures_since_start"))
            counts.append(total["n"] or 0)
    return max(counts)


def cool_off(request=None):
    """How long a lock-out lasts: the base period, doubled for each further round of failures.

    The first lock-out (after `AXES_FAILURE_LIMIT` failures) lasts `AIMS_LOGIN_COOLOFF_MINUTES`;
    every further `AXES_FAILURE_LIMIT` failures while locked out double it, up to
    `AIMS_LOGIN_COOLOFF_MAX_HOURS`. Axes counts the period from the latest failure.
    """
    base = timedelta(minutes=settings.AIMS_LOGIN_COOLOFF_MINUTES)
    longest = timedelta(hours=settings.AIMS_LOGIN_COOLOFF_MAX_HOURS)
    limit = settings.AXES_FAILURE_LIMIT
    rounds = max(0, recorded_failures(request) - limit) // limit
    return min(base * 2 ** min(rounds, 30), longest)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out log-in gets: the same for every account name, known or not."""
    period = cool_off(request)
    log.warning(
        "Log-in refused: locked out after repeated failures (address %s, cool-off %s)",
        getattr(request, "axes_ip_address", None),
        period,
    )
    minutes = max(1, int(period.total_seconds() // 60))
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
