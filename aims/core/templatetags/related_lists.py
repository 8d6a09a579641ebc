"""`first_entries` for detail pages that list related entries of their own (beyond the
register's `related`): the first rows, the total and the link to the list holding them all."""

from django import template
from django.utils.http import urlencode

from aims.core.related_lists import FirstEntries
from aims.core.reversing import cached_reverse

register = template.Library()


@register.simple_tag
def first_entries(queryset, list_name, **filters):
    """The first entries of `queryset`; `list_name` and `filters` (None values left out) name
    the list that shows all of them."""
    query = {name: value for name, value in filters.items() if value is not None}
    return FirstEntries(queryset, f"{cached_reverse(list_name)}?{urlencode(query)}")
