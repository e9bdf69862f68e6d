"""A JSON API client for tests that checks every response against the OpenAPI document.

Each call asserts that the status is declared for the operation and that the body
matches the declared schema, so the document and the API cannot drift apart.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from werkzeug.test import TestResponse

_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
PREFIX = "/api/v1"


def _operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    for template, item in spec["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method in item:
            op: dict[str, Any] = item[method]
            return op
    return None


def check_response(
    spec: dict[str, Any], method: str, path: str, resp: TestResponse
) -> None:
    """Assert that `resp` is declared for the operation and matches its schema."""
    assert resp.status_code < 500, (method, path, resp.status_code, resp.data[:500])
    assert resp.mimetype == "application/json", (method, path, resp.mimetype)
    op = _operation(spec, method.lower(), path.split("?")[0])
    if op is None:
        # Paths and methods the API does not have: 404 or 405 with a JSON error.
        assert resp.status_code in (404, 405), (method, path, resp.status_code)
        schema: dict[str, Any] = {"$ref": "#/components/schemas/Error"}
    else:
        declared = op["responses"].get(str(resp.status_code))
        assert declared is not None, (method, path, resp.status_code, resp.json)
        if "$ref" in declared:
            declared = spec["components"]["responses"][declared["$ref"].split("/")[-1]]
        schema = declared["content"]["application/json"]["schema"]
    validator = OAS30Validator(
        {**schema, "components": spec["components"]},
        format_checker=oas30_format_checker,
    )
    errors = sorted(validator.iter_errors(resp.json), key=str)
    assert not errors, (method, path, resp.status_code, [e.message for e in errors])


class Api:
    """Test client wrapper: the learner's cookie jar, its CSRF token, checked calls."""

    def __init__(self, app: Flask, client: FlaskClient | None = None) -> None:
        self.app = app
        self.client = client or app.test_client()
        spec_resp = self.client.get(f"{PREFIX}/openapi.json")
        assert spec_resp.status_code == 200
        self.spec: dict[str, Any] = spec_resp.json  # type: ignore[assignment]
        self._token: str | None = None

    @property
    def token(self) -> str:
        """Return the CSRF token of this client's session, from a quiz page's meta."""
        if self._token is None:
            page = self.client.get("/quizzes/sample").get_data(as_text=True)
            m = _META.search(page)
            assert m, "no <meta name=csrf-token> on the page"
            self._token = m.group(1)
        return self._token

    def get(self, path: str) -> TestResponse:
        """GET an API path and check the response against the document."""
        resp = self.client.get(PREFIX + path)
        check_response(self.spec, "GET", PREFIX + path, resp)
        return resp

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: bytes | str | None = None,
        csrf: bool | str = True,
        content_type: str = "application/json",
    ) -> TestResponse:
        """POST JSON (or `raw` bytes) with the CSRF header; check the response."""
        headers = {}
        if csrf is True:
            headers["X-CSRFToken"] = self.token
        elif isinstance(csrf, str):
            headers["X-CSRFToken"] = csrf
        if raw is None and body is not None:
            import json

            raw = json.dumps(body)
        resp = self.client.post(
            PREFIX + path, data=raw, headers=headers, content_type=content_type
        )
        check_response(self.spec, "POST", PREFIX + path, resp)
        return resp

    def start(self, quiz_id: str = "sample") -> dict[str, Any]:
        """Start an attempt and return its body."""
        resp = self.post(f"/quizzes/{quiz_id}/attempts", {})
        assert resp.status_code == 201, resp.json
        body: dict[str, Any] = resp.json  # type: ignore[assignment]
        return body

    def answer(self, attempt_id: int, question_id: str, answer: Any) -> TestResponse:
        """Post one answer ({"value": [...]} or {"0": [...], ...})."""
        return self.post(
            f"/attempts/{attempt_id}/answers/{question_id}", {"answer": answer}
        )


def api_answer(form: dict[str, Any]) -> dict[str, list[str]]:
    """Turn form fields (answer, answer-0, ...) into the API's answer mapping."""
    out: dict[str, list[str]] = {}
    for name, value in form.items():
        key = "value" if name == "answer" else name.removeprefix("answer-")
        out[key] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return out
