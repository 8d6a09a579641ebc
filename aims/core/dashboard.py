"""The dashboard: counts per area and what needs attention, from every register the user may see.

Its numbers are read in few queries: the registers' counts in one, and each attention provider
and panel counts what it shows with `counts`, one query for all of its numbers."""

from typing import NamedTuple

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.shortcuts import render
from django.utils.text import capfirst
from django.views import View

from aims.core.permissions import perm_name
from aims.core.registry import AREAS, registry
from aims.core.related_lists import count_sql
from aims.core.reversing import cached_reverse


def counts(querysets):
    """How many rows each queryset of a dict holds, under its key, read in one query: a SELECT
    of one scalar subquery per queryset, which SQLite and PostgreSQL both accept without a FROM.
    Each counts the rows as `count()` would, so a distinct or grouped queryset too."""
    result, keys, subqueries, params, using = {}, [], [], [], None
    for key, queryset in querysets.items():
        result[key] = 0
        if queryset.query.is_empty():
            continue
        using = queryset.db
        try:
            sql, own = count_sql(queryset)
        except EmptyResultSet:
            continue
        keys.append(key)
        subqueries.append(sql)
        params.extend(own)
    if keys:
        select = ", ".join(f"({sql})" for sql in subqueries)
        with connections[using].cursor() as cursor:
            cursor.execute(f"SELECT {select}", params)
            result.update(zip(keys, cursor.fetchone(), strict=True))
    return result


def register_counts(user):
    """(register, count) of each register the user may see: every register the user may read
    whole, and those the user sees some entries of (as `can` tells), counted in one query."""
    if not (user.is_authenticated and user.is_active):
        return []
    # What `restrict` and `can` ask `has_perm` register by register, read once.
    perms = user.get_all_permissions()
    whole = {r.model for r in registry if perm_name(r.model, "view") in perms}
    numbers = counts(
        {
            r.model: r.model._default_manager.all()
            if r.model in whole
            else r.model._default_manager.restrict(user)
            for r in registry
        }
    )
    return [(r, numbers[r.model]) for r in registry if r.model in whole or numbers[r.model]]


class Card(NamedTuple):
    """A register's count on the dashboard, with the link and label its card shows."""

    register: object
    count: int

    @property
    def label(self):
        register = self.register
        return capfirst(register.verbose_name if self.count == 1 else register.verbose_name_plural)

    @property
    def url(self):
        return cached_reverse(self.register.url_name("list"))


class DashboardView(LoginRequiredMixin, View):
    """Counts per area and what needs attention, from every register the user may see."""

    def get(self, request):
        areas = {}
        for register, count in register_counts(request.user):
            areas.setdefault(register.area, []).append(Card(register, count))
        attention = [
            item for provider in registry.attention_providers for item in provider(request.user)
        ]
        panels = [html for provider in registry.panels if (html := provider(request))]
        return render(
            request,
            "core/dashboard.html",
            {
                "areas": [(AREAS[k], areas[k]) for k in AREAS if k in areas],
                "attention": attention,
                "panels": panels,
            },
        )
