"""Reading pages kept in front of Flask: the same response, the same rules, logged."""

from __future__ import annotations

import io
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import Client, TestResponse

from tests import web
from tests.conftest import REPO
from webapp import library, pagecache
from webapp.sessions import REFRESH_AFTER_SECONDS

PAGE = "/lessons/rapallo"
GERMAN_TITLE = "Zwei Außenseiter: der Vertrag von Rapallo 1922"


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of the repository's content and its translations."""
    root = tmp_path / "repo"
    for part in ("lessons", "quizzes", "translations"):
        shutil.copytree(REPO / part, root / part)
    return root


@pytest.fixture
def repo_app(make_app: Any, repo_copy: Path) -> Flask:
    app: Flask = make_app(CONTENT_ROOT=str(repo_copy))
    return app


def _flask_only(app: Flask) -> Client:
    """A client of the Flask app behind the fast lane."""
    lane = app.wsgi_app
    assert isinstance(lane, pagecache.FastLane)
    return Client(lane.wsgi_app, TestResponse)


def _same(a: TestResponse, b: TestResponse) -> None:
    def headers(r: TestResponse) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in r.headers.items() if k != "X-Request-ID")

    assert a.status == b.status
    assert a.get_data() == b.get_data()
    assert headers(a) == headers(b)
    assert a.headers["X-Request-ID"] != b.headers["X-Request-ID"]


def _kept(app: Flask) -> int:
    return len(app.extensions.get(pagecache.KEY, {}))


@pytest.mark.parametrize(
    ("session_lang", "accept", "lang"),
    [
        (None, "", "en"),
        (None, "de-DE,de;q=0.9,en;q=0.5", "de"),
        ("ru", "de", "ru"),
        ("en", "ru", "en"),
    ],
)
def test_a_kept_page_is_the_response_flask_gives(
    repo_app: Flask, session_lang: str | None, accept: str, lang: str
) -> None:
    client = repo_app.test_client()
    if session_lang is not None:
        client.get(f"/?lang={session_lang}")  # the choice goes into the cookie
    headers = {"Accept-Language": accept} if accept else {}
    first = client.get(PAGE, headers=headers)  # Flask renders it; it is kept
    assert _kept(repo_app) == 1
    second = client.get(PAGE, headers=headers)  # from the fast lane
    flask = _flask_only(repo_app)
    cookie = client.get_cookie("interwar_session")
    if cookie is not None:
        flask.set_cookie("interwar_session", cookie.value)
    direct = flask.get(PAGE, headers=headers)
    assert f'<html lang="{lang}"' in second.get_data(as_text=True)
    _same(first, second)
    _same(direct, second)
    assert second.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert second.headers["Cache-Control"] == "no-store"


def test_each_language_is_kept_apart(repo_app: Flask) -> None:
    client = repo_app.test_client()
    for _ in range(2):
        english = client.get(PAGE).get_data(as_text=True)
        german = client.get(PAGE, headers={"Accept-Language": "de"}).get_data(
            as_text=True
        )
    assert _kept(repo_app) == 2
    assert GERMAN_TITLE in german
    assert GERMAN_TITLE not in english


def test_a_day_old_cookie_is_still_refreshed(
    repo_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = repo_app.test_client()
    web.start(client, "rapallo")  # a learner: the session is permanent
    client.get("/?lang=de")
    client.get(PAGE)  # kept
    jar = client.get_cookie("interwar_session")
    assert jar is not None
    serializer = repo_app.session_interface.get_signing_serializer(repo_app)  # type: ignore[attr-defined]
    real = time.time
    with monkeypatch.context() as m:
        m.setattr(time, "time", lambda: real() - REFRESH_AFTER_SECONDS - 60)
        old = serializer.dumps(serializer.loads(jar.value))
    client.set_cookie("interwar_session", old)
    resp = client.get(PAGE)
    assert "Set-Cookie" in resp.headers  # Flask answered and re-signed it
    assert GERMAN_TITLE in resp.get_data(as_text=True)


def test_a_forged_cookie_is_not_believed(repo_app: Flask) -> None:
    client = repo_app.test_client()
    client.get("/?lang=de")
    client.get(PAGE)
    jar = client.get_cookie("interwar_session")
    assert jar is not None
    client.set_cookie("interwar_session", web.tampered(jar.value))
    resp = client.get(PAGE)
    assert resp.status_code == 200
    assert GERMAN_TITLE not in resp.get_data(as_text=True)  # the session is gone


def test_a_translators_edit_shows_on_the_next_request(
    repo_app: Flask, repo_copy: Path
) -> None:
    client = repo_app.test_client()
    german = {"Accept-Language": "de"}
    for _ in range(2):
        assert GERMAN_TITLE in client.get(PAGE, headers=german).get_data(as_text=True)
    po = repo_copy / "translations" / "de" / "LC_MESSAGES" / "content.po"
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace(GERMAN_TITLE, "Zwei Außenseiter in Rapallo"), "utf-8")
    stat = po.stat()
    os.utime(po, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    page = client.get(PAGE, headers=german).get_data(as_text=True)
    assert "Zwei Außenseiter in Rapallo" in page
    assert GERMAN_TITLE not in page


def test_a_reloaded_catalog_drops_kept_pages(repo_app: Flask, repo_copy: Path) -> None:
    client = repo_app.test_client()
    client.get(PAGE)
    assert _kept(repo_app) == 1
    lesson = repo_copy / "lessons" / "rapallo.yaml"
    text = lesson.read_text(encoding="utf-8")
    lesson.write_text(text.replace("Two outsiders", "Two outcasts", 1), "utf-8")
    library.load(repo_app)
    assert _kept(repo_app) == 0
    assert "Two outcasts" in client.get(PAGE).get_data(as_text=True)


def test_other_requests_are_not_kept(repo_app: Flask) -> None:
    client = repo_app.test_client()
    client.get(PAGE + "?lang=de")  # sets the cookie: not kept
    client.get(PAGE + "?x=1")
    client.head(PAGE)
    client.get("/lessons/no-such-unit")
    client.get("/")
    client.get("/quizzes/rapallo")
    assert _kept(repo_app) == 0


def test_dev_mode_never_keeps_pages(make_app: Any, repo_copy: Path) -> None:
    app = make_app(CONTENT_ROOT=str(repo_copy), DEV=True)
    client = app.test_client()
    client.get(PAGE)
    client.get(PAGE)
    assert _kept(app) == 0


def test_a_kept_page_is_logged_like_any_request(repo_app: Flask) -> None:
    client = repo_app.test_client()
    client.get(PAGE)
    errors = io.StringIO()
    resp = client.get(
        PAGE,
        environ_overrides={"wsgi.errors": errors},
        headers={"X-Request-ID": "proxy-id-1234"},
    )
    assert resp.headers["X-Request-ID"] == "proxy-id-1234"
    lines = [json.loads(line) for line in errors.getvalue().splitlines()]
    assert len(lines) == 1
    assert lines[0]["route"] == "/lessons/<lesson_id>"
    assert lines[0]["status"] == 200
    assert lines[0]["request_id"] == "proxy-id-1234"
    assert lines[0]["method"] == "GET"


def test_pages_of_another_mount_point_are_kept_apart(repo_app: Flask) -> None:
    client = repo_app.test_client()
    for _ in range(2):
        mounted = client.get(PAGE, base_url="http://localhost/school").get_data(
            as_text=True
        )
        plain = client.get(PAGE).get_data(as_text=True)
    assert 'href="/school/static/app.css"' in mounted
    assert 'href="/static/app.css"' in plain
    assert "/school/" not in plain
    assert _kept(repo_app) == 2
