"""The global search: one box in the navigation over every register the user may see.

It reads the search index (aims/core/search_index.py) through the permission layer: an entry is
found only if `restrict(user)` holds its object. A query that is a reference (R-0042,
AUD-2026-01) opens that entry. On PostgreSQL the words are matched as prefixes in the entries'
full-text vector (GIN-indexed, the 'simple' configuration, so German and English alike) and
ranked; other databases (SQLite in development) match each word anywhere, without case for
ASCII letters.
"""

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Count, F, Q, Value, Window
from django.db.models.functions import RowNumber
from django.shortcuts import redirect, render
from django.urls import reverse

from aims.core.models import SearchEntry
from aims.core.permissions import perm_name
from aims.core.registry import registry

# Results shown per register; the register's own list shows them all.
PER_REGISTER = 5
MAX_WORDS = 10
MAX_QUERY = 200
SNIPPET = 160  # characters around the first match
REFERENCE = re.compile(r"^[A-Za-z]+(?:-\d+)+$")
# The expression the GIN index of migration core.0010 holds: the two must stay identical.
VECTOR = SearchVector("reference", "title", weight="A", config="simple") + SearchVector(
    "text", weight="B", config="simple"
)


@dataclass
class Hit:
    reference: str
    title: list  # (text, matched) parts
    snippet: list
    url: str


@dataclass
class Group:
    register: object
    total: int
    hits: list
    list_url: str


def clean(query):
    # PostgreSQL text cannot hold NUL characters; they can only come from a crafted URL.
    return query.replace("\x00", "").strip()[:MAX_QUERY]


def visible_entries(user):
    """The index entries of the objects the user may see, register by register."""
    content_types = ContentType.objects.get_for_models(*(r.model for r in registry))
    whole, scoped = [], []
    for register in registry:
        content_type = content_types[register.model]
        # Readers of the whole register need no list of objects (as in restrict_history).
        if user.has_perm(perm_name(register.model, "view")):
            whole.append(content_type.pk)
            continue
        objects = register.model._default_manager.restrict(user)
        if not objects.query.is_empty():
            scoped.append(Q(content_type=content_type, object_id__in=objects.values("pk")))
    conditions = ([Q(content_type__in=whole)] if whole else []) + scoped
    if not conditions:
        return SearchEntry.objects.none()
    return SearchEntry.objects.filter(reduce(or_, conditions))


def tsquery_word(word):
    """One typed word as a prefix operand of a raw tsquery: quoted, so that its punctuation is
    read by the text parser as in the indexed text (R-0042, A.6.2, Wolff-Lüdenscheid)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*"


def matching(entries, words):
    """The entries holding every word, with their rank (better first)."""
    if connection.vendor == "postgresql":
        query = SearchQuery(
            " & ".join(tsquery_word(w) for w in words), search_type="raw", config="simple"
        )
        return (
            entries.alias(vector=VECTOR)
            .filter(vector=query)
            .annotate(rank=SearchRank(VECTOR, query))
        )
    found = reduce(
        and_,
        (Q(reference__icontains=w) | Q(title__icontains=w) | Q(text__icontains=w) for w in words),
    )
    return entries.filter(found).annotate(rank=Value(0.0))


def marked(text, pattern):
    """`text` as (part, matched) pairs for the template, which escapes each part."""
    parts, start = [], 0
    for match in pattern.finditer(text):
        parts += [(text[start : match.start()], False), (match.group(), True)]
        start = match.end()
    parts.append((text[start:], False))
    return [part for part in parts if part[0]]


def snippet(text, pattern):
    """The text around the first match (its beginning when the match was in the title)."""
    match = pattern.search(text)
    start = max(0, match.start() - SNIPPET // 3) if match else 0
    excerpt = text[start : start + SNIPPET]
    if start:
        excerpt = "…" + excerpt.split(" ", 1)[-1]
    if start + SNIPPET < len(text):
        excerpt = excerpt.rsplit(" ", 1)[0] + "…"
    return marked(excerpt, pattern)


def detail_url(register, object_id):
    return reverse(register.url_name("detail"), args=[object_id])


def reference_target(user, query):
    """The detail page of the one entry the user may see with this reference, or None."""
    if not REFERENCE.match(query):
        return None
    found = list(
        visible_entries(user)
        .filter(reference__iexact=query)
        .values_list("content_type_id", "object_id")[:2]
    )
    if len(found) != 1:
        return None
    content_type_id, object_id = found[0]
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    return detail_url(registry[model], object_id)


def search(user, query):
    """The best PER_REGISTER matches of each register, with the number of all, in the
    registers' order."""
    words = query.split()[:MAX_WORDS]
    if not words:
        return []
    ranked = matching(visible_entries(user), words).annotate(
        position=Window(
            RowNumber(),
            partition_by=[F("content_type")],
            order_by=[F("rank").desc(), F("reference").asc(), F("title").asc(), F("pk").asc()],
        ),
        total=Window(Count("pk"), partition_by=[F("content_type")]),
    )
    rows = ranked.filter(position__lte=PER_REGISTER).order_by("content_type", "position")
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    by_type = {}
    for entry in rows.values("content_type_id", "object_id", "reference", "title", "text", "total"):
        by_type.setdefault(entry["content_type_id"], []).append(entry)
    content_types = ContentType.objects.get_for_models(*(r.model for r in registry))
    groups = []
    for register in registry:
        entries = by_type.get(content_types[register.model].pk)
        if not entries:
            continue
        hits = [
            Hit(
                reference=e["reference"],
                title=marked(e["title"], pattern),
                snippet=snippet(e["text"], pattern),
                url=detail_url(register, e["object_id"]),
            )
            for e in entries
        ]
        list_url = f"{reverse(register.url_name('list'))}?{urlencode({'q': query})}"
        groups.append(Group(register, entries[0]["total"], hits, list_url))
    return groups


@login_required
def global_search(request):
    query = clean(request.GET.get("q", ""))
    if target := reference_target(request.user, query):
        return redirect(target)
    groups = search(request.user, query)
    return render(
        request,
        "core/search.html",
        {"query": query, "groups": groups, "total": sum(g.total for g in groups)},
    )
