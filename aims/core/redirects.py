"""Where a page may send the user back to: only the portal's own pages."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, target):
    """`target` (a `next` parameter) if it is one of the portal's own URLs, else ""."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""
