"""C.8 cases 36-38: Accept-Language and text direction, DST, hostile data in logs."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import classroom as cr
from tests import web
from webapp.classroom import to_utc
from webapp.classroom_text import when_iso
from webapp.extensions import db
from webapp.i18n import text_direction
from webapp.models import Assignment, Response


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("*", "en"),
        ("xx-YY", "en"),
        ("ar-EG,ar;q=0.9", "en"),
        ("he", "en"),
        ("de-AT;q=0.8, ru;q=0.9", "ru"),
        ("de;q=1.5;q=x", "en"),
    ],
)
def test_case_36_accept_language_falls_back_and_direction_follows(
    client: FlaskClient, header: str, lang: str
) -> None:
    """C.8 case 36: *, xx-YY, ar/he and bad q-values fall back; dir is ltr."""
    resp = client.get("/", headers={"Accept-Language": header})
    assert resp.status_code == 200
    assert f'<html lang="{lang}" dir="ltr"' in web.html(resp)


def test_case_36_direction_comes_from_cldr_for_any_future_locale() -> None:
    """C.8 case 36: we ship en/de/ru (ltr); ar/he would render dir="rtl"."""
    assert [text_direction(x) for x in ("en", "de", "ru")] == ["ltr"] * 3
    assert [text_direction(x) for x in ("ar", "he", "fa")] == ["rtl"] * 3
    assert text_direction("not a locale!") == "ltr"


def test_case_37_closing_time_on_the_dst_change_day(
    app: Flask, client: FlaskClient
) -> None:
    """C.8 case 37: 02:30 Berlin on 2026-03-29 (clocks jump 02:00→03:00), in UTC.

    02:30 does not exist that night; Python's fold=0 rule reads it with the
    offset before the jump, so the test closes at 01:30 UTC, which the class page
    shows as 03:30 CEST, the wall-clock time at that instant. fsrs is not used.
    """
    cr.add_teacher(app, tz="Europe/Berlin")
    cr.sign_in(client)
    class_id = cr.create_class(client)
    before = cr.assign(client, class_id, closes_date="2026-03-29", closes_time="01:59")
    gap = cr.assign(client, class_id, closes_date="2026-03-29", closes_time="02:30")
    after = cr.assign(client, class_id, closes_date="2026-10-25", closes_time="02:30")
    with app.app_context():
        stored = {
            i: db.session.get(Assignment, i).closes_at  # type: ignore[union-attr]
            for i in (before, gap, after)
        }
    assert stored[before] == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert stored[gap] == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 02:30 happens twice in October; fold=0 is the first one, still in CEST.
    assert stored[after] == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    page = web.html(client.get(f"/teacher/classes/{class_id}"))
    assert 'datetime="2026-03-29T01:59+01:00"' in page
    assert 'datetime="2026-03-29T03:30+02:00"' in page
    assert 'datetime="2026-10-25T02:30+02:00"' in page
    # A student or teacher in another zone sees the same instant in theirs.
    assert when_iso(stored[gap], "America/New_York") == "2026-03-28T21:30-04:00"
    assert to_utc(date(2026, 3, 29), time(2, 30), "UTC") == datetime(
        2026, 3, 29, 2, 30, tzinfo=UTC
    )


def test_case_38_full_flow_logs_no_names_answers_or_passwords(
    app: Flask, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """C.8 case 38: join + answer + submit logs ids only; hostile text is encoded."""
    caplog.set_level("DEBUG")
    teacher = app.test_client()
    cr.add_teacher(app)
    cr.sign_in(teacher)
    class_id = cr.create_class(teacher)
    assignment_id = cr.assign(teacher, class_id)
    student = app.test_client()
    code = cr.join_code(app, class_id)
    # Control characters are refused in a name; the braces are kept, as text.
    assert cr.join(student, code, "Mia\n\x1b[31mEvil").status_code == 422
    assert cr.join(student, code, "Mia Evil{{ 7*7 }}").status_code == 302
    attempt = cr.attempt_id(cr.start(student, class_id, assignment_id))
    cr.answer_all(student, app, attempt, right=3)
    outsider = app.test_client()
    page = web.html(outsider.get("/teacher/login"))
    for password in ("Hunter2-secret!", cr.PASSWORD + "x"):
        outsider.post(
            "/teacher/login",
            data={
                "csrf_token": cr.token(page),
                "email": "teacher@example.org",
                "password": password,
            },
        )
    outsider.post("/teacher/login", data={"password": "NoToken-secret"})
    hostile = student.get("/nothing/x%0a%1b[31m{{7*7}}%25s")  # matches no route
    assert hostile.status_code == 404
    stream = capsys.readouterr().err
    logged = stream + caplog.text + "\n".join(str(vars(r)) for r in caplog.records)
    for secret in (
        "Mia",
        "Evil",
        "Hunter2",
        "NoToken",
        cr.PASSWORD,
        "teacher@example.org",
    ):
        assert secret not in logged, secret
    with app.app_context():
        answers = db.session.scalars(select(Response.answer)).all()
    texts = [a for a in answers if isinstance(a, str) and len(a) > 3]
    for answer in texts:
        assert answer not in logged, answer
    lines = stream.splitlines()
    assert lines
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(r["request_id"] for r in records)
    assert "\x1b" not in stream
    assert "\n" not in "".join(lines)
    assert any(r.get("route", "").endswith("\u001b[31m{{7*7}}%s") for r in records)
    assert any(r["msg"] == "teacher sign-in failed" for r in records)
    assert any(r["msg"] == "csrf check failed" for r in records)


def test_case_38_a_forced_exception_shows_a_generic_page_with_a_request_id(
    make_app: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """C.8 case 38: a crash shows a generic 500 with the request id, no traceback."""
    app = make_app()
    assert app.debug is False
    assert app.config.get("PROPAGATE_EXCEPTIONS") is None

    @app.get("/_test/boom")
    def _boom() -> str:
        raise RuntimeError("secret internals: password=hunter2")

    app.testing = False  # as in production: errors become pages, not raised
    resp = app.test_client().get("/_test/boom")
    assert resp.status_code == 500
    page = web.html(resp)
    rid = resp.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{16}", rid)
    assert rid in page
    for leak in ("Traceback", "RuntimeError", "secret internals", "hunter2"):
        assert leak not in page
    err = capsys.readouterr().err
    crash = [json.loads(x) for x in err.splitlines() if '"level": "ERROR"' in x]
    assert crash
    assert crash[0]["request_id"] == rid
    assert "RuntimeError" in crash[0]["exc"]  # the stack trace goes to the log only


def test_case_38_debug_is_off_unless_dev(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C.8 case 38: FLASK_DEBUG in the environment does not turn the debugger on."""
    monkeypatch.setenv("FLASK_DEBUG", "1")
    assert make_app().debug is False
    assert make_app(DEV=True).debug is True
