"""CSRF checks that sign and verify once per token keep Flask-WTF's rules."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_wtf.csrf import generate_csrf as wtf_generate_csrf

from tests import web


def _skip(client: FlaskClient, token: str | None, **headers: str) -> int:
    attempt_id = web.start(client)
    data = (
        {"action": "skip"} if token is None else {"action": "skip", "csrf_token": token}
    )
    resp = client.post(
        f"/quizzes/sample/attempts/{attempt_id}/q/1", data=data, headers=headers
    )
    return resp.status_code


def test_a_token_signed_by_flask_wtf_is_accepted(
    app: Flask, client: FlaskClient
) -> None:
    web.csrf(client)  # gives the session its CSRF secret
    with client.session_transaction() as sess:
        raw = sess["csrf_token"]
    with app.test_request_context("/"):
        from flask import session

        session["csrf_token"] = raw
        token = wtf_generate_csrf()
    assert _skip(client, token) == 302


def test_a_token_in_the_header_of_a_form_post_is_accepted(
    client: FlaskClient,
) -> None:
    token = web.csrf(client)
    assert _skip(client, None, **{"X-CSRFToken": token}) == 302
    assert _skip(client, None) == 400


def test_an_expired_token_is_refused_even_after_it_worked(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(WTF_CSRF_TIME_LIMIT=600)
    client = app.test_client()
    attempt_id = web.start(client)
    url = f"/quizzes/sample/attempts/{attempt_id}/q/1"
    token = web.csrf(client, url)
    form = {"action": "skip", "csrf_token": token}
    assert client.post(url, data=form).status_code == 302  # verified, remembered
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 601)
    assert client.post(url, data=form).status_code == 400


def test_a_json_call_needs_the_header(app: Flask, client: FlaskClient) -> None:
    token = web.csrf(client)
    url = "/api/v1/quizzes/sample/attempts"
    assert client.post(url, json={}).status_code == 400
    assert client.post(url, json={}, headers={"X-CSRFToken": token}).status_code == 201
    assert (
        client.post(url, json={}, headers={"X-CSRFToken": token[:-2]}).status_code
        == 400
    )


def test_views_and_blueprints_exempted_as_flask_wtf_documents(
    make_app: Any,
) -> None:
    """csrf.exempt() still lets an exempted view or blueprint take a POST bare."""
    from flask import Blueprint

    from webapp.extensions import csrf

    app = make_app()
    hooks = Blueprint("hooks", __name__, url_prefix="/_hooks")

    @hooks.post("/ping")
    def ping() -> str:
        return "pong"

    @app.post("/_open")
    def open_view() -> str:
        return "open"

    @app.post("/_closed")
    def closed_view() -> str:
        return "closed"

    csrf.exempt(hooks)
    csrf.exempt(open_view)
    app.register_blueprint(hooks)
    client = app.test_client()
    assert client.post("/_hooks/ping").status_code == 200
    assert client.post("/_open").status_code == 200
    assert client.post("/_closed").status_code == 400
