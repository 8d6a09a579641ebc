"""URLs reversed once per process. With the portal's hundreds of named URLs a `reverse()` costs
about a tenth of a millisecond, and every page asks for the same few dozen: the navigation, each
register's list, export and add links, an entry's own pages and the detail links of related
entries. Each is remembered per URL configuration, script prefix and language, which are all
that a reverse of these names depends on."""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# A primary key no URL holds otherwise: an entry's URL is reversed once with it, then each
# entry's key is written in its place.
PK_MARK = "7319046528"


def where():
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language()


def cached_reverse(name, args=(), current_app=None):
    """`reverse(name, args=args)` for a name and arguments that are the same on every page."""
    return reversed_url(name, tuple(args), current_app, *where())


def entry_url(name, pk):
    """`reverse(name, args=[pk])` for an integer key."""
    parts = around_key(name, *where()) if isinstance(pk, int) else None
    if parts is None:
        return reverse(name, args=[pk])
    before, after = parts
    return f"{before}{pk}{after}"


@lru_cache(maxsize=1024)
def reversed_url(name, args, current_app, urlconf, prefix, language):
    return reverse(name, args=args, urlconf=urlconf, current_app=current_app)


@lru_cache(maxsize=1024)
def around_key(name, urlconf, prefix, language):
    """The URL before and after the key, or None where a key is not written as it is."""
    try:
        parts = reverse(name, args=[PK_MARK], urlconf=urlconf).split(PK_MARK)
    except NoReverseMatch:  # a key that is not a number
        return None
    return tuple(parts) if len(parts) == 2 else None
