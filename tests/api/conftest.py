"""Shared API fixtures: DRF clients logged in as a persona (the browser's session; CSRF is
not enforced by the test client, as for Django's own)."""

import pytest
from rest_framework.test import APIClient


def api_client_for(user):
    client = APIClient()
    if user is not None:
        # Named: the first backend with a `get_user` need not be one that finds users.
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def api_client():
    """A client without credentials."""
    return APIClient()


@pytest.fixture
def api_as(make_user):
    """`api_as("auditor")` (a persona of tests/conftest.py PERSONAS, created) or
    `api_as(user)`: an APIClient logged in as that user."""

    def client_for(who):
        user = make_user(who) if isinstance(who, str) else who
        return api_client_for(user)

    return client_for
