"""The JSON API: document, flows in both modes, every type, and learner isolation.

Every call goes through tests.api.Api, which checks the status and the body
against the OpenAPI document the app serves.
"""

from __future__ import annotations

import pytest
from flask import Flask
from openapi_spec_validator import validate as validate_spec
from sqlalchemy import func, select

from tests import web
from tests.api import Api, api_answer
from webapp import library
from webapp.content.domain import Question, Quiz
from webapp.extensions import db
from webapp.models import Attempt, Response

TYPES = [
    "single_choice",
    "multiple_choice",
    "true_false",
    "short_answer",
    "numeric",
    "ordering",
    "matching",
    "cloze",
]


def _quiz(app: Flask, quiz_id: str = "sample") -> Quiz:
    with app.app_context():
        quiz = library.get_catalog().quiz(quiz_id)
    assert quiz is not None
    return quiz


def _right(app: Flask, attempt_id: int, q: Question) -> dict[str, list[str]]:
    row = web.attempt_row(app, attempt_id)
    return api_answer(web.form_for(q, web.right_answer(q), row.presentations[q.id]))


def _wrong(app: Flask, attempt_id: int, q: Question) -> dict[str, list[str]]:
    row = web.attempt_row(app, attempt_id)
    return api_answer(web.wrong_form(q, row.presentations[q.id]))


# The document ------------------------------------------------------------------


def test_openapi_document_is_valid_and_lists_every_route(app: Flask) -> None:
    api = Api(app)
    validate_spec(api.spec)
    documented = {
        (path, method.upper())
        for path, item in api.spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete")
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<{arg}>", "{" + arg + "}")
            path = path.replace("<int(max=2147483647):attempt_id>", "{attempt_id}")
            for method in rule.methods or ():
                if method not in ("HEAD", "OPTIONS"):
                    routed.add((path, method))
    assert documented == routed
    for path, item in api.spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            assert any(code.startswith("2") for code in op["responses"]), path
            if method == "post":
                assert {"400", "404", "422"} <= set(op["responses"]), path
                assert any(p["name"] == "X-CSRFToken" for p in op["parameters"])


def test_units_and_quiz_show_progress(app: Flask) -> None:
    api = Api(app)
    units = api.get("/units").json
    assert units is not None
    (unit,) = units["units"]
    assert unit["lesson"]["id"] == "sample"
    assert unit["quizzes"][0]["progress"]["status"] == "not_started"
    quiz = api.get("/quizzes/sample").json
    assert quiz is not None
    assert quiz["question_count"] == len(_quiz(app).questions)
    attempt = api.start()
    progress = api.get("/quizzes/sample").json["progress"]  # type: ignore[index]
    assert progress == {
        "status": "in_progress",
        "best_attempt_id": None,
        "best_percent": None,
        "open_attempt_id": attempt["id"],
    }
    api.post(f"/attempts/{attempt['id']}/submit")
    progress = api.get("/units").json["units"][0]["quizzes"][0]["progress"]  # type: ignore[index]
    assert progress["status"] == "tried"
    assert progress["best_percent"] == 0.0


def test_unknown_quiz_is_404(app: Flask) -> None:
    api = Api(app)
    assert api.get("/quizzes/nope").status_code == 404
    assert api.post("/quizzes/nope/attempts", {}).status_code == 404


# Flows ---------------------------------------------------------------------------


def test_start_returns_public_questions_in_the_stored_order(app: Flask) -> None:
    api = Api(app)
    body = api.start()
    row = web.attempt_row(app, body["id"])
    assert [q["id"] for q in body["questions"]] == row.question_ids
    assert [q["n"] for q in body["questions"]] == list(
        range(1, len(row.question_ids) + 1)
    )
    assert body["status"] == "open"
    assert all(q["result"] is None and not q["answered"] for q in body["questions"])
    by_type = {q["type"]: q for q in body["questions"] if q["stimulus"] is None}
    assert set(by_type) == set(TYPES)
    assert {"choices"} <= set(by_type["single_choice"])
    assert {"items", "positions"} <= set(by_type["ordering"])
    assert {"rows", "options"} <= set(by_type["matching"])
    assert {"parts", "gaps"} <= set(by_type["cloze"])


def test_same_idempotency_key_gives_the_same_attempt(app: Flask) -> None:
    api = Api(app)
    key = "k" * 24
    first = api.post("/quizzes/sample/attempts", {"idempotency_key": key}).json
    again = api.post("/quizzes/sample/attempts", {"idempotency_key": key}).json
    assert first is not None
    assert again is not None
    assert first["id"] == again["id"]
    other = Api(app)
    resp = other.post("/quizzes/sample/attempts", {"idempotency_key": key})
    assert resp.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_practice_answer_returns_that_questions_feedback_only(app: Flask) -> None:
    api = Api(app)
    attempt = api.start()
    aid = attempt["id"]
    quiz = _quiz(app)
    q = quiz.question("signed-when")
    assert q is not None
    row = web.attempt_row(app, aid)
    wrong = api_answer(web.form_for(q, "c1", row.presentations[q.id]))  # June 1919
    # The page's script (static/instant.js) asks for the rendered block.
    resp = api.post(f"/attempts/{aid}/answers/{q.id}?html=1", {"answer": wrong})
    body = resp.json
    assert resp.status_code == 200
    assert body is not None
    assert body["status"] == "graded"
    result = body["result"]
    assert result["state"] == "incorrect"
    assert result["heading"] == "Incorrect"
    assert result["feedback"] == ["That is the Treaty of Versailles."]
    assert "Genoa Conference" in result["explanation"]
    assert result["right_answer"] == "April 1922"
    assert result["see"] == {"url": "/lessons/sample#the-treaty", "title": "The treaty"}
    # The HTML is the page's own feedback block.
    assert 'class="result result--incorrect"' in body["html"]
    assert "Try again" in body["html"]
    page = web.html(api.client.get(row_url(aid, row.question_ids.index(q.id) + 1)))
    assert _squash(body["html"]) in _squash(page)
    # GET shows the result of the answered question and of no other.
    got = api.get(f"/attempts/{aid}").json
    assert got is not None
    results = {x["id"]: x["result"] for x in got["questions"]}
    assert results[q.id]["state"] == "incorrect"
    assert all(r is None for qid, r in results.items() if qid != q.id)
    # A retry with the right answer replaces it.
    resp = api.answer(aid, q.id, _right(app, aid, q))
    assert resp.json["result"]["state"] == "correct"  # type: ignore[index]
    assert resp.json["tries"] == 2  # type: ignore[index]


def test_practice_answer_sends_html_only_when_asked(app: Flask) -> None:
    api = Api(app)
    aid = api.start()["id"]
    q = _quiz(app).question("signed-when")
    assert q is not None
    row = web.attempt_row(app, aid)
    wrong = api_answer(web.form_for(q, "c1", row.presentations[q.id]))
    body = api.answer(aid, q.id, wrong).json
    assert body is not None
    assert body["status"] == "graded"
    assert body["html"] is None
    assert body["result"]["state"] == "incorrect"
    assert body["result"]["right_answer"] == "April 1922"
    page = web.html(api.client.get(row_url(aid, 1)))
    assert "?html=1" not in page  # the script adds it; the form's URL stays plain


def row_url(attempt_id: int, n: int, quiz_id: str = "sample") -> str:
    """Return the HTML page of question n."""
    return f"/quizzes/{quiz_id}/attempts/{attempt_id}/q/{n}"


def _squash(html: str) -> str:
    import re

    html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
    return re.sub(r"\s+", "", html)


def test_test_mode_saves_without_feedback_until_submitted(app: Flask) -> None:
    api = Api(app)
    attempt = api.start("sample-test")
    aid = attempt["id"]
    assert attempt["mode"] == "test"
    assert attempt["deadline"] is not None
    quiz = _quiz(app, "sample-test")
    first = quiz.question(attempt["questions"][0]["id"])
    assert first is not None
    resp = api.answer(aid, first.id, _right(app, aid, first))
    assert resp.json == {
        "question_id": first.id,
        "status": "saved",
        "tries": 1,
        "result": None,
        "html": None,
    }
    got = api.get(f"/attempts/{aid}").json
    assert got is not None
    assert got["questions"][0]["answered"] is True
    assert all(x["result"] is None for x in got["questions"])
    assert got["score"] is None
    # An empty answer in a test clears the saved one.
    blank = {k: [""] for k in _right(app, aid, first)}
    assert api.answer(aid, first.id, blank).json["status"] == "cleared"  # type: ignore[index]
    assert api.get(f"/attempts/{aid}").json["questions"][0]["answered"] is False  # type: ignore[index]
    api.answer(aid, first.id, _right(app, aid, first))
    done = api.post(f"/attempts/{aid}/submit").json
    assert done is not None
    assert done["status"] == "submitted"
    assert done["score"] == first.points
    assert all(x["result"] is not None for x in done["questions"])
    states = {x["id"]: x["result"]["state"] for x in done["questions"]}
    assert states[first.id] == "correct"
    assert {s for qid, s in states.items() if qid != first.id} == {"unanswered"}


@pytest.mark.parametrize("quiz_id", ["sample", "sample-test"])
def test_all_right_through_the_api_scores_full_marks(app: Flask, quiz_id: str) -> None:
    api = Api(app)
    attempt = api.start(quiz_id)
    quiz = _quiz(app, quiz_id)
    for entry in attempt["questions"]:
        q = quiz.question(entry["id"])
        assert q is not None
        resp = api.answer(attempt["id"], q.id, _right(app, attempt["id"], q))
        assert resp.status_code == 200, (q.type, resp.json)
        if quiz.mode == "practice":
            assert resp.json["result"]["correct"] is True, q.type  # type: ignore[index]
    done = api.post(f"/attempts/{attempt['id']}/submit").json
    assert done is not None
    assert (done["score"], done["max_score"], done["passed"]) == (9.0, 9.0, True)
    assert done["percent"] == 100.0


@pytest.mark.parametrize("qtype", TYPES)
def test_each_type_wrong_scores_zero_right_scores_points(
    app: Flask, qtype: str
) -> None:
    api = Api(app)
    attempt = api.start()
    quiz = _quiz(app)
    aid = attempt["id"]
    q = next(
        quiz.question(e["id"])
        for e in attempt["questions"]
        if e["type"] == qtype and e["stimulus"] is None
    )
    assert q is not None
    wrong = api.answer(aid, q.id, _wrong(app, aid, q)).json
    assert wrong is not None
    assert wrong["result"]["points"] == 0.0
    assert wrong["result"]["state"] == "incorrect"
    right = api.answer(aid, q.id, _right(app, aid, q)).json
    assert right is not None
    assert right["result"]["points"] == float(q.points)
    done = api.post(f"/attempts/{aid}/submit").json
    assert done is not None
    assert done["score"] == float(q.points)


def test_submit_is_idempotent_and_closes_the_attempt(app: Flask) -> None:
    api = Api(app)
    attempt = api.start()
    aid = attempt["id"]
    first = api.post(f"/attempts/{aid}/submit").json
    again = api.post(f"/attempts/{aid}/submit").json
    assert first == again
    q = _quiz(app).question(attempt["questions"][0]["id"])
    assert q is not None
    resp = api.answer(aid, q.id, _right(app, aid, q))
    assert resp.status_code == 409
    assert resp.json["errors"][0]["code"] == "submitted"  # type: ignore[index]


def test_invalid_answer_is_422_with_the_pages_message_and_saves_nothing(
    app: Flask,
) -> None:
    api = Api(app)
    attempt = api.start()
    numeric = next(e for e in attempt["questions"] if e["type"] == "numeric")
    resp = api.answer(attempt["id"], numeric["id"], {"value": ["3,5"]})
    assert resp.status_code == 422
    errors = resp.json["errors"]  # type: ignore[index]
    assert errors[0]["message"].startswith("Your answer must be a number")
    assert errors[0]["field"] == "answer"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_time_up_submits_and_answers_409(app: Flask) -> None:
    api = Api(app)
    attempt = api.start("sample-test")
    aid = attempt["id"]
    from datetime import timedelta

    from webapp.models import utcnow

    with app.app_context():
        with db.transaction() as s:
            row = s.get(Attempt, aid)
            assert row is not None
            row.deadline = utcnow() - timedelta(minutes=10)
    q = _quiz(app, "sample-test").question(attempt["questions"][0]["id"])
    assert q is not None
    resp = api.answer(aid, q.id, _right(app, aid, q))
    assert resp.status_code == 409
    assert resp.json["errors"][0]["code"] == "time_up"  # type: ignore[index]
    assert api.get(f"/attempts/{aid}").json["status"] == "submitted"  # type: ignore[index]


def test_another_learners_attempt_is_404(app: Flask) -> None:
    alice, mallory = Api(app), Api(app)
    attempt = alice.start()
    aid = attempt["id"]
    qid = attempt["questions"][0]["id"]
    assert mallory.get(f"/attempts/{aid}").status_code == 404
    assert mallory.answer(aid, qid, {"value": ["0"]}).status_code == 404
    assert mallory.post(f"/attempts/{aid}/submit").status_code == 404
    # A client without any cookie at all, too.
    anonymous = Api(app)
    assert anonymous.get(f"/attempts/{aid}").status_code == 404
    assert web.attempt_row(app, aid).submitted_at is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_learner_cookie_is_shared_with_the_pages(app: Flask) -> None:
    api = Api(app)
    aid = web.start(api.client)  # started by the HTML form
    got = api.get(f"/attempts/{aid}")
    assert got.status_code == 200
    body = api.start()  # started by the API: the start page offers to continue it
    page = web.html(api.client.get("/quizzes/sample"))
    assert f"/attempts/{body['id']}/q/1" in page


def test_routing_errors_under_the_api_are_json(app: Flask) -> None:
    api = Api(app)
    for path in ("/nope", "/attempts/abc", "/attempts/-1", "/quizzes/"):
        resp = api.get(path)
        assert resp.status_code == 404
    resp = api.client.delete("/api/v1/units")
    assert resp.status_code == 405
    assert resp.json["errors"][0]["code"] == "method_not_allowed"  # type: ignore[index]
    assert "GET" in resp.headers["Allow"]


def test_csrf_meta_on_quiz_pages_only_and_readings_set_no_cookie(app: Flask) -> None:
    client = app.test_client()
    for path in ("/", "/lessons/sample", "/timeline"):
        resp = client.get(path)
        assert 'name="csrf-token"' not in web.html(resp), path
        assert "Set-Cookie" not in resp.headers, path  # nothing per visitor to store
    assert 'name="csrf-token"' in web.html(client.get("/quizzes/sample"))
    aid = web.start(client)
    page = web.html(client.get(f"/quizzes/sample/attempts/{aid}/q/1"))
    assert 'name="csrf-token"' in page
    assert 'data-module="instant"' in page


def test_api_bodies_are_written_as_flask_writes_json(app: Flask) -> None:
    """Compact, sorted, ASCII, one newline: byte for byte what jsonify sends;
    and indented under debug, as Flask does for a developer."""
    import json

    from flask import jsonify

    api = Api(app)
    attempt = api.start()
    resp = api.get(f"/attempts/{attempt['id']}")
    raw = resp.get_data(as_text=True)
    assert resp.mimetype == "application/json"
    with app.test_request_context():
        assert raw == jsonify(json.loads(raw)).get_data(as_text=True)
    assert raw.endswith("}\n")
    assert "\n" not in raw[:-1]
    assert raw.isascii()
    app.debug = True
    try:
        pretty = api.get(f"/attempts/{attempt['id']}").get_data(as_text=True)
    finally:
        app.debug = False
    assert pretty.startswith('{\n  "')
    assert json.loads(pretty) == json.loads(raw)
