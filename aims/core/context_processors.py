"""Navigation grouped by the standard's areas, showing only what the user may open."""

from functools import cache

from django.utils.functional import SimpleLazyObject

from aims.core.permissions import can
from aims.core.registry import AREAS, registry
from aims.core.reversing import cached_reverse
from aims.core.roles import ROLE_LABELS, ROLES, role_names


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def menu():
        entries = {}
        for register in registry:
            if register.in_menu and can(user, "view", register.model):
                entries.setdefault(register.area, []).append(
                    (register.verbose_name_plural, cached_reverse(register.url_name("list")))
                )
        for link in registry.links:
            if user.has_perm(link.permission):
                entries.setdefault(link.area, []).append(
                    (link.label, cached_reverse(link.url_name))
                )
        return [(AREAS[key], entries[key]) for key in AREAS if key in entries]

    # Lazy: only pages that render the navigation pay for it.
    return {
        "navigation": menu,
        # Kept once worked out: the page shows it twice, and a template calls a callable each time.
        "user_roles": cache(lambda: [str(ROLE_LABELS[r]) for r in ROLES if r in role_names(user)]),
        # Counted once per page, however often the page shows it.
        "unread_notifications": SimpleLazyObject(
            lambda: user.notifications.filter(read_at__isnull=True).count()
        ),
    }
