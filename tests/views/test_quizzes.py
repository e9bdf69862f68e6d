"""Quiz pages through the test client: every type, both modes, errors, integrity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import web
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
Answerer = Callable[[Question, Any], dict[str, Any]]


def _quiz(app: Flask, quiz_id: str) -> Quiz:
    with app.app_context():
        quiz = library.get_catalog().quiz(quiz_id)
    assert quiz is not None
    return quiz


def _q_url(quiz_id: str, attempt_id: int, n: int) -> str:
    return f"/quizzes/{quiz_id}/attempts/{attempt_id}/q/{n}"


def _n_of(app: Flask, attempt_id: int, qtype: str, quiz_id: str = "sample") -> int:
    """Return the position in the attempt of the first question of this type."""
    quiz = _quiz(app, quiz_id)
    row = web.attempt_row(app, attempt_id)
    return next(
        i
        for i, qid in enumerate(row.question_ids, 1)
        if (q := quiz.question(qid)) and q.type == qtype and q.stimulus is None
    )


def _right(q: Question, presentation: Any) -> dict[str, Any]:
    return web.form_for(q, web.right_answer(q), presentation)


def _take(
    app: Flask, client: FlaskClient, quiz_id: str, answer: Answerer
) -> tuple[int, Quiz]:
    """Answer every question with `answer`, submit, and return the attempt id."""
    attempt_id = web.start(client, quiz_id)
    quiz = _quiz(app, quiz_id)
    row = web.attempt_row(app, attempt_id)
    token = web.csrf(client)
    for n, qid in enumerate(row.question_ids, 1):
        q = quiz.question(qid)
        assert q is not None
        url = _q_url(quiz_id, attempt_id, n)
        assert client.get(url).status_code == 200
        data = {**answer(q, row.presentations[qid]), "csrf_token": token}
        resp = client.post(url, data=data)
        assert resp.status_code == 302, web.html(resp)
        if row.mode == "practice":
            assert resp.headers["Location"].endswith(url)
            feedback = web.html(client.get(url))
            assert 'class="result result--' in feedback
    resp = client.post(
        f"/quizzes/{quiz_id}/attempts/{attempt_id}/submit", data={"csrf_token": token}
    )
    assert resp.status_code == 302
    assert client.get(resp.headers["Location"]).status_code == 200
    return attempt_id, quiz


def _score(
    app: Flask, attempt_id: int
) -> tuple[float | None, float | None, bool | None]:
    row = web.attempt_row(app, attempt_id)
    return row.score, row.max_score, row.passed


@pytest.mark.parametrize("quiz_id", ["sample", "sample-test"])
def test_all_right_scores_full_marks_and_passes(
    app: Flask, client: FlaskClient, quiz_id: str
) -> None:
    attempt_id, quiz = _take(app, client, quiz_id, _right)
    assert _score(app, attempt_id) == (9.0, 9.0, True)
    page = web.html(client.get(f"/quizzes/{quiz_id}/attempts/{attempt_id}/results"))
    assert "You reached the pass mark" in page
    assert page.count("result--correct") == len(quiz.questions)


@pytest.mark.parametrize("quiz_id", ["sample", "sample-test"])
def test_all_wrong_scores_zero_and_fails(
    app: Flask, client: FlaskClient, quiz_id: str
) -> None:
    attempt_id, _ = _take(app, client, quiz_id, web.wrong_form)
    assert _score(app, attempt_id) == (0.0, 9.0, False)
    page = web.html(client.get(f"/quizzes/{quiz_id}/attempts/{attempt_id}/results"))
    assert "Below the pass mark" in page
    assert "Try the 9 questions you got wrong again" in page


@pytest.mark.parametrize("mode_quiz", ["sample", "sample-test"])
@pytest.mark.parametrize("qtype", TYPES)
def test_each_type_scores_its_own_points(
    app: Flask, client: FlaskClient, qtype: str, mode_quiz: str
) -> None:
    def answer(q: Question, presentation: Any) -> dict[str, Any]:
        if q.type == qtype and q.stimulus is None:
            return _right(q, presentation)
        return web.wrong_form(q, presentation)

    attempt_id, quiz = _take(app, client, mode_quiz, answer)
    expected = sum(
        q.points for q in quiz.questions if q.type == qtype and not q.stimulus
    )
    assert _score(app, attempt_id)[0] == pytest.approx(expected)
    with app.app_context():
        rows = db.session.scalars(
            select(Response).where(Response.attempt_id == attempt_id)
        ).all()
        right = {r.question_id for r in rows if r.is_correct}
    assert right == {
        q.id for q in quiz.questions if q.type == qtype and q.stimulus is None
    }


def test_practice_feedback_shows_choice_feedback_explanation_and_see_link(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id = web.start(client)
    quiz = _quiz(app, "sample")
    row = web.attempt_row(app, attempt_id)
    n = row.question_ids.index("signed-when") + 1
    q = quiz.question("signed-when")
    assert q is not None
    url = _q_url("sample", attempt_id, n)
    wrong = web.form_for(q, "c1", row.presentations[q.id])  # June 1919
    client.post(url, data={**wrong, "csrf_token": web.csrf(client)})
    page = web.html(client.get(url))
    assert "Incorrect" in page
    assert "That is the Treaty of Versailles." in page
    assert "Signed on 16 April 1922, during the Genoa Conference." in page
    assert 'href="/lessons/sample#the-treaty"' in page
    assert "Read ‘The treaty’ again" in page
    assert "Try again" in page
    # Try again: the form comes back, and a right answer replaces the wrong one.
    assert "Check answer" in web.html(client.get(url + "?retry=1"))
    right = _right(q, row.presentations[q.id])
    resp = client.post(url + "?retry=1", data={**right, "csrf_token": web.csrf(client)})
    assert resp.headers["Location"].endswith(url)
    assert "Correct" in web.html(client.get(url))
    with app.app_context():
        resp = db.session.scalar(
            select(Response).where(
                Response.attempt_id == attempt_id, Response.question_id == q.id
            )
        )
        assert resp is not None
        assert resp.tries == 2
        assert resp.is_correct is True


def test_test_mode_review_lists_answers_and_change_returns_to_review(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id = web.start(client, "sample-test")
    quiz = _quiz(app, "sample-test")
    row = web.attempt_row(app, attempt_id)
    token = web.csrf(client)
    q1 = quiz.question(row.question_ids[0])
    assert q1 is not None
    resp = client.post(
        _q_url("sample-test", attempt_id, 1),
        data={**_right(q1, row.presentations[q1.id]), "csrf_token": token},
    )
    assert resp.headers["Location"].endswith(_q_url("sample-test", attempt_id, 2))
    # Skipping saves nothing and moves on.
    resp = client.post(
        _q_url("sample-test", attempt_id, 2),
        data={"action": "skip", "csrf_token": token},
    )
    assert resp.headers["Location"].endswith(_q_url("sample-test", attempt_id, 3))
    review = web.html(client.get(f"/quizzes/sample-test/attempts/{attempt_id}/review"))
    assert "Check your answers before you submit" in review
    assert review.count("Not answered") == len(row.question_ids) - 1
    assert "q/2?return=review" in review
    # The stored answer is in the form again, and saving returns to the review.
    page = web.html(client.get(_q_url("sample-test", attempt_id, 1) + "?return=review"))
    assert "checked" in page or "selected" in page or 'value="' in page
    resp = client.post(
        _q_url("sample-test", attempt_id, 1) + "?return=review",
        data={**_right(q1, row.presentations[q1.id]), "csrf_token": token},
    )
    assert resp.headers["Location"].endswith(f"/attempts/{attempt_id}/review")
    # Test mode gives no feedback before submitting.
    page = web.html(client.get(_q_url("sample-test", attempt_id, 1)))
    assert "result--" not in page
    assert "Time left: about" in page


def test_pool_quiz_draws_and_grades(app: Flask, client: FlaskClient) -> None:
    attempt_id, quiz = _take(app, client, "final", _right)
    row = web.attempt_row(app, attempt_id)
    assert len(row.question_ids) == 3
    assert all(qid.startswith("sample.") for qid in row.question_ids)
    score, max_score, passed = _score(app, attempt_id)
    assert score == max_score == 3.0
    assert passed is True


def test_draw_limits_the_attempt(make_app: Any, content_root: Any) -> None:
    # `draw` is read at start: a quiz with draw: 4 gives 4 questions.
    path = content_root / "quizzes" / "sample.yaml"
    path.write_text(
        path.read_text().replace("pass_mark: 70\n", "pass_mark: 70\ndraw: 4\n"),
        encoding="utf-8",
    )
    app = make_app()
    client = app.test_client()
    attempt_id = web.start(client)
    assert len(web.attempt_row(app, attempt_id).question_ids) == 4


def test_shuffle_is_stored_per_attempt(app: Flask, client: FlaskClient) -> None:
    orders = {
        tuple(web.attempt_row(app, web.start(client)).question_ids) for _ in range(6)
    }
    assert len(orders) > 1


# Errors: the same page again, the input kept, other answers untouched ---------


def test_invalid_numeric_keeps_input_and_other_answers(
    app: Flask, client: FlaskClient
) -> None:
    attempt_id = web.start(client, "sample-test")
    quiz = _quiz(app, "sample-test")
    row = web.attempt_row(app, attempt_id)
    token = web.csrf(client)
    numeric_n = 0
    for n, qid in enumerate(row.question_ids, 1):
        q = quiz.question(qid)
        assert q is not None
        if q.type == "numeric":
            numeric_n = n
            continue
        client.post(
            _q_url("sample-test", attempt_id, n),
            data={**_right(q, row.presentations[qid]), "csrf_token": token},
        )
    url = _q_url("sample-test", attempt_id, numeric_n)
    resp = client.post(url, data={"answer": "3,5", "csrf_token": token})
    page = web.html(resp)
    assert resp.status_code == 422
    assert "<title>Error: " in page
    assert 'class="error-summary"' in page
    assert f'href="#q{numeric_n}"' in page
    assert 'value="3,5"' in page
    assert "Your answer must be a number" in page
    with app.app_context():
        count = db.session.scalar(
            select(func.count()).where(Response.attempt_id == attempt_id)
        )
    assert count == len(row.question_ids) - 1


@pytest.mark.parametrize(
    ("qtype", "form", "message"),
    [
        ("single_choice", {}, "Select an answer to question"),
        ("single_choice", {"answer": "99"}, "Select one of the answers shown"),
        ("multiple_choice", {}, "Select at least one answer"),
        ("true_false", {"answer": "maybe"}, "Select true or false"),
        ("short_answer", {"answer": "   "}, "Enter your answer to question"),
        ("numeric", {"answer": "lots"}, "Your answer must be a number"),
        ("ordering", {"answer-0": "1", "answer-1": "1"}, "is used twice"),
        ("ordering", {"answer-0": "9"}, "Choose a position from 1 to 4"),
        ("matching", {"answer-0": "0"}, "Choose a match for"),
        ("cloze", {}, "Enter a word for gap 1"),
    ],
)
def test_practice_input_errors(
    app: Flask, client: FlaskClient, qtype: str, form: dict[str, str], message: str
) -> None:
    attempt_id = web.start(client)
    quiz = _quiz(app, "sample")
    row = web.attempt_row(app, attempt_id)
    n = next(
        i
        for i, qid in enumerate(row.question_ids, 1)
        if (q := quiz.question(qid)) and q.type == qtype and q.stimulus is None
    )
    resp = client.post(
        _q_url("sample", attempt_id, n), data={**form, "csrf_token": web.csrf(client)}
    )
    assert resp.status_code == 422
    page = web.html(resp)
    summary = page.split('class="error-summary"')[1].split("</ul>")[0]
    inline = page.split('class="error-message"')[1].split("</p>")[0]
    assert message in summary
    assert message in inline
    assert "autofocus" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


# Integrity: tampered forms, other learners, sizes ----------------------------


def test_another_learners_attempt_is_404_and_untouched(app: Flask) -> None:
    """C.8 cases 16 and 23: another learner's attempt id is 404 and untouched."""
    alice, mallory = app.test_client(), app.test_client()
    attempt_id = web.start(alice)
    url = _q_url("sample", attempt_id, 1)
    assert mallory.get(url).status_code == 404
    token = web.csrf(mallory)
    assert (
        mallory.post(url, data={"answer": "0", "csrf_token": token}).status_code == 404
    )
    submit = f"/quizzes/sample/attempts/{attempt_id}/submit"
    assert mallory.post(submit, data={"csrf_token": token}).status_code == 404
    results = f"/quizzes/sample/attempts/{attempt_id}/results"
    assert mallory.get(results).status_code == 404
    assert web.attempt_row(app, attempt_id).submitted_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/quizzes/sample/attempts/{id}/q/0",
        "/quizzes/sample/attempts/{id}/q/99",
        "/quizzes/sample-test/attempts/{id}/q/1",
        "/quizzes/nope/attempts/{id}/q/1",
        "/quizzes/sample/attempts/999999/q/1",
    ],
)
def test_unknown_question_quiz_or_attempt_is_404(
    client: FlaskClient, path: str
) -> None:
    attempt_id = web.start(client)
    url = path.format(id=attempt_id)
    assert client.get(url).status_code == 404
    resp = client.post(url, data={"answer": "0", "csrf_token": web.csrf(client)})
    assert resp.status_code == 404


def test_extra_fields_give_no_points(app: Flask, client: FlaskClient) -> None:
    """C.8 case 16: tampered hidden fields (score, correct) are ignored."""
    attempt_id = web.start(client)
    quiz = _quiz(app, "sample")
    row = web.attempt_row(app, attempt_id)
    q = quiz.question(row.question_ids[0])
    assert q is not None
    data = {
        **web.wrong_form(q, row.presentations[q.id]),
        "answer-77": "1",
        "points": "100",
        "is_correct": "1",
        "question_id": "signed-when",
        "csrf_token": web.csrf(client),
    }
    resp = client.post(_q_url("sample", attempt_id, 1), data=data)
    assert resp.status_code == 422
    assert "could not be read" in web.html(resp)
    with app.app_context():
        points = db.session.scalar(select(func.coalesce(func.sum(Response.points), 0)))
    assert points == 0


def test_huge_answer_is_413(app: Flask, client: FlaskClient) -> None:
    """C.8 case 17: a body over MAX_CONTENT_LENGTH is 413."""
    attempt_id = web.start(client)
    resp = client.post(
        _q_url("sample", attempt_id, 1),
        data={"answer": "x" * (5 * 1024 * 1024), "csrf_token": web.csrf(client)},
    )
    assert resp.status_code == 413
    assert "too large" in web.html(resp)


def test_long_answer_under_the_limit_is_422(app: Flask, client: FlaskClient) -> None:
    """C.8 case 17: an answer over MAX_ANSWER_CHARS is refused."""
    attempt_id = web.start(client)
    n = _n_of(app, attempt_id, "short_answer")
    resp = client.post(
        _q_url("sample", attempt_id, n),
        data={"answer": "x" * 5000, "csrf_token": web.csrf(client)},
    )
    assert resp.status_code == 422
    page = web.html(resp)
    assert "characters or fewer" in page
    assert "x" * 5000 not in page


def test_many_fields_are_refused(app: Flask, client: FlaskClient) -> None:
    """C.8 case 17: more form fields than MAX_FORM_PARTS are refused."""
    attempt_id = web.start(client)
    data = {f"answer-{i}": "1" for i in range(2000)}
    data["csrf_token"] = web.csrf(client)
    resp = client.post(_q_url("sample", attempt_id, 1), data=data)
    assert resp.status_code == 422


def test_missing_csrf_is_400_and_keeps_the_input(
    app: Flask, client: FlaskClient
) -> None:
    """C.8 case 24: a POST without a CSRF token is 400 and keeps the input."""
    attempt_id = web.start(client)
    quiz = _quiz(app, "sample")
    row = web.attempt_row(app, attempt_id)
    n = next(
        i
        for i, qid in enumerate(row.question_ids, 1)
        if (q := quiz.question(qid)) and q.type == "short_answer"
    )
    resp = client.post(_q_url("sample", attempt_id, n), data={"answer": "Rathenau"})
    assert resp.status_code == 400
    page = web.html(resp)
    assert 'value="Rathenau"' in page
    assert "select the button again" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0


def test_start_without_csrf_is_400(client: FlaskClient) -> None:
    resp = client.post("/quizzes/sample/attempts", data={})
    assert resp.status_code == 400
    assert "The form had expired" in web.html(resp)


def test_submitted_attempt_cannot_change(app: Flask, client: FlaskClient) -> None:
    attempt_id, _ = _take(app, client, "sample-test", web.wrong_form)
    url = _q_url("sample-test", attempt_id, 1)
    assert "already submitted" in web.html(client.get(url))
    resp = client.post(url, data={"answer": "0", "csrf_token": web.csrf(client)})
    assert resp.status_code == 409
    assert _score(app, attempt_id)[0] == 0.0


# Exactly once ------------------------------------------------------------------


def test_double_submit_keeps_one_result(app: Flask, client: FlaskClient) -> None:
    """C.8 case 20: a double submit keeps one result."""
    attempt_id, _ = _take(app, client, "sample-test", _right)
    first = web.attempt_row(app, attempt_id)
    resp = client.post(
        f"/quizzes/sample-test/attempts/{attempt_id}/submit",
        data={"csrf_token": web.csrf(client)},
    )
    assert resp.status_code == 302
    again = web.attempt_row(app, attempt_id)
    assert (again.score, again.submitted_at) == (first.score, first.submitted_at)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_double_click_on_start_makes_one_attempt(
    app: Flask, client: FlaskClient
) -> None:
    page = web.html(client.get("/quizzes/sample"))
    token = web.csrf(client)
    key = page.split('name="key" value="')[1].split('"')[0]
    locations = {
        client.post(
            "/quizzes/sample/attempts", data={"csrf_token": token, "key": key}
        ).headers["Location"]
        for _ in range(3)
    }
    assert len(locations) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_retry_wrong_starts_attempt_with_only_those(
    app: Flask, client: FlaskClient
) -> None:
    def answer(q: Question, presentation: Any) -> dict[str, Any]:
        if q.type in ("numeric", "cloze"):
            return web.wrong_form(q, presentation)
        return _right(q, presentation)

    attempt_id, quiz = _take(app, client, "sample", answer)
    page = web.html(client.get(f"/quizzes/sample/attempts/{attempt_id}/results"))
    key = page.split('name="key" value="')[1].split('"')[0]
    resp = client.post(
        f"/quizzes/sample/attempts/{attempt_id}/retry",
        data={"csrf_token": web.csrf(client), "key": key},
    )
    assert resp.status_code == 302
    new_id = int(resp.headers["Location"].split("/attempts/")[1].split("/")[0])
    new = web.attempt_row(app, new_id)
    wrong = {q.id for q in quiz.questions if q.type in ("numeric", "cloze")}
    assert set(new.question_ids) == wrong
    assert new.retry_of_id == attempt_id
    assert set(new.presentations) == wrong


# Nothing revealed before answering --------------------------------------------


def _feedback_texts(q: Question) -> list[str]:
    """The explanation and every feedback text of q."""
    out = [q.explanation] if q.explanation else []
    for attr in ("feedback",):
        if getattr(q, attr, None):
            out.append(getattr(q, attr))
    for choice in getattr(q, "choices", ()):
        if choice.feedback:
            out.append(choice.feedback)
    for wrong in getattr(q, "wrong_answers", ()):
        out.append(wrong.feedback)
    return [s for s in out if s]


def _secrets(q: Question) -> list[str]:
    """Texts that only the key, feedback or explanation of q contains."""
    out = _feedback_texts(q)
    if q.type == "short_answer":
        out.extend(q.answers)  # type: ignore[attr-defined]
    if q.type == "cloze":
        out.extend(a for b in q.blanks for a in b.answers)  # type: ignore[attr-defined]
    if q.type == "numeric":
        out.extend(["100000", "100,000", "100 000"])
    return [s for s in out if s]


@pytest.mark.parametrize("quiz_id", ["sample", "sample-test", "final"])
def test_no_answers_explanations_or_feedback_before_answering(
    app: Flask, client: FlaskClient, quiz_id: str
) -> None:
    """C.8 case 22: quiz pages carry no key before answering."""
    attempt_id = web.start(client, quiz_id)
    quiz = _quiz(app, quiz_id)
    row = web.attempt_row(app, attempt_id)
    all_secrets = {s for q in quiz.questions for s in _feedback_texts(q)}
    pages = [
        web.html(client.get(f"/quizzes/{quiz_id}")),
        web.html(client.get(f"/quizzes/{quiz_id}/attempts/{attempt_id}/review")),
    ]
    for n, qid in enumerate(row.question_ids, 1):
        q = quiz.question(qid)
        assert q is not None
        page = web.html(client.get(_q_url(quiz_id, attempt_id, n)))
        for secret in _secrets(q):
            assert secret not in page, (qid, secret)
        for marker in ("correct", "result--", "explanation"):
            assert marker not in page.lower().replace("incorrect", ""), (qid, marker)
        pages.append(page)
    for page in pages:
        for secret in all_secrets:
            assert secret not in page, secret


def test_every_quiz_page_renders(app: Flask, client: FlaskClient) -> None:
    practice = web.start(client, "sample")
    test = web.start(client, "sample-test")
    pages = [
        "/quizzes/sample",
        "/quizzes/sample-test",
        "/quizzes/final",
        f"/quizzes/sample/attempts/{practice}/results",  # not submitted: finish page
        f"/quizzes/sample-test/attempts/{test}/review",
        *(_q_url("sample", practice, n) for n in range(1, 10)),
        *(_q_url("sample-test", test, n) for n in range(1, 10)),
    ]
    for path in pages:
        resp = client.get(path)
        assert resp.status_code == 200, path
        page = web.html(resp)
        assert page.count("<h1") == 1, path
        assert "<title>" in page
    finish = web.html(client.get(f"/quizzes/sample/attempts/{practice}/results"))
    assert "Finish the quiz" in finish
    # A test's results before submitting send the learner to the check page.
    resp = client.get(f"/quizzes/sample-test/attempts/{test}/results")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/review")
