"""C.8 cases 15-24 on student HTTP input not already covered by the view tests."""

from __future__ import annotations

import logging
import unicodedata
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import web
from tests.helpers import question
from webapp.content.question_types import REGISTRY

SHORT = REGISTRY["short_answer"]


def right(q: Any, text: str) -> bool:
    """Return True if the short answer `text` is graded correct."""
    return bool(SHORT.grade(q, SHORT.parse(q, {"value": [text]}, {}, "en")).correct)


def test_case_18_unicode_forms_compare_equal_and_tricks_do_not_match() -> None:
    """C.8 case 18: NFC/NFD, dotted İ, RTL override and emoji are normalised."""
    q = question("short_answer", answers=["Genève"], typos=0)
    assert right(q, unicodedata.normalize("NFC", "Genève"))
    assert right(q, unicodedata.normalize("NFD", "Genève"))
    assert right(q, "GENÈVE")
    q = question("short_answer", answers=["İzmir"], typos=0)
    assert right(q, "izmir")
    assert right(q, "İZMİR")
    q = question("short_answer", answers=["Rapallo"], typos=0)
    assert right(q, "\u202eRapallo\u202c")  # RTL override around the word
    assert not right(q, "\u202eollapaR")  # shown reversed, typed wrong
    assert not right(q, "🙂")


def test_case_18_hostile_unicode_answers_are_shown_escaped(
    app: Flask, client: FlaskClient
) -> None:
    """C.8 case 18: an answer with markup, RTL override and emoji is escaped."""
    attempt = web.start(client)
    row = web.attempt_row(app, attempt)
    from webapp import library

    with app.app_context():
        quiz = library.get_catalog().quiz("sample")
    assert quiz is not None
    n = next(
        i
        for i, qid in enumerate(row.question_ids, 1)
        if quiz.question(qid) is not None and quiz.question(qid).type == "short_answer"  # type: ignore[union-attr]
    )
    url = f"/quizzes/sample/attempts/{attempt}/q/{n}"
    hostile = "<b>x</b>\u202e🙂{{ 7*7 }}"
    token = web.csrf(client, url)
    resp = client.post(url, data={"csrf_token": token, "answer": hostile})
    assert resp.status_code in (200, 302)
    page = web.html(client.get(url))
    assert "<b>x</b>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "49" not in page.split("&lt;b&gt;")[1][:40]


def test_case_23_authorisation_failures_are_logged_without_names(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """C.8 case 23: opening another learner's attempt is 404 and is logged."""
    alice = app.test_client()
    attempt = web.start(alice)
    mallory = app.test_client()
    caplog.set_level(logging.INFO, logger="webapp")
    resp = mallory.get(f"/quizzes/sample/attempts/{attempt}/q/1")
    assert resp.status_code == 404
    rid = resp.headers["X-Request-ID"]
    lines = [r for r in caplog.records if getattr(r, "request_id", None) == rid]
    assert any(getattr(r, "status", None) == 404 for r in lines)
    route = "/quizzes/<quiz_id>/attempts/<int:attempt_id>/q/<int:n>"
    assert any(getattr(r, "route", "") == route for r in lines)
