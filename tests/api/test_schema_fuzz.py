"""Schemathesis against the live schema: requests generated from /api/schema/ and sent to the
portal's WSGI application as each persona (with a personal API token of theirs). Every answer
must be no server error, carry a documented status code and match the documented response
schema. The run is bounded (deterministic examples, a few per operation for the compliance
officer, who may write everywhere, one for each other persona) and prints its figures:
operations, cases, failures.
"""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.openapi import from_dict
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from aims.core.models import ApiToken
from tests.conftest import PERSONAS
from tests.factories import REGISTER_FACTORIES

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Examples per operation: the compliance officer's reach the answers of writes (400, 409, 201);
# the other personas' mostly meet refusals, which one example per operation shows.
EXAMPLES = {"compliance_officer": 3}


@pytest.fixture
def wsgi_app(settings):
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    return get_wsgi_application()


@contextmanager
def in_test_transaction():
    """Requests to the WSGI application inside the test's database transaction: as Django's
    test client does, the request signals must not close the test's connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def live_schema(user, app):
    """The schema as /api/schema/ serves it to the user (with a personal API token), bound to
    the WSGI application; the token's header for the calls."""
    expires_at = timezone.now() + timedelta(days=1)
    _token, text = ApiToken.issue(user=user, name="schemathesis", expires_at=expires_at)
    headers = {"Authorization": f"Bearer {text}"}
    response = Client(headers=headers).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = from_dict(response.json())
    schema.app = app
    schema.location = "/api/schema/"
    return schema, headers


def fuzz(schema, headers, examples):
    """Run every operation of `schema`; return (operations, cases, failures)."""
    cases, failures, operations = [0], [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=examples,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            cases[0] += 1
            response = case.call(headers=headers)
            try:
                case.validate_response(response, checks=CHECKS)
            except (Failure, FailureGroup) as failure:
                failures.append(f"{case.method} {case.formatted_path}: {failure}"[:600])

        run()
    return operations, cases[0], failures


def test_every_persona_gets_no_server_error_and_schema_conformant_answers(db, wsgi_app, make_user):
    for factory in set(REGISTER_FACTORIES.values()):
        factory()  # something to list, filter and find in every register
    totals = {"operations": 0, "cases": 0, "failures": []}
    for persona in PERSONAS:
        schema, headers = live_schema(make_user(persona), wsgi_app)
        with in_test_transaction():
            operations, cases, failures = fuzz(schema, headers, EXAMPLES.get(persona, 1))
        print(
            f"schemathesis {persona}: {operations} operations, {cases} cases, "
            f"{len(failures)} failures"
        )
        totals["operations"] = max(totals["operations"], operations)
        totals["cases"] += cases
        totals["failures"] += [f"{persona}: {failure}" for failure in failures]
    print(
        f"schemathesis total: {totals['operations']} operations, {len(PERSONAS)} personas, "
        f"{totals['cases']} cases, {len(totals['failures'])} failures"
    )
    assert not totals["failures"], "\n\n".join(totals["failures"][:20])
