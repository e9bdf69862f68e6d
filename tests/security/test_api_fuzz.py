"""schemathesis against /api/v1/openapi.json, in-process (WSGI), bounded examples.

CSRF: every example runs in a browser-like client that first GETs a quiz page,
which sets the session cookie and yields its token; POSTs then carry that token
as X-CSRFToken, so the fuzzer reaches the handlers instead of stopping at the
CSRF check (a missing or wrong token is tested in test_api_integrity.py).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests import web

MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))  # per operation


@pytest.fixture
def learner(app: Flask) -> tuple[FlaskClient, str]:
    """Return a learner's client with a started attempt, and its CSRF token."""
    client = app.test_client()
    web.start(client)  # a real attempt, so generated ids can hit something
    return client, web.csrf(client)


# Each operation is driven through hypothesis directly rather than through
# schemathesis's pytest plugin, which reaches into pytest internals that
# pytest 9.2 removed.
def test_api_never_5xx_and_matches_its_schema(
    app: Flask, learner: tuple[FlaskClient, str]
) -> None:
    """No 5xx; every response's status, content type and body match the document."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    client, token = learner
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the OpenAPI document lists no operations"
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            # The same examples on every run, so a failure reproduces;
            # API_FUZZ_RANDOM=1 explores new ones.
            derandomize=not os.environ.get("API_FUZZ_RANDOM"),
            database=None,
        )
        def check(case: Any) -> None:
            if case.method.upper() == "POST":
                case.headers = {**(case.headers or {}), "X-CSRFToken": token}
            case.call_and_validate(
                session=client,
                checks=[
                    not_a_server_error,
                    response_schema_conformance,
                    status_code_conformance,
                    content_type_conformance,
                ],
            )

        check()
