"""Owners an imported register names who have no account in the portal.

Real registers name owners by name, e-mail or both ("Ann Lee <ann.lee@example.org>"). A name
that fits one active user is that user; one that fits nobody is kept as a named person in the
entry's name and e-mail fields (`ImportSpec.named_persons`) instead of failing the row, and
`link_named_owners` later links such entries to the user who turns out to be that person.
"""

import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

_EMAIL = re.compile(r"[^\s<>(),;]+@[^\s<>(),;]+\.[^\s<>(),;]+")


@dataclass(frozen=True)
class NamedPerson:
    """A person a cell names who is no portal user."""

    name: str
    email: str


def named_person(text: str) -> NamedPerson:
    """Name and e-mail of "Ann Lee <ann@x.org>", "Ann Lee (ann@x.org)", "ann@x.org", "Ann Lee"."""
    text = " ".join(str(text).split())
    match = _EMAIL.search(text)
    email = ""
    if match:
        try:
            validate_email(match.group())
            email = match.group()
        except Exception:  # not an address after all: keep the text as the name
            match = None
    name = text
    if match:
        name = (text[: match.start()] + text[match.end() :]).strip(" <>()[],;:-")
    return NamedPerson(name=name, email=email)


def owner_or_person(text, users, user_named):
    """The active user a cell names (by user name, e-mail or full name), or the named person
    when it names nobody; ValueError when it fits several users."""
    person = named_person(text)
    keys = [key for key in (text, person.email, person.name) if key]
    for key in keys:
        if users.get(key.casefold()):
            return user_named(key, users)
    if any(key.casefold() in deactivated(users) for key in keys):
        raise ValueError(_("“%(value)s” is a deactivated user.") % {"value": text})
    return person


def deactivated(users):
    """User names and e-mails of deactivated users, looked up once per preview (kept in the
    `users` mapping under a key no user name can be)."""
    key = ("deactivated",)
    if key not in users:
        inactive = get_user_model().objects.filter(is_active=False)
        users[key] = {
            value.casefold()
            for pair in inactive.values_list("username", "email")
            for value in pair
            if value
        }
    return users[key]


def person_models():
    """The models that keep named owners: with `owner_field` and its `_name`/`_email` fields."""
    found = []
    for model in apps.get_models():
        field = getattr(model, "owner_field", None)
        names = {f.name for f in model._meta.get_fields()}
        if field and {f"{field}_name", f"{field}_email"} <= names:
            found.append((model, field))
    return found


def link_named_owners(user=None):
    """Make each active user the owner of the entries that name them (by e-mail, else by full
    name when it is unique), clearing the named person. Returns the number of entries linked.
    `user` limits it to that user."""
    users = get_user_model().objects.filter(is_active=True)
    if user is not None:
        users = users.filter(pk=user.pk)
    by_email, by_name = {}, {}
    for active in users:
        if active.email:
            by_email.setdefault(active.email.casefold(), []).append(active)
        if active.get_full_name():
            by_name.setdefault(active.get_full_name().casefold(), []).append(active)
    linked = 0
    with transaction.atomic():
        for model, field in person_models():
            unlinked = model._default_manager.filter(**{f"{field}__isnull": True}).exclude(
                **{f"{field}_name": "", f"{field}_email": ""}
            )
            for entry in unlinked:
                email = getattr(entry, f"{field}_email").casefold()
                name = getattr(entry, f"{field}_name").casefold()
                candidates = by_email.get(email) if email else None
                candidates = candidates or (by_name.get(name) if name else None) or []
                if len(candidates) != 1:
                    continue
                setattr(entry, field, candidates[0])
                setattr(entry, f"{field}_name", "")
                setattr(entry, f"{field}_email", "")
                entry.save()
                linked += 1
    return linked
