"""The learner's cookie: sent again when it changes or is a day old, not always."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import web
from tests.web import start
from webapp.sessions import REFRESH_AFTER_SECONDS


def _set_cookie(resp: Any, name: str = "interwar_session") -> str | None:
    """Return the Set-Cookie header for the session cookie, if the response has one."""
    for header in resp.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return str(header)
    return None


def test_an_unchanged_session_is_not_signed_again(client: FlaskClient) -> None:
    start(client)  # creates the learner: the cookie is set
    again = client.get("/")
    assert again.status_code == 200
    assert _set_cookie(again) is None


def test_a_changed_session_is_sent_at_once(client: FlaskClient) -> None:
    start(client)
    resp = client.get("/?lang=de")
    cookie = _set_cookie(resp)
    assert cookie is not None
    # The new cookie keeps the learner and adds the language: the next page is German.
    assert 'lang="de"' in client.get("/").get_data(as_text=True)


def test_a_day_old_cookie_is_refreshed_and_keeps_the_learner(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt_id = start(client)
    jar = client.get_cookie("interwar_session")
    assert jar is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    data = serializer.loads(jar.value)
    real = time.time
    # The same session, as if its cookie had been signed a day and a minute ago.
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: real() - REFRESH_AFTER_SECONDS - 60)
        old = serializer.dumps(data)
    client.set_cookie("interwar_session", old)
    resp = client.get("/")
    cookie = _set_cookie(resp)
    assert cookie is not None
    assert "Expires=" in cookie
    refreshed = client.get_cookie("interwar_session")
    assert refreshed is not None
    assert refreshed.value != old
    # Still the same learner: the attempt opens, and no further cookie is needed.
    page = client.get(f"/quizzes/sample/attempts/{attempt_id}/q/1")
    assert page.status_code == 200
    assert _set_cookie(page) is None


def test_a_tampered_cookie_starts_a_new_session(client: FlaskClient) -> None:
    attempt_id = start(client)
    jar = client.get_cookie("interwar_session")
    assert jar is not None
    client.set_cookie("interwar_session", web.tampered(jar.value))
    assert client.get(f"/quizzes/sample/attempts/{attempt_id}/q/1").status_code == 404


def test_pages_that_read_the_session_say_they_vary_by_cookie(
    client: FlaskClient,
) -> None:
    """A shared cache must not hand one learner's question page to another."""
    attempt_id = start(client)
    page = client.get(f"/quizzes/sample/attempts/{attempt_id}/q/1")
    assert _set_cookie(page) is None  # nothing to send...
    assert "Cookie" in page.headers.get("Vary", "")  # ...but it was read


def test_a_session_emptied_by_a_view_deletes_the_cookie(
    app: Flask, client: FlaskClient
) -> None:
    from flask import session

    @app.get("/_forget")
    def forget() -> str:
        session.clear()
        return "gone"

    start(client)
    resp = client.get("/_forget")
    cookie = _set_cookie(resp)
    assert cookie is not None
    assert "Expires=Thu, 01 Jan 1970" in cookie
    assert client.get_cookie("interwar_session") is None


def test_the_session_cookie_is_found_among_others(client: FlaskClient) -> None:
    attempt_id = start(client)
    jar = client.get_cookie("interwar_session")
    assert jar is not None
    url = f"/quizzes/sample/attempts/{attempt_id}/q/1"
    # Other sites' cookies on the same host, before and after ours.
    client.set_cookie("theme", "dark")
    client.set_cookie("a_quoted", '"x; y"')
    assert client.get(url).status_code == 200
