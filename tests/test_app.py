"""The app factory: config layers, instance folder, security headers, health, limits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import web
from webapp import create_app
from webapp.security import CSP


def test_config_layers_env_then_test_config(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    content_root: Path,
) -> None:
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("DEADLINE_GRACE_SECONDS = 5\nDEV = True\n")
    monkeypatch.setenv("INTERWAR_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("INTERWAR_DATABASE_URL", database_url)
    monkeypatch.setenv("INTERWAR_CONTENT", str(content_root))
    monkeypatch.setenv("INTERWAR_SECRET_KEY", "from-env")
    monkeypatch.setenv("INTERWAR_DEV", "false")
    app = create_app({"DEADLINE_GRACE_SECONDS": 9})
    try:
        assert app.instance_path == str(instance)
        assert app.config["DATABASE_URL"] == database_url
        assert app.config["CONTENT_ROOT"] == str(content_root)
        assert app.config["SECRET_KEY"] == "from-env"
        assert app.config["DEV"] is False  # the environment beats instance/config.py
        assert app.config["DEADLINE_GRACE_SECONDS"] == 9  # test_config beats all
    finally:
        app.extensions["interwar.engine"].dispose()


def test_secret_key_is_generated_once_into_the_instance_folder(
    make_app: Any, tmp_path: Path
) -> None:
    instance = tmp_path / "fresh"
    first = make_app(SECRET_KEY=None, INSTANCE_PATH=str(instance))
    second = make_app(SECRET_KEY=None, INSTANCE_PATH=str(instance))
    key = (instance / "secret_key").read_text().strip()
    assert len(key) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key
    assert (instance / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_the_instance_folder(
    make_app: Any, tmp_path: Path
) -> None:
    instance = tmp_path / "inst2"
    app = make_app(DATABASE_URL=None, INSTANCE_PATH=str(instance))
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'interwar.sqlite'}"
    assert (instance / "interwar.sqlite").exists()  # AUTO_MIGRATE created it


@pytest.mark.parametrize("path", ["/", "/lessons/sample", "/quizzes/sample", "/nope"])
def test_security_headers(client: FlaskClient, path: str) -> None:
    resp = client.get(path)
    assert resp.headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP
    assert "base-uri 'none'" in CSP
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert resp.headers["X-Frame-Options"] == "DENY"


def test_static_files_get_headers_and_may_be_cached(client: FlaskClient) -> None:
    resp = client.get("/static/app.css")
    assert resp.status_code == 200
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers.get("Cache-Control") != "no-store"
    resp.close()


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    attempt_id = web.start(client)
    for path in [
        "/",
        "/lessons/sample",
        "/timeline",
        f"/quizzes/sample/attempts/{attempt_id}/q/1",
    ]:
        page = web.html(client.get(path))
        assert "<style" not in page
        assert " style=" not in page
        assert "<script>" not in page
        assert " on" + "click=" not in page


def test_session_cookie_is_httponly_lax_and_long_lived(client: FlaskClient) -> None:
    """C.8 case 26: the session cookie is HttpOnly and SameSite=Lax."""
    web.start(client)
    cookie = client.get_cookie("interwar_session")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.expires is not None


def test_healthz(client: FlaskClient) -> None:
    resp = client.get("/healthz")
    assert resp.status_code == 200
    assert resp.json == {
        "status": "ok",
        "database": "ok",
        "content": {"lessons": 1, "quizzes": 1, "errors": 0},
    }


def test_healthz_reports_an_unreachable_database(app: Flask, tmp_path: Path) -> None:
    from webapp.db import make_engine

    good = app.extensions["interwar.engine"]
    app.extensions["interwar.engine"] = make_engine(
        f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.sqlite'}"
    )
    try:
        resp = app.test_client().get("/healthz")
    finally:
        app.extensions["interwar.engine"].dispose()
        app.extensions["interwar.engine"] = good
    assert resp.status_code == 503
    assert resp.json is not None
    assert resp.json["database"] == "unreachable"


def test_not_found_and_method_not_allowed_pages(client: FlaskClient) -> None:
    resp = client.get("/lessons/nope")
    assert resp.status_code == 404
    assert "Page not found" in web.html(resp)
    resp = client.put("/")
    assert resp.status_code == 405


def test_language_is_remembered_and_sets_html_lang(client: FlaskClient) -> None:
    assert '<html lang="en"' in web.html(client.get("/"))
    assert '<html lang="de"' in web.html(client.get("/?lang=de"))
    assert '<html lang="de"' in web.html(client.get("/lessons/sample"))
    # The remembered choice beats the browser's Accept-Language.
    page = web.html(client.get("/", headers={"Accept-Language": "ru"}))
    assert '<html lang="de"' in page
    fresh = client.application.test_client()
    page = web.html(fresh.get("/", headers={"Accept-Language": "ru-RU,ru;q=0.9"}))
    assert '<html lang="ru"' in page
    assert '<span aria-current="true" lang="ru">Русский</span>' in page
    assert 'href="/?lang=en"' in page


def test_unknown_language_is_ignored(client: FlaskClient) -> None:
    assert '<html lang="en"' in web.html(client.get("/?lang=xx"))


def test_instance_folder_defaults_to_instance_in_the_working_directory(
    make_app: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("INTERWAR_INSTANCE_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    app = make_app(INSTANCE_PATH=None)
    assert app.instance_path == str(tmp_path / "instance")
    assert (tmp_path / "instance").is_dir()


def test_a_form_loaded_hours_ago_still_submits(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C.8 case 24: a token hours old (a 75-minute test) still submits."""
    # A 75-minute test must not lose its last page to CSRF token expiry.
    import itsdangerous.timed

    assert app.config["WTF_CSRF_TIME_LIMIT"] is None
    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(
        itsdangerous.timed.TimestampSigner,
        "get_timestamp",
        lambda self: real(self) - 5 * 3600,
    )
    page = web.html(client.get("/quizzes/sample"))
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", real)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    key = page.split('name="key" value="')[1].split('"')[0]
    resp = client.post(
        "/quizzes/sample/attempts", data={"csrf_token": token, "key": key}
    )
    assert resp.status_code == 302


def test_hooks_made_per_request_run_on_every_request(make_app: Any) -> None:
    """A function made afresh for each request (after_this_request) always runs,
    also once the app has stopped remembering new functions."""
    from flask import after_this_request

    app = make_app()
    app.MAX_SYNC_KEPT = 3
    seen: list[int] = []

    @app.get("/_per_request")
    def per_request() -> str:
        n = len(seen)

        @after_this_request
        def tag(response: Any) -> Any:
            seen.append(n)
            response.headers["X-Seen"] = str(n)
            return response

        return "ok"

    client = app.test_client()
    tags = [client.get("/_per_request").headers["X-Seen"] for _ in range(8)]
    assert tags == [str(i) for i in range(8)]
    assert seen == list(range(8))
    assert len(app._sync_of) <= 3  # closures of past requests are not kept
