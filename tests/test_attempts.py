"""The attempts service: plans stored at start, exactly-once start and submit."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from tests import web
from tests.conftest import SAMPLE
from webapp import attempts, library
from webapp.content.domain import Quiz
from webapp.content.question_types import InputError
from webapp.extensions import db
from webapp.models import Attempt, Learner, Response, utcnow


def _learner(app: Flask, token: str) -> int:
    with app.app_context(), db.transaction() as s:
        learner = Learner(token=token)
        s.add(learner)
        s.flush()
        return learner.id


def _quiz(app: Flask, quiz_id: str = "sample") -> Quiz:
    with app.app_context():
        quiz = library.get_catalog().quiz(quiz_id)
    assert quiz is not None
    return quiz


def test_start_stores_the_plan(app: Flask) -> None:
    learner_id = _learner(app, "a")
    quiz = _quiz(app)
    with app.app_context():
        attempt = attempts.start_attempt(learner_id, quiz, locale="de", seed=42)
        again = attempts.start_attempt(learner_id, quiz, locale="de", seed=42)
    assert attempt.id != again.id
    assert attempt.question_ids == again.question_ids  # the seed decides
    assert attempt.presentations == again.presentations
    assert sorted(attempt.question_ids) == sorted(q.id for q in quiz.questions)
    assert attempt.locale == "de"
    assert attempt.mode == "practice"
    assert attempt.deadline is None
    assert attempt.quiz_version == quiz.version


def test_the_stored_plan_grades_even_if_the_seed_would_differ(app: Flask) -> None:
    learner_id = _learner(app, "a")
    quiz = _quiz(app)
    with app.app_context():
        attempt = attempts.start_attempt(learner_id, quiz, locale="en", seed=1)
        qid = next(q.id for q in quiz.questions if q.type == "single_choice")
        q = quiz.question(qid)
        assert q is not None
        form = web.form_for(q, web.right_answer(q), attempt.presentations[qid])
        raw = {"value": form["answer"]}
        # Another seed in the row must not change what the stored presentation means.
        with db.transaction() as s:
            s.execute(update(Attempt).where(Attempt.id == attempt.id).values(seed=999))
        saved = attempts.save_answer(learner_id, attempt.id, quiz, qid, raw, "en")
    assert saved.score is not None
    assert saved.score.correct


def test_same_idempotency_key_gives_one_attempt_even_concurrently(app: Flask) -> None:
    learner_id = _learner(app, "a")
    quiz = _quiz(app)

    def start(_: int) -> int:
        with app.app_context():
            return attempts.start_attempt(
                learner_id, quiz, locale="en", idempotency_key="k" * 32
            ).id

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(start, range(12)))
    assert len(ids) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_another_learners_key_is_refused(app: Flask) -> None:
    alice, mallory = _learner(app, "a"), _learner(app, "m")
    quiz = _quiz(app)
    with app.app_context():
        attempts.start_attempt(alice, quiz, locale="en", idempotency_key="k" * 32)
        with pytest.raises(attempts.AttemptNotFound):
            attempts.start_attempt(mallory, quiz, locale="en", idempotency_key="k" * 32)


def test_concurrent_submits_grade_once(app: Flask) -> None:
    learner_id = _learner(app, "a")
    quiz = _quiz(app)
    with app.app_context():
        attempt = attempts.start_attempt(learner_id, quiz, locale="en")

    def submit(_: int) -> tuple[Any, Any]:
        with app.app_context():
            done = attempts.submit_attempt(learner_id, attempt.id, quiz)
            return done.submitted_at, done.score

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = set(pool.map(submit, range(8)))
    assert len(results) == 1


def test_closed_attempts_refuse_answers(app: Flask) -> None:
    learner_id = _learner(app, "a")
    quiz = _quiz(app)
    qid = quiz.questions[0].id
    with app.app_context():
        attempt = attempts.start_attempt(learner_id, quiz, locale="en")
        attempts.submit_attempt(learner_id, attempt.id, quiz)
        with pytest.raises(attempts.AttemptClosed) as info:
            attempts.save_answer(
                learner_id, attempt.id, quiz, qid, {"value": ["0"]}, "en"
            )
        assert info.value.time_up is False
        with pytest.raises(attempts.AttemptClosed):
            attempts.clear_answer(learner_id, attempt.id, quiz, qid)


def test_time_up_refuses_answers_after_the_grace(app: Flask) -> None:
    """C.8 case 21: the stored deadline plus grace decides, not the client."""
    learner_id = _learner(app, "a")
    quiz = _quiz(app, "sample")
    qid = quiz.questions[0].id
    with app.app_context():
        attempt = attempts.start_attempt(learner_id, quiz, locale="en", mode="test")
        with db.transaction() as s:
            s.execute(
                update(Attempt)
                .where(Attempt.id == attempt.id)
                .values(deadline=utcnow() - timedelta(seconds=30))
            )
        attempts.clear_answer(learner_id, attempt.id, quiz, qid)  # no deadline check
        with pytest.raises(attempts.AttemptClosed) as info:
            attempts.save_answer(
                learner_id, attempt.id, quiz, qid, {"value": ["0"]}, "en", grace=10
            )
        assert info.value.time_up is True


def test_unknown_question_and_foreign_attempt(app: Flask) -> None:
    alice, mallory = _learner(app, "a"), _learner(app, "m")
    quiz = _quiz(app)
    with app.app_context():
        attempt = attempts.start_attempt(alice, quiz, locale="en")
        with pytest.raises(attempts.QuestionNotInAttempt):
            attempts.save_answer(
                alice, attempt.id, quiz, "nope", {"value": ["0"]}, "en"
            )
        with pytest.raises(attempts.AttemptNotFound):
            attempts.save_answer(
                mallory, attempt.id, quiz, quiz.questions[0].id, {"value": ["0"]}, "en"
            )
        with pytest.raises(attempts.AttemptNotFound):
            attempts.submit_attempt(mallory, attempt.id, quiz)


def test_unreadable_input_writes_nothing(app: Flask) -> None:
    learner_id = _learner(app, "a")
    quiz = _quiz(app)
    qid = next(q.id for q in quiz.questions if q.type == "numeric")
    with app.app_context():
        attempt = attempts.start_attempt(learner_id, quiz, locale="en")
        with pytest.raises(InputError):
            attempts.save_answer(
                learner_id, attempt.id, quiz, qid, {"value": ["3,5"]}, "en"
            )
        assert db.session.scalar(select(func.count()).select_from(Response)) == 0
        # The same text is a number for a German learner.
        saved = attempts.save_answer(
            learner_id, attempt.id, quiz, qid, {"value": ["3,5"]}, "de"
        )
    assert str(saved.answer) == "3.5"


def test_retry_needs_a_submitted_attempt(app: Flask) -> None:
    learner_id = _learner(app, "a")
    quiz = _quiz(app)
    with app.app_context():
        attempt = attempts.start_attempt(learner_id, quiz, locale="en")
        with pytest.raises(attempts.AttemptNotSubmitted):
            attempts.retry_wrong(learner_id, attempt.id, quiz, locale="en")


def test_time_up_page_submits_saved_answers(app: Flask) -> None:
    client = app.test_client()
    attempt_id = web.start(client, "sample")
    with app.app_context(), db.transaction() as s:
        s.execute(
            update(Attempt)
            .where(Attempt.id == attempt_id)
            .values(mode="test", deadline=utcnow() - timedelta(minutes=5))
        )
    resp = client.get(f"/quizzes/sample/attempts/{attempt_id}/q/1")
    assert resp.status_code == 302
    assert "timeup=1" in resp.headers["Location"]
    page = web.html(client.get(resp.headers["Location"]))
    assert "Time is up" in page
    row = web.attempt_row(app, attempt_id)
    assert row.submitted_at == row.deadline  # the deadline, not the late request
    assert row.score == 0.0


def test_a_question_removed_from_the_yaml_does_not_break_submit(
    make_app: Any, content_root: Any
) -> None:
    app = make_app()
    learner_id = _learner(app, "a")
    quiz = _quiz(app)
    with app.app_context():
        attempt = attempts.start_attempt(learner_id, quiz, locale="en")
    path = content_root / "quizzes" / "sample.yaml"
    text = path.read_text()
    start = text.index("  - id: place\n")
    end = text.index("  - id: provisions\n")
    path.write_text(text[:start] + text[end:])
    changed = make_app()
    quiz2 = _quiz(changed)
    assert quiz2.question("place") is None
    with changed.app_context():
        done = attempts.submit_attempt(learner_id, attempt.id, quiz2)
    assert done.max_score == len(quiz.questions) - 1


def test_a_fresh_worker_serves_a_question_page_first(tmp_path: Path) -> None:
    """A server process whose first request is a question page (no ORM query yet)."""
    script = textwrap.dedent(
        """
        import re, sys
        from webapp import create_app
        config = {"INSTANCE_PATH": sys.argv[1], "SECRET_KEY": "k",
                  "AUTO_MIGRATE": True, "CONTENT_ROOT": sys.argv[2]}
        app = create_app(config)
        client = app.test_client()
        if sys.argv[3] == "start":
            page = client.get("/quizzes/sample").get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            key = re.search(r'name="key" value="([^"]+)"', page).group(1)
            resp = client.post("/quizzes/sample/attempts",
                               data={"csrf_token": token, "key": key})
            print(resp.headers["Location"], client.get_cookie("interwar_session").value)
        else:
            client.set_cookie("interwar_session", sys.argv[5])
            print(client.get(sys.argv[4]).status_code)
        """
    )
    args = [sys.executable, "-c", script, str(tmp_path / "i"), str(SAMPLE)]
    out = subprocess.run(
        [*args, "start"], capture_output=True, text=True, check=True
    ).stdout.split()
    status = subprocess.run(
        [*args, "page", out[0], out[1]], capture_output=True, text=True, check=True
    ).stdout.split()
    assert status == ["200"]
