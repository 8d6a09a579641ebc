"""The dashboard reads its numbers in a few queries (`counts` in aims/core/dashboard.py: many
counts in one SELECT); they stay those of counting each queryset on its own, for every role."""

import sys

import pytest
from django.core.management import call_command
from django.urls import reverse

from aims.communication.models import pending_policy_for
from aims.core import dashboard
from aims.core.models import User
from aims.core.permissions import can
from aims.core.registry import registry

USERS = ("compliance", "aiofficer", "owner", "auditor", "internalauditor")


def one_by_one(querysets):
    return {key: queryset.count() for key, queryset in querysets.items()}


def shown(client, username):
    client.force_login(User.objects.get(username=username))
    context = client.get(reverse("core:dashboard")).context
    cards = [(card.register.model, card.count) for _area, row in context["areas"] for card in row]
    return cards, [(str(text), url) for text, url in context["attention"]], context["panels"]


@pytest.fixture
def organisation(db):
    call_command("seed_demo")


def test_numbers_are_those_counted_one_by_one(organisation, client, monkeypatch):
    batched = {username: shown(client, username) for username in USERS}
    for provider in registry.attention_providers + registry.panels:
        module = sys.modules[provider.__module__]
        if getattr(module, "counts", None) is dashboard.counts:
            monkeypatch.setattr(module, "counts", one_by_one)
    monkeypatch.setattr(dashboard, "counts", one_by_one)
    assert {username: shown(client, username) for username in USERS} == batched


def test_dashboard_cards_count_what_the_user_may_see(organisation, client):
    for username in USERS:
        user = User.objects.get(username=username)
        cards, attention, _panels = shown(client, username)
        assert dict(cards) == {
            register.model: register.model._default_manager.restrict(user).count()
            for register in registry
            if can(user, "view", register.model)
        }, username
        asked = any(text.startswith("Please read and acknowledge") for text, _url in attention)
        assert asked == (pending_policy_for(user) is not None), username


def test_the_demo_gives_the_dashboard_numbers_to_show(organisation, client):
    _cards, attention, panels = shown(client, "compliance")
    assert len(attention) >= 5
    assert len(panels) >= 3
