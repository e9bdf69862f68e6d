"""Integrity of the JSON API: nothing revealed before answering, tampering refused.

Every response is checked against the OpenAPI document (tests.api.Api), so a 500
or an undeclared status fails the test as well.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests import web
from tests.api import Api, api_answer
from webapp import library
from webapp.content.domain import (
    ClozeQuestion,
    NumericQuestion,
    OrderingQuestion,
    Question,
    Quiz,
    ShortAnswerQuestion,
)
from webapp.content.question_types import REGISTRY
from webapp.extensions import db
from webapp.models import Attempt, Response

# Keys that only a key, a grade or feedback would need: none may appear in what a
# learner receives before answering.
FORBIDDEN_KEYS = frozenset(
    {
        "correct",
        "is_correct",
        "explanation",
        "feedback",
        "right_answer",
        "answers",
        "blanks",
        "pairs",
        "tolerance",
        "key",
        "seed",
        "presentations",
    }
)


def _quiz(app: Flask, quiz_id: str) -> Quiz:
    with app.app_context():
        quiz = library.get_catalog().quiz(quiz_id)
    assert quiz is not None
    return quiz


def _feedback_texts(q: Question) -> list[str]:
    """The explanation and every feedback text of q, as written by the teacher."""
    out = [q.explanation, getattr(q, "feedback", None)]
    out += [c.feedback for c in getattr(q, "choices", ())]
    out += [w.feedback for w in getattr(q, "wrong_answers", ())]
    return [s for s in out if s]


def _own_secrets(q: Question) -> list[str]:
    """What only q's key shows: typed answers, the number, plus its feedback."""
    out = _feedback_texts(q)
    if isinstance(q, ShortAnswerQuestion):
        out += list(q.answers)
    if isinstance(q, ClozeQuestion):
        out += [a for b in q.blanks for a in b.answers]
    if isinstance(q, NumericQuestion):
        whole = int(q.answer)
        out += [str(whole), f"{whole:,}", f"{whole:,}".replace(",", " ")]
        out.append(REGISTRY[q.type].key_text(q))
    return out


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _assert_nothing_revealed(
    body: Any, quiz: Quiz, answered: frozenset[str] = frozenset()
) -> None:
    """Assert a pre-submission body holds no key, feedback or explanation.

    Questions in `answered` (practice mode) may carry their own result.
    """
    questions = body.get("questions", []) if isinstance(body, dict) else []
    hidden = [x for x in questions if x["id"] not in answered]
    others = {k: v for k, v in body.items() if k != "questions"}
    assert not (_keys(others) | _keys(hidden)) & FORBIDDEN_KEYS
    every_feedback = {
        s for q in quiz.questions if q.id not in answered for s in _feedback_texts(q)
    }
    text = json.dumps(hidden, ensure_ascii=False) + json.dumps(others)
    for secret in every_feedback:
        assert secret not in text, secret
    for entry in hidden:
        q = quiz.question(entry["id"])
        assert q is not None
        assert entry["result"] is None
        own = json.dumps(entry, ensure_ascii=False)
        for secret in _own_secrets(q):
            assert secret not in own, (q.id, secret)
        if isinstance(q, OrderingQuestion):
            shown = [item["text"] for item in entry["items"]]
            assert shown != list(q.items), "ordering items shown in the key's order"


@pytest.mark.parametrize("quiz_id", ["sample", "sample-test", "final"])
def test_no_key_feedback_or_explanation_in_any_response_before_submission(
    app: Flask, quiz_id: str
) -> None:
    """C.8 case 22: no answer key in any page or JSON before submitting."""
    api = Api(app)
    quiz = _quiz(app, quiz_id)
    for path in ("/units", f"/quizzes/{quiz_id}"):
        _assert_nothing_revealed(api.get(path).json, quiz)
    attempt = api.start(quiz_id)
    aid = attempt["id"]
    _assert_nothing_revealed(attempt, quiz)
    _assert_nothing_revealed(api.get(f"/attempts/{aid}").json, quiz)
    row = web.attempt_row(app, aid)
    answered: set[str] = set()
    for n, entry in enumerate(attempt["questions"], 1):
        q = quiz.question(entry["id"])
        assert q is not None
        # The HTML page of every question, before it is answered.
        page = web.html(api.client.get(f"/quizzes/{quiz_id}/attempts/{aid}/q/{n}"))
        for secret in _own_secrets(q):
            assert secret not in page, (q.id, secret)
        for other in quiz.questions:
            if other.id not in answered:
                for secret in _feedback_texts(other):
                    assert secret not in page, (q.id, secret)
        wrong = api_answer(web.wrong_form(q, row.presentations[q.id]))
        resp = api.answer(aid, q.id, wrong)
        assert resp.status_code == 200
        body = resp.json
        assert body is not None
        if row.mode == "test":
            # A test says "saved" and nothing else until it is submitted.
            assert body == {
                "question_id": q.id,
                "status": "saved",
                "tries": 1,
                "result": None,
                "html": None,
            }
        else:
            # Practice: this question's feedback, and no other question's.
            answered.add(q.id)
            others = {o.id for o in quiz.questions if o.id not in answered}
            blob = json.dumps(body, ensure_ascii=False)
            for other in quiz.questions:
                if other.id in others:
                    for secret in _feedback_texts(other):
                        assert secret not in blob, (q.id, secret)
        _assert_nothing_revealed(
            api.get(f"/attempts/{aid}").json, quiz, frozenset(answered)
        )
    # After submission everything is there.
    done = api.post(f"/attempts/{aid}/submit").json
    assert done is not None
    assert all(x["result"] is not None for x in done["questions"])


def test_ordering_items_never_come_in_the_keys_order(app: Flask) -> None:
    api = Api(app)
    quiz = _quiz(app, "sample")
    for _ in range(8):
        attempt = api.start()
        for entry in attempt["questions"]:
            q = quiz.question(entry["id"])
            if isinstance(q, OrderingQuestion):
                assert [i["text"] for i in entry["items"]] != list(q.items)


# Tampering ---------------------------------------------------------------------


def _attempt(api: Api, quiz_id: str = "sample") -> tuple[int, dict[str, str]]:
    """Start an attempt; return its id and the question id of each type."""
    body = api.start(quiz_id)
    ids = {}
    for entry in body["questions"]:
        if entry["stimulus"] is None:
            ids.setdefault(entry["type"], entry["id"])
    return body["id"], ids


def _no_points(app: Flask, attempt_id: int) -> None:
    with app.app_context():
        points = db.session.scalar(
            select(func.coalesce(func.sum(Response.points), 0)).where(
                Response.attempt_id == attempt_id
            )
        )
        right = db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.attempt_id == attempt_id, Response.is_correct.is_(True))
        )
    assert points == 0
    assert right == 0
    row = web.attempt_row(app, attempt_id)
    assert row.submitted_at is None
    assert row.score is None


FOREIGN_ANSWERS = [
    ("single_choice", {"value": ["99"]}),
    ("single_choice", {"value": ["-1"]}),
    ("single_choice", {"value": ["abc"]}),
    ("single_choice", {"value": ["0.5"]}),
    ("single_choice", {"value": ["1e1"]}),
    ("single_choice", {"value": ["\u0663"]}),  # an Arabic-Indic digit 3
    ("single_choice", {"value": ["c2"]}),  # a choice id instead of a position
    ("single_choice", {"value": ["0", "1"]}),
    ("multiple_choice", {"value": ["0", "99"]}),
    ("multiple_choice", {"value": []}),
    ("true_false", {"value": ["yes"]}),
    ("true_false", {"value": ["1"]}),
    ("numeric", {"value": ["NaN"]}),
    ("numeric", {"value": ["inf"]}),
    ("numeric", {"value": ["1e999999"]}),
    ("numeric", {"value": ["9" * 400]}),
    ("short_answer", {"value": ["x" * 5000]}),
    ("ordering", {"0": ["0"], "1": ["1"], "2": ["2"], "3": ["3"]}),
    ("ordering", {"0": ["1"], "1": ["1"], "2": ["2"], "3": ["3"]}),
    ("ordering", {"0": ["1"], "1": ["2"], "2": ["3"], "3": ["99"]}),
    ("ordering", {"0": ["1"], "1": ["2"], "2": ["3"], "3": ["4"], "4": ["5"]}),
    ("matching", {"0": ["99"], "1": ["0"]}),
    ("matching", {"0": ["-1"], "1": ["0"]}),
    ("matching", {"0": ["0"], "1": ["0"], "7": ["1"]}),
    ("cloze", {"0": ["Rapallo"], "1": ["Genoa"], "2": ["extra"]}),
    ("cloze", {"value": ["Rapallo Genoa"]}),
    ("short_answer", {"0": ["Rathenau"]}),
    ("short_answer", {"value": ["Rathenau"], "points": ["1"]}),
]


@pytest.mark.parametrize(("qtype", "answer"), FOREIGN_ANSWERS)
def test_foreign_or_unreadable_answers_are_422_and_give_no_points(
    app: Flask, qtype: str, answer: dict[str, list[str]]
) -> None:
    """C.8 case 15: foreign choice or question ids are 422, never 500 or points."""
    api = Api(app)
    aid, ids = _attempt(api)
    resp = api.answer(aid, ids[qtype], answer)
    assert resp.status_code == 422, resp.json
    _no_points(app, aid)


WRONG_BODIES: list[tuple[str, bytes, int]] = [
    ("not json", b"{answer:", 400),
    ("not utf-8", b"\xff\xfe\x00{", 400),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, 400),
    ("array", b"[]", 422),
    ("string", b'"answer"', 422),
    ("number", b"1", 422),
    ("null", b"null", 422),
    ("no answer", b"{}", 422),
    ("answer null", b'{"answer": null}', 422),
    ("answer a string", b'{"answer": "0"}', 422),
    ("answer a list", b'{"answer": ["0"]}', 422),
    ("value a string", b'{"answer": {"value": "0"}}', 422),
    ("value a number", b'{"answer": {"value": [0]}}', 422),
    ("value null", b'{"answer": {"value": [null]}}', 422),
    ("value an object", b'{"answer": {"value": [{"$gt": ""}]}}', 422),
    ("value true", b'{"answer": {"value": [true]}}', 422),
    ("extra field", b'{"answer": {"value": ["1"]}, "points": 100}', 422),
    ("extra fields", b'{"answer": {"value": ["1"]}, "correct": true}', 422),
    ("long key", b'{"answer": {"' + b"k" * 100 + b'": ["1"]}}', 422),
    (
        "too many fields",
        json.dumps({"answer": {str(i): ["1"] for i in range(60)}}).encode(),
        422,
    ),
    ("too many values", json.dumps({"answer": {"value": ["1"] * 5000}}).encode(), 422),
]


@pytest.mark.parametrize(
    ("body", "status"),
    [pytest.param(b, s, id=name) for name, b, s in WRONG_BODIES],
)
def test_malformed_bodies_are_4xx_json_and_give_no_points(
    app: Flask, body: bytes, status: int
) -> None:
    api = Api(app)
    aid, ids = _attempt(api)
    resp = api.post(f"/attempts/{aid}/answers/{ids['single_choice']}", raw=body)
    assert resp.status_code == status, resp.json
    assert resp.json["errors"]  # type: ignore[index]
    _no_points(app, aid)


def test_a_5_mb_body_is_413(app: Flask) -> None:
    """C.8 case 17: a 5 MB API body is 413."""
    api = Api(app)
    aid, ids = _attempt(api)
    big = json.dumps({"answer": {"value": ["x" * (5 * 1024 * 1024)]}})
    resp = api.post(f"/attempts/{aid}/answers/{ids['short_answer']}", raw=big)
    assert resp.status_code == 413
    form = "answer=" + "x" * (5 * 1024 * 1024)
    resp = api.post(
        f"/attempts/{aid}/answers/{ids['short_answer']}",
        raw=form,
        content_type="application/x-www-form-urlencoded",
    )
    assert resp.status_code == 413
    resp = api.post("/quizzes/sample/attempts", raw=big)
    assert resp.status_code == 413
    _no_points(app, aid)


@pytest.mark.parametrize(
    "path",
    [
        "/attempts/{aid}/answers/no-such-question",
        "/attempts/{aid}/answers/sample.signed-when",  # a question of another quiz
        "/attempts/{aid}/answers/..%2F..%2Fetc",
        "/attempts/999999/answers/signed-when",
        "/attempts/0/answers/signed-when",
        "/attempts/99999999999999999999999/answers/signed-when",
        "/attempts/99999999999999999999999/submit",
        "/attempts/-5/submit",
    ],
)
def test_unknown_question_or_attempt_is_404(app: Flask, path: str) -> None:
    api = Api(app)
    aid, _ = _attempt(api)
    resp = api.post(path.format(aid=aid), {"answer": {"value": ["1"]}})
    assert resp.status_code == 404
    _no_points(app, aid)


def test_huge_attempt_id_reads_are_404(app: Flask) -> None:
    api = Api(app)
    assert api.get("/attempts/99999999999999999999999").status_code == 404
    assert api.get("/attempts/2147483648").status_code == 404


def test_another_learners_attempt_cannot_be_answered_or_submitted(
    app: Flask,
) -> None:
    alice, mallory = Api(app), Api(app)
    aid, ids = _attempt(alice)
    q = _quiz(app, "sample").question(ids["single_choice"])
    assert q is not None
    row = web.attempt_row(app, aid)
    right = api_answer(web.form_for(q, web.right_answer(q), row.presentations[q.id]))
    assert mallory.answer(aid, q.id, right).status_code == 404
    # Alice's token in Mallory's session is not a valid token.
    resp = mallory.post(
        f"/attempts/{aid}/answers/{q.id}", {"answer": right}, csrf=alice.token
    )
    assert resp.status_code in (400, 404)
    assert mallory.post(f"/attempts/{aid}/submit").status_code == 404
    _no_points(app, aid)


@pytest.mark.parametrize("token", [False, "", "forged", "x" * 5000])
def test_missing_or_wrong_csrf_token_is_400(app: Flask, token: bool | str) -> None:
    """C.8 case 24: a missing or wrong CSRF token is 400."""
    api = Api(app)
    aid, ids = _attempt(api)
    resp = api.post(
        f"/attempts/{aid}/answers/{ids['single_choice']}",
        {"answer": {"value": ["1"]}},
        csrf=token,
    )
    assert resp.status_code == 400
    assert resp.json["errors"][0]["code"] == "csrf"  # type: ignore[index]
    assert api.post(f"/attempts/{aid}/submit", csrf=token).status_code == 400
    assert api.post("/quizzes/sample/attempts", {}, csrf=token).status_code == 400
    _no_points(app, aid)


@pytest.mark.parametrize(
    "body",
    [
        {"mode": "practice"},  # a test must not be turned into practice
        {"seed": 1},
        {"question_ids": ["signed-when"]},
        {"idempotency_key": 5},
        {"idempotency_key": "short"},
        {"idempotency_key": "../" * 10},
    ],
)
def test_start_refuses_extra_or_wrong_fields(app: Flask, body: dict[str, Any]) -> None:
    api = Api(app)
    resp = api.post("/quizzes/sample-test/attempts", body)
    assert resp.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_submit_refuses_a_body_with_fields(app: Flask) -> None:
    api = Api(app)
    aid, _ = _attempt(api)
    resp = api.post(f"/attempts/{aid}/submit", {"score": 100})
    assert resp.status_code == 422
    _no_points(app, aid)


@pytest.mark.parametrize(
    "path",
    [
        "/quizzes/sample/attempts/{big}/q/1",
        "/quizzes/sample/attempts/{big}/review",
        "/quizzes/sample/attempts/{big}/results",
    ],
)
def test_pages_of_an_attempt_id_beyond_the_database_are_404(
    app: Flask, path: str
) -> None:
    api = Api(app)
    _attempt(api)  # this browser is a learner, so the id is looked up
    url = path.format(big=10**30)
    assert api.client.get(url).status_code == 404
    token = web.csrf(api.client)
    for post in (
        url,
        f"/quizzes/sample/attempts/{10**30}/submit",
        f"/quizzes/sample/attempts/{10**30}/retry",
    ):
        resp = api.client.post(post, data={"csrf_token": token, "answer": "0"})
        assert resp.status_code in (404, 405)
