"""Helpers for tests that drive the app through the test client like a browser."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from webapp.content.domain import (
    ClozeQuestion,
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    ShortAnswerQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)
from webapp.content.question_types import REGISTRY
from webapp.models import Attempt

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_KEY = re.compile(r'name="key" value="([^"]+)"')
_ATTEMPT = re.compile(r"/attempts/(\d+)/")


def html(resp: TestResponse) -> str:
    """Return the response body as text."""
    return resp.get_data(as_text=True)


def tampered(signed: str) -> str:
    """Return a signed value with one character of its signature changed.

    Not the last characters: the final base64 character carries padding bits,
    so some changes there decode to the same signature.
    """
    i = len(signed) - 6
    return signed[:i] + ("A" if signed[i] != "A" else "B") + signed[i + 1 :]


def csrf(client: FlaskClient, url: str = "/quizzes/sample") -> str:
    """Return a CSRF token of this client's session, read from a page's form."""
    m = _TOKEN.search(html(client.get(url)))
    assert m, "no csrf_token on the page"
    return m.group(1)


def start(client: FlaskClient, quiz_id: str = "sample") -> int:
    """Press Start on the quiz's start page; return the new attempt id."""
    page = html(client.get(f"/quizzes/{quiz_id}"))
    token = _TOKEN.search(page)
    key = _KEY.search(page)
    assert token
    assert key
    resp = client.post(
        f"/quizzes/{quiz_id}/attempts",
        data={"csrf_token": token.group(1), "key": key.group(1)},
    )
    assert resp.status_code == 302, resp.status_code
    m = _ATTEMPT.search(resp.headers["Location"])
    assert m
    return int(m.group(1))


def attempt_row(app: Flask, attempt_id: int) -> Attempt:
    """Return the stored attempt."""
    with app.app_context():
        from webapp.extensions import db

        found = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id))
        assert found is not None
        db.session.expunge(found)
        return found


def right_answer(q: Question) -> Any:
    """Return the canonical right answer of a question."""
    if isinstance(q, SingleChoiceQuestion):
        return next(c.id for c in q.choices if c.correct)
    if isinstance(q, MultipleChoiceQuestion):
        return tuple(c.id for c in q.choices if c.correct)
    if isinstance(q, TrueFalseQuestion):
        return q.answer
    if isinstance(q, ShortAnswerQuestion):
        return q.answers[0]
    if isinstance(q, NumericQuestion):
        return Decimal(repr(q.answer))
    if isinstance(q, OrderingQuestion):
        return tuple(range(len(q.items)))
    if isinstance(q, MatchingQuestion):
        return tuple(q.options.index(right) for _, right in q.pairs)
    if isinstance(q, ClozeQuestion):
        return tuple(b.answers[0] for b in q.blanks)
    raise AssertionError(q.type)


def form_for(
    q: Question, answer: Any, presentation: Any, locale: str = "en"
) -> dict[str, Any]:
    """Return the posted form fields that give `answer` under this presentation."""
    raw = REGISTRY[q.type].form_values(q, answer, presentation, locale)
    return {("answer" if k == "value" else f"answer-{k}"): v for k, v in raw.items()}


def wrong_form(q: Question, presentation: Any) -> dict[str, Any]:
    """Return form fields of a readable but wrong answer (0 points)."""
    if isinstance(q, SingleChoiceQuestion):
        wrong = next(c.id for c in q.choices if not c.correct)
        return form_for(q, wrong, presentation)
    if isinstance(q, MultipleChoiceQuestion):
        return form_for(
            q, tuple(c.id for c in q.choices if not c.correct), presentation
        )
    if isinstance(q, TrueFalseQuestion):
        return form_for(q, not q.answer, presentation)
    if isinstance(q, ShortAnswerQuestion):
        return {"answer": "zzzzzz"}
    if isinstance(q, NumericQuestion):
        return {"answer": str(int(q.answer) * 3 + 7)}
    if isinstance(q, OrderingQuestion):
        return form_for(q, tuple(reversed(range(len(q.items)))), presentation)
    if isinstance(q, MatchingQuestion):
        n = len(q.pairs)
        right = [q.options.index(r) for _, r in q.pairs]
        wrong = tuple((right[(i + 1) % n]) for i in range(n))
        return form_for(q, wrong, presentation)
    if isinstance(q, ClozeQuestion):
        return form_for(q, tuple("zzzzzz" for _ in q.blanks), presentation)
    raise AssertionError(q.type)


def ui(lang: str, msgid: str, **params: Any) -> str:
    """Return the interface catalog's translation of `msgid` (what a page shows)."""
    from functools import cache
    from pathlib import Path

    from babel.messages.pofile import read_po

    @cache
    def _catalog(code: str) -> dict[str, str]:
        path = (
            Path(__file__).resolve().parent.parent
            / f"webapp/translations/{code}/LC_MESSAGES/messages.po"
        )
        with path.open("rb") as f:
            return {
                m.id: m.string
                for m in read_po(f)
                if isinstance(m.id, str) and m.string and not m.fuzzy
            }

    text = msgid if lang == "en" else _catalog(lang).get(msgid, msgid)
    return text % params if params else text
