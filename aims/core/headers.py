"""Response headers that Django and django-csp do not set: the Permissions-Policy.

The portal uses no camera, microphone, location, payment or USB device, so every page denies
them, and so any script that got in could not ask for them either. The policy comes from
`settings.PERMISSIONS_POLICY` (feature → allowed origins; an empty list denies the feature).
"""

from django.conf import settings

HEADER = "Permissions-Policy"


def permissions_policy(features):
    """The header's value: `camera=(), …` for denied features, `fullscreen=(self)` for others."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy to every response that does not set its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.value:
            response.headers.setdefault(HEADER, self.value)
        return response
