"""Navigation grouped by the standard's areas, showing only what the user may open."""

from functools import cache, lru_cache

from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from aims.core.permissions import can, perm_name
from aims.core.registry import AREAS, registry
from aims.core.reversing import cached_reverse, where
from aims.core.roles import ROLE_LABELS, ROLES, role_names


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def menu():
        # The model permissions read once: `has_perm` asks every authentication backend
        # each time, and a role holds most registers' view permission.
        perms = user.get_all_permissions()
        registers = tuple(
            register.in_menu
            and (perm_name(register.model, "view") in perms or can(user, "view", register.model))
            for register in registry
        )
        links = tuple(
            link.permission in perms or user.has_perm(link.permission) for link in registry.links
        )
        return menu_html(registers, links, *where())

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


@lru_cache(maxsize=256)
def menu_html(registers, links, urlconf, prefix, language):
    """The navigation's menus for the registers and links (a flag each, in the registry's
    order) that a user may open, written once per process for each such set, URL
    configuration, script prefix and language (all that the menus depend on)."""
    entries = {}
    for register, shown in zip(registry, registers, strict=True):
        if shown:
            entries.setdefault(register.area, []).append(
                (register.verbose_name_plural, cached_reverse(register.url_name("list")))
            )
    for link, shown in zip(registry.links, links, strict=True):
        if shown:
            entries.setdefault(link.area, []).append((link.label, cached_reverse(link.url_name)))
    menus = [(AREAS[key], entries[key]) for key in AREAS if key in entries]
    # The template ends in a newline that the page does not have there.
    html = render_to_string("components/navigation.html", {"navigation": menus})
    return mark_safe(html.removesuffix("\n"))  # noqa: S308 - rendered by the template engine
