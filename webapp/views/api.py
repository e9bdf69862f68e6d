"""The JSON API at /api/v1: units, quizzes, attempts and answers of the current learner.

Texts are in the request's language (`?lang=`, the session, Accept-Language), as
in the pages; an attempt's questions and results stay in the language it was
started in, in which its answers are read and graded.

The learner is the one named by the signed session cookie, as in the HTML pages;
POSTs carry the page's CSRF token in an X-CSRFToken header. Every error is JSON
`{"errors": [...]}` with a 4xx status. Nothing here grades or writes by itself:
`attempts` does, and keys, feedback and explanations leave only through
`presenters.feedback`, once a question is answered (practice) or submitted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from types import SimpleNamespace
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    render_template,
    request,
    url_for,
)
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, ValidationError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from webapp import attempts, grading, library, localized, presenters
from webapp.content.domain import Lesson, Question, Quiz, Score
from webapp.content.i18n import Localized
from webapp.content.question_types import REGISTRY, InputError
from webapp.extensions import db
from webapp.i18n import current_locale
from webapp.learners import current_learner, current_token, ensure_learner
from webapp.models import Attempt, Learner
from webapp.views import api_schemas as s
from webapp.views import query_arg

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Ids in paths are database integers: larger ones cannot name a row (and would
# overflow the driver), so the router answers 404 for them.
MAX_ID = 2**31 - 1
ATTEMPT = f"<int(max={MAX_ID}):attempt_id>"


class ApiError(Exception):
    """A 4xx answer with a list of problems."""

    def __init__(
        self, status: int, code: str, message: str, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = [{"code": code, "message": message, "field": field}]


@cache
def _schema(cls: type[Schema]) -> Schema:
    """Return the one instance of a schema class.

    Building a schema deep-copies its declared fields (about a fifth of a graded
    answer's time); dump() and load() keep no state on the instance.
    """
    return cls()


def error_response(status: int, errors: list[dict[str, Any]]) -> Response:
    """Return the JSON error body every API failure uses."""
    resp = jsonify(_schema(s.ErrorResponse).dump({"errors": errors}))
    resp.status_code = status
    return resp


def http_error(exc: HTTPException) -> Response:
    """Turn an HTTP exception raised under /api/ into a JSON error."""
    code = exc.code or 500
    name = (exc.name or "error").lower().replace(" ", "_")
    resp = error_response(code, [{"code": name, "message": exc.description or ""}])
    for header, value in exc.get_headers():
        if header.lower() == "allow":  # 405 says which methods the path has
            resp.headers["Allow"] = value
    return resp


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return error_response(exc.status, exc.errors)


@bp.errorhandler(CSRFError)
def _csrf_error(exc: CSRFError) -> Response:
    # Registered for CSRFError itself so it wins over the app's HTML handler.
    return error_response(
        400, [{"code": "csrf", "message": exc.description or "CSRF token missing."}]
    )


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    return http_error(exc)


@bp.errorhandler(500)
def _server_error(_exc: Exception) -> Response:
    return error_response(500, [{"code": "server_error", "message": "Server error."}])


def _json(schema: Schema, data: Any, status: int = 200) -> Response:
    body = schema.dump(data)
    provider = current_app.json
    if (
        type(provider) is not DefaultJSONProvider
        or provider.compact is False
        or (provider.compact is None and current_app.debug)
    ):
        resp = jsonify(body)
        resp.status_code = status
        return resp
    # What jsonify writes, with one encoder kept for the options instead of a
    # new one per call (a tenth of a saved answer's serializing).
    text = _encoder(provider.ensure_ascii, provider.sort_keys).encode(body)
    return current_app.response_class(
        text + "\n", status=status, mimetype=provider.mimetype
    )


@cache
def _encoder(ensure_ascii: bool, sort_keys: bool) -> json.JSONEncoder:
    return json.JSONEncoder(
        ensure_ascii=ensure_ascii,
        sort_keys=sort_keys,
        separators=(",", ":"),
        default=DefaultJSONProvider.default,
    )


def _body(schema: Schema) -> dict[str, Any]:
    """Read the JSON body through `schema`: 400 if not JSON, 422 if invalid."""
    raw = request.get_data(cache=True)  # 413 above MAX_CONTENT_LENGTH
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):  # deep nesting exhausts the parser
            raise ApiError(400, "invalid_json", "The body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "The body must be a JSON object.")
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as err:
        raise _validation_error(err) from None
    return loaded


def _validation_error(err: ValidationError) -> ApiError:
    flat: list[dict[str, Any]] = []

    def walk(messages: Any, path: str) -> None:
        if isinstance(messages, Mapping):
            for key, value in messages.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
            for m in messages:
                flat.append({"code": "invalid", "message": m, "field": path or None})
        elif isinstance(messages, list):
            for i, m in enumerate(messages):
                walk(m, f"{path}.{i}")
        else:
            flat.append({"code": "invalid", "message": str(messages), "field": path})

    walk(err.messages, "")
    exc = ApiError(422, "invalid", "The request is not valid.")
    exc.errors = flat or exc.errors
    return exc


# Reading the learner's state ---------------------------------------------------


def _learner_attempt(attempt_id: int) -> tuple[Attempt, Quiz]:
    """Return the current learner's attempt and its quiz, or 404 (others' too).

    The attempt is this request's detached view of the row (id, plan, mode,
    language): a write of `attempts` in between cannot expire it. Writes lock
    and read the row themselves.
    """
    try:
        attempt = attempts.get_attempt_for_token(db.reader, current_token(), attempt_id)
    except attempts.AttemptNotFound:
        raise ApiError(404, "not_found", "There is no such attempt.") from None
    quiz = library.get_catalog().quiz(attempt.quiz_id)
    if quiz is None:
        raise ApiError(404, "not_found", "The quiz of this attempt no longer exists.")
    return attempt, quiz


def _quiz(quiz_id: str) -> Quiz:
    quiz = library.get_catalog().quiz(quiz_id)
    if quiz is None:
        raise ApiError(404, "not_found", "There is no such quiz.")
    return quiz


def _progress(
    quiz: Quiz, best: Mapping[str, Attempt], opened: Mapping[str, Attempt]
) -> dict[str, Any]:
    done = best.get(quiz.id)
    open_attempt = opened.get(quiz.id)
    percent = None
    if done is not None and done.max_score:
        percent = round(100.0 * (done.score or 0.0) / done.max_score, 2)
    if done is not None:
        status = "completed" if done.passed else "tried"
    else:
        status = "in_progress" if open_attempt else "not_started"
    return {
        "status": status,
        "best_attempt_id": done.id if done else None,
        "best_percent": percent,
        "open_attempt_id": open_attempt.id if open_attempt else None,
    }


def _learner_progress(
    learner: Learner | None,
) -> tuple[dict[str, Attempt], dict[str, Attempt]]:
    if learner is None:
        return {}, {}
    return (
        attempts.best_attempts(db.session, learner.id),
        attempts.open_attempts(db.session, learner.id),
    )


def _quiz_summary(
    quiz: Quiz, best: Mapping[str, Attempt], opened: Mapping[str, Attempt]
) -> dict[str, Any]:
    quiz = library.localized_quiz(quiz, current_locale()).value
    return {
        "id": quiz.id,
        "title": quiz.title,
        "lesson": quiz.lesson,
        "mode": quiz.mode,
        "question_count": quiz.attempt_size,
        "pass_mark": quiz.pass_mark,
        "time_limit": quiz.time_limit,
        "url": url_for("quizzes.start", quiz_id=quiz.id),
        "progress": _progress(quiz, best, opened),
        "description": quiz.description,
        "language": quiz.language,
        "shuffle": quiz.shuffle,
    }


def _lesson_summary(lesson: Lesson) -> dict[str, Any]:
    lesson = library.localized_lesson(lesson, current_locale()).value
    return {
        "id": lesson.id,
        "title": lesson.title,
        "summary": lesson.summary,
        "minutes": lesson.minutes,
        "url": url_for("lessons.lesson", lesson_id=lesson.id),
    }


def _public(q: Question, attempt: Attempt, n: int) -> dict[str, Any]:
    try:
        pub = REGISTRY[q.type].public(q, attempts.presentation_of(attempt, q.id))
    except InputError:
        raise ApiError(
            409, "stale", "This question changed after the attempt started."
        ) from None
    return {**pub, "n": n}


def _see_title(q: Question, locale: str) -> str | None:
    if not (q.see and q.see_lesson):
        return None
    lesson = library.get_catalog().lesson(q.see_lesson)
    if lesson is None:
        return None
    section = library.localized_lesson(lesson, locale).value.section(q.see)
    return section.title if section else None


def _result(
    q: Question, answer: Any | None, score: Score, locale: str
) -> dict[str, Any]:
    fb = presenters.feedback(q, answer, score, see_title=_see_title(q, locale))
    return _result_of(fb)


def _result_of(fb: presenters.Feedback) -> dict[str, Any]:
    return {
        "state": fb.state,
        "correct": fb.state == "correct",
        "heading": fb.heading,
        "points": fb.points,
        "max_points": fb.max_points,
        "your_answer": fb.your_answer,
        "right_answer": fb.right_answer,
        "feedback": [str(m) for m in fb.messages],
        "explanation": str(fb.explanation),
        "see": {"url": fb.see_url, "title": fb.see_title} if fb.see_url else None,
    }


def _attempt_body(attempt: Attempt, quiz: Quiz) -> dict[str, Any]:
    quiz = attempts.quiz_in_language(quiz, attempt)
    responses = attempts.responses_of(db.session, attempt.id)
    questions = []
    for n, qid in enumerate(attempt.question_ids, 1):
        q = quiz.question(qid)
        if q is None:
            continue  # removed from the YAML since the attempt started
        answer = attempts.load_answer(q, responses.get(qid))
        practice = attempt.mode == "practice"
        graded = attempt.submitted or (practice and answer is not None)
        result = (
            _result(q, answer, grading.grade_answer(q, answer), attempt.locale)
            if graded
            else None
        )
        entry = {
            **_public(q, attempt, n),
            "answered": answer is not None,
            "your_answer": None
            if answer is None
            else presenters.answer_words(q, answer),
            "result": result,
        }
        # An object, not a dict: marshmallow would read a dict's missing "items"
        # key as its .items method.
        questions.append(SimpleNamespace(**entry))
    percent = None
    if attempt.submitted and attempt.max_score:
        percent = round(100.0 * (attempt.score or 0.0) / attempt.max_score, 2)
    return {
        "id": attempt.id,
        "quiz_id": attempt.quiz_id,
        "mode": attempt.mode,
        "status": "submitted" if attempt.submitted else "open",
        "started_at": attempt.started_at,
        "deadline": attempt.deadline,
        "submitted_at": attempt.submitted_at,
        "score": attempt.score if attempt.submitted else None,
        "max_score": attempt.max_score if attempt.submitted else None,
        "percent": percent,
        "passed": attempt.passed if attempt.submitted else None,
        "pass_mark": quiz.pass_mark,
        "questions": questions,
        "url": url_for("quizzes.results", quiz_id=quiz.id, attempt_id=attempt.id)
        if attempt.submitted
        else url_for("quizzes.question", quiz_id=quiz.id, attempt_id=attempt.id, n=1),
    }


def _grace() -> int:
    return int(current_app.config["DEADLINE_GRACE_SECONDS"])


def _closed(attempt: Attempt, quiz: Quiz, time_up: bool) -> ApiError:
    if time_up:
        # As in the pages: an attempt out of time is submitted with what was saved.
        attempts.submit_attempt(attempt.learner_id, attempt.id, quiz)
        return ApiError(
            409, "time_up", "Time is up: your saved answers were submitted."
        )
    return ApiError(409, "submitted", "This attempt has already been submitted.")


# Endpoints ---------------------------------------------------------------------


@bp.get("/units")
def units() -> Response:
    """List the lesson units with their quizzes and this learner's progress."""
    catalog = library.get_catalog()
    best, opened = _learner_progress(current_learner())
    body = {
        "units": [
            {
                "lesson": _lesson_summary(lesson),
                "quizzes": [
                    _quiz_summary(q, best, opened)
                    for q in catalog.quizzes_for_lesson(lesson.id)
                ],
            }
            for lesson in catalog.lessons.values()
        ],
        "other_quizzes": [
            _quiz_summary(q, best, opened)
            for q in catalog.quizzes.values()
            if q.lesson not in catalog.lessons
        ],
    }
    return _json(_schema(s.UnitsResponse), body)


@bp.get("/quizzes/<quiz_id>")
def quiz(quiz_id: str) -> Response:
    """Return a quiz's metadata and this learner's progress (never its keys)."""
    found = _quiz(quiz_id)
    best, opened = _learner_progress(current_learner())
    return _json(_schema(s.QuizDetail), _quiz_summary(found, best, opened))


@bp.post("/quizzes/<quiz_id>/attempts")
def start_attempt(quiz_id: str) -> Response:
    """Start an attempt for this learner; the same idempotency key returns it again."""
    found = _quiz(quiz_id)
    body = _body(_schema(s.StartAttemptRequest))
    learner = ensure_learner()
    try:
        attempt = attempts.start_attempt(
            learner.id,
            found,
            locale=current_locale(),
            idempotency_key=body.get("idempotency_key"),
        )
    except attempts.AttemptNotFound:
        raise ApiError(
            409, "key_in_use", "This idempotency key belongs to another attempt."
        ) from None
    return _json(_schema(s.AttemptResponse), _attempt_body(attempt, found), 201)


@bp.get(f"/attempts/{ATTEMPT}")
def attempt(attempt_id: int) -> Response:
    """Return the attempt; results only for answered (practice) or submitted ones."""
    found, quiz = _learner_attempt(attempt_id)
    return _json(_schema(s.AttemptResponse), _attempt_body(found, quiz))


@bp.post(f"/attempts/{ATTEMPT}/answers/<question_id>")
def answer(attempt_id: int, question_id: str) -> Response:
    """Save one answer; in practice mode grade it and return its feedback.

    With `?html=1` the feedback also comes as the question page's HTML block.
    """
    found, quiz = _learner_attempt(attempt_id)
    body = _body(_schema(s.AnswerRequest))
    if found.submitted:
        raise _closed(found, quiz, time_up=False)
    shown = library.localized_quiz(quiz, found.locale)
    q = shown.value.question(question_id)
    if question_id not in found.question_ids or q is None:
        raise ApiError(404, "not_found", "This question is not in the attempt.")
    n = found.question_ids.index(question_id) + 1
    assert q is not None
    pub = _public(q, found, n)
    form = MultiDict(
        [
            (presenters.form_name(key), value)
            for key, values in body["answer"].items()
            for value in values
        ]
    )
    try:
        raw = presenters.raw_answer(
            form,
            int(current_app.config["MAX_ANSWER_CHARS"]),
            presenters.answer_keys(pub),
        )
        if found.mode == "test" and presenters.is_blank(raw):
            attempts.clear_answer(found.learner_id, found.id, quiz, q.id)
            return _json(
                _schema(s.AnswerResponse),
                {
                    "question_id": q.id,
                    "status": "cleared",
                    "tries": 0,
                    "result": None,
                    "html": None,
                },
            )
        saved = attempts.save_answer(
            found.learner_id,
            found.id,
            quiz,
            q.id,
            raw,
            grace=_grace(),
            attempt=found,
        )
    except InputError as err:
        msg = presenters.input_error(err, q, pub, n, found.locale).message
        raise ApiError(422, err.code, msg, "answer") from None
    except attempts.AttemptClosed as closed:
        raise _closed(found, quiz, closed.time_up) from None
    result = html = None
    if saved.score is not None:
        fb = presenters.feedback(
            q, saved.answer, saved.score, see_title=_see_title(q, found.locale)
        )
        result = _result_of(fb)
        # The page's script asks for the rendered block (?html=1); other clients
        # get the same feedback as data without paying for the template.
        if query_arg("html") == "1":
            html = _feedback_html(shown, found, pub, n, fb)
    return _json(
        _schema(s.AnswerResponse),
        {
            "question_id": q.id,
            "status": "graded" if saved.score is not None else "saved",
            "tries": saved.tries,
            "result": result,
            "html": html,
        },
    )


def _feedback_html(
    shown: Localized[Quiz],
    attempt: Attempt,
    pub: Mapping[str, Any],
    n: int,
    fb: presenters.Feedback,
) -> str:
    """Render the feedback block exactly as the question page does."""
    last = n >= len(attempt.question_ids)
    quiz = shown.value
    return render_template(
        "quizzes/_feedback.html",
        quiz=quiz,
        tr=localized.for_quiz(shown).at(f"questions.{pub['id']}"),
        attempt=attempt,
        n=n,
        pub=pub,
        stimulus_first=pub.get("stimulus") is not None,
        fb=fb,
        last=last,
        next_url=url_for("quizzes.results", quiz_id=quiz.id, attempt_id=attempt.id)
        if last
        else url_for(
            "quizzes.question", quiz_id=quiz.id, attempt_id=attempt.id, n=n + 1
        ),
    )


@bp.post(f"/attempts/{ATTEMPT}/submit")
def submit(attempt_id: int) -> Response:
    """Grade and close the attempt; submitting again returns the same result."""
    found, quiz = _learner_attempt(attempt_id)
    _body(_schema(s.Strict))
    closed = attempts.submit_attempt(found.learner_id, found.id, quiz)
    return _json(_schema(s.AttemptResponse), _attempt_body(closed, quiz))


@bp.get("/openapi.json")
def openapi() -> Response:
    """Return the OpenAPI 3 document of this API."""
    from webapp.views.api_spec import build_spec

    return jsonify(build_spec())
