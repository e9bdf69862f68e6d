"""Quiz pages: start, one question per page, check answers, submit, results, retry."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from webapp import attempts, grading, library, localized, presenters, security, skeleton
from webapp.content.domain import Question, Quiz
from webapp.content.i18n import Localized
from webapp.content.question_types import REGISTRY, InputError
from webapp.csrf import generate_csrf
from webapp.extensions import db
from webapp.i18n import current_locale, gettext, lang_nav
from webapp.learners import current_learner, current_token, ensure_learner
from webapp.models import Attempt, utcnow
from webapp.views import query_arg

bp = Blueprint("quizzes", __name__, url_prefix="/quizzes")

_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
Page = str | tuple[str, int] | WerkzeugResponse


def _attempt_or_404(quiz: Quiz, attempt_id: int) -> Attempt:
    try:
        return attempts.get_attempt_for_token(
            db.reader, current_token(), attempt_id, quiz.id
        )
    except attempts.AttemptNotFound:
        abort(404)


def _question_at(quiz: Quiz, attempt: Attempt, n: int) -> Question:
    if not 1 <= n <= len(attempt.question_ids):
        abort(404)
    q = quiz.question(attempt.question_ids[n - 1])
    if q is None:  # removed from the YAML since the attempt started
        abort(404)
    return q


def _see_title(q: Question, locale: str) -> str | None:
    """Return the title of the section a question points to, in `locale`."""
    if not (q.see and q.see_lesson):
        return None
    lesson = library.get_catalog().lesson(q.see_lesson)
    if lesson is None:
        return None
    section = library.localized_lesson(lesson, locale).value.section(q.see)
    return section.title if section else None


def _shown(quiz: Quiz, attempt: Attempt) -> Localized[Quiz]:
    """Return the quiz in the attempt's language (the one it is graded in)."""
    return library.localized_quiz(quiz, attempt.locale)


def _attempt_context(loc: Localized[Quiz], attempt: Attempt) -> dict[str, Any]:
    """Return what every attempt page shows about its language."""
    return {
        "quiz": loc.value,
        "quiz_tr": localized.for_quiz(loc),
        "content_locale": attempt.locale,
        # The learner switched language after starting: say why nothing changed.
        "attempt_language": localized.language_name(attempt.locale)
        if attempt.locale != current_locale()
        else None,
    }


def _grace() -> int:
    return int(current_app.config["DEADLINE_GRACE_SECONDS"])


def _time_up(quiz: Quiz, attempt: Attempt) -> WerkzeugResponse | None:
    """Close an attempt whose time ran out and send the learner to the result."""
    if attempt.submitted or not attempts.is_time_up(attempt, grace=_grace()):
        return None
    attempts.submit_attempt(attempt.learner_id, attempt.id, quiz)
    return redirect(
        url_for(".results", quiz_id=quiz.id, attempt_id=attempt.id, timeup=1)
    )


def _minutes_left(attempt: Attempt) -> int | None:
    if attempt.deadline is None:
        return None
    seconds = (attempt.deadline - utcnow()).total_seconds()
    return max(0, int(seconds // 60) + (1 if seconds % 60 else 0))


def _timer_html(attempt: Attempt) -> Markup:
    """Return the countdown of a timed attempt (nothing for an untimed one)."""
    minutes = _minutes_left(attempt)
    if minutes is None:
        return Markup("")
    return Markup(get_template_attribute("macros.html", "timer")(minutes))


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _posted_key() -> str | None:
    key = request.form.get("key", "")
    return key if _KEY.fullmatch(key) else None


@bp.get("/<quiz_id>")
def start(quiz_id: str) -> Page:
    """Show what the quiz is and a Start button that creates the attempt."""
    quiz = library.quiz_or_404(quiz_id)
    learner = current_learner()
    best = attempts.best_attempts(db.session, learner.id) if learner else {}
    opened = attempts.open_attempts(db.session, learner.id) if learner else {}
    lesson = library.get_catalog().lesson(quiz.lesson) if quiz.lesson else None
    loc = library.localized_quiz(quiz, current_locale())
    return render_template(
        "quizzes/start.html",
        quiz=loc.value,
        quiz_tr=localized.for_quiz(loc),
        lesson=lesson,
        best=best.get(quiz.id),
        unfinished=opened.get(quiz.id),
        key=_new_key(),
    )


@bp.post("/<quiz_id>/attempts")
def start_post(quiz_id: str) -> Page:
    """Create the attempt (the same form key twice gives the same attempt)."""
    quiz = library.quiz_or_404(quiz_id)
    learner = ensure_learner()
    try:
        attempt = attempts.start_attempt(
            learner.id, quiz, locale=current_locale(), idempotency_key=_posted_key()
        )
    except attempts.AttemptNotFound:
        abort(400)
    return redirect(url_for(".question", quiz_id=quiz.id, attempt_id=attempt.id, n=1))


def _next_url(quiz: Quiz, attempt: Attempt, n: int) -> str:
    if query_arg("return") == "review" or n >= len(attempt.question_ids):
        if attempt.mode == "test":
            return url_for(".review", quiz_id=quiz.id, attempt_id=attempt.id)
        if n >= len(attempt.question_ids):
            return url_for(".results", quiz_id=quiz.id, attempt_id=attempt.id)
    return url_for(".question", quiz_id=quiz.id, attempt_id=attempt.id, n=n + 1)


def _back_url(quiz: Quiz, attempt: Attempt, n: int) -> str:
    if query_arg("return") == "review":
        return url_for(".review", quiz_id=quiz.id, attempt_id=attempt.id)
    if n > 1:
        return url_for(".question", quiz_id=quiz.id, attempt_id=attempt.id, n=n - 1)
    return url_for(".start", quiz_id=quiz.id)


def _public(q: Question, attempt: Attempt) -> dict[str, Any]:
    """Return the learner's view of q in this attempt (409 if it no longer fits)."""
    try:
        return REGISTRY[q.type].public(q, attempts.presentation_of(attempt, q.id))
    except InputError:
        abort(409)  # the stored presentation no longer fits the changed question


# Rendered answer fields of question forms, shared by every learner who sees the
# same question the same way: {key: (localized quiz, html)}. See _fields_html.
_FIELDS_CACHE = "interwar.question_fields"
_FIELDS_MAX = 4096


def _fields_html(
    loc: Localized[Quiz],
    attempt: Attempt,
    q: Question,
    pub: dict[str, Any],
    n: int,
    *,
    heading: bool,
    values: dict[str, list[str]],
    error: presenters.FieldError | None,
    tr: localized.Fallbacks,
) -> Markup:
    """Return the answer fields of question n (the type's template), rendered.

    An empty form (no refill values, no error) depends only on the translated
    quiz, the question, its stored presentation (choice order), n, the heading
    level, the attempt's language and the interface language, so it is rendered
    once per such key and reused; the public view `pub` is all it shows, never a
    key or feedback. Refilled or erroneous forms are the learner's own and are
    always rendered. A reloaded catalog or .po file gives a new `loc`, so the
    entry is not found (identity is checked), and the cache is bounded.
    """
    base = f"q{n}"
    context = {
        "pub": pub,
        "tr": tr,
        "n": n,
        "base": base,
        "heading": heading,
        "hint_id": base + "-hint",
        "error_id": base + "-error",
        "values": values,
        "error": error,
        "content_locale": attempt.locale,
    }
    if values or error is not None:
        return Markup(render_template("quizzes/_fields.html", **context))
    presentation = attempts.presentation_of(attempt, q.id)
    # The translated quiz object is the identity of the translation (a source-
    # language Localized is a new wrapper around the same quiz on every call).
    key = (
        id(loc.value),
        loc.locale,
        q.id,
        tuple(sorted((k, tuple(v)) for k, v in presentation.items())),
        n,
        heading,
        attempt.locale,
        current_locale(),
    )
    cache: dict[Any, tuple[Quiz, Markup]] = current_app.extensions.setdefault(
        _FIELDS_CACHE, {}
    )
    hit = cache.get(key)
    if hit is not None and hit[0] is loc.value:
        return hit[1]
    html = Markup(render_template("quizzes/_fields.html", **context))
    if len(cache) >= _FIELDS_MAX:
        cache.clear()
    cache[key] = (loc.value, html)
    return html


def _render_question(
    quiz: Quiz,
    attempt: Attempt,
    n: int,
    *,
    values: dict[str, list[str]] | None = None,
    error: presenters.FieldError | None = None,
    status: int = 200,
) -> tuple[str, int]:
    loc = _shown(quiz, attempt)
    q = _question_at(loc.value, attempt, n)
    qtype = REGISTRY[q.type]
    presentation = attempts.presentation_of(attempt, q.id)
    pub = _public(q, attempt)
    resp = attempts.response_of(db.reader, attempt.id, q.id)
    answer = attempts.load_answer(q, resp)
    fb = None
    retry = query_arg("retry") == "1"
    if (
        attempt.mode == "practice"
        and answer is not None
        and not retry
        and error is None
    ):
        fb = presenters.feedback(
            q,
            answer,
            grading.grade_answer(q, answer),
            see_title=_see_title(q, attempt.locale),
        )
    elif values is None and answer is not None and not retry:
        # Written the way the attempt's language reads numbers back ("1,5").
        values = qtype.form_values(q, answer, presentation, attempt.locale)
    tr = localized.for_quiz(loc).at(f"questions.{q.id}")
    fields = None
    if fb is None:
        fields = _fields_html(
            loc,
            attempt,
            q,
            pub,
            n,
            heading=pub.get("stimulus") is None,
            values=values or {},
            error=error,
            tr=tr,
        )
    last = n >= len(attempt.question_ids)
    return_to = query_arg("return")
    context = {
        **_attempt_context(loc, attempt),
        "tr": tr,
        "attempt": attempt,
        "n": n,
        "total": len(attempt.question_ids),
        "pub": pub,
        "values": values or {},
        "error": error,
        "fb": fb,
        "last": last,
        "return_to": return_to,
    }
    # The parts of the page that differ between learners who see the question.
    holes = {
        "fields": fields,
        "back_url": _back_url(quiz, attempt, n),
        "api_url": url_for("api.answer", attempt_id=attempt.id, question_id=q.id),
        "finish_url": url_for(
            ".review" if attempt.mode == "test" else ".results",
            quiz_id=quiz.id,
            attempt_id=attempt.id,
        ),
        "timer_html": _timer_html(attempt),
    }
    if (
        fb is not None
        or values
        or error is not None
        or return_to
        or not current_app.config["PAGE_SKELETONS"]
    ):
        # Feedback, refilled or wrong answers: this learner's own page.
        html = render_template(
            "quizzes/question.html",
            **context,
            **holes,
            next_url=_next_url(quiz, attempt, n),
        )
        return html, status
    catalog = library.get_catalog()
    html = skeleton.render(
        "quizzes/question.html",
        # Everything else the page shows: the translated quiz (its identity),
        # the question and its place, the mode, both languages, the mount point
        # and the content errors (the --dev banner).
        key=(
            "question",
            id(catalog),
            id(loc.value),
            loc.locale,
            q.id,
            n,
            len(attempt.question_ids),
            attempt.mode,
            attempt.locale,
            current_locale(),
            request.script_root,
        ),
        keep=(catalog, loc.value),
        context=context,
        holes=holes,
        calls={"csrf_token": generate_csrf, "lang_nav": lang_nav},
    )
    return html, status


@bp.route("/<quiz_id>/attempts/<int:attempt_id>/q/<int:n>", methods=["GET", "POST"])
def question(quiz_id: str, attempt_id: int, n: int) -> Page:
    """Show question n of the attempt; on POST check (practice) or save (test) it."""
    quiz = library.quiz_or_404(quiz_id)
    attempt = _attempt_or_404(quiz, attempt_id)
    if attempt.submitted:
        return render_template(
            "quizzes/closed.html", quiz=_shown(quiz, attempt).value, attempt=attempt
        ), (409 if request.method == "POST" else 200)
    timed_out = _time_up(quiz, attempt)
    if timed_out is not None:
        return timed_out
    q = _question_at(_shown(quiz, attempt).value, attempt, n)
    if request.method == "GET":
        return _render_question(quiz, attempt, n)

    next_url = _next_url(quiz, attempt, n)
    if request.form.get("action") == "skip":
        return redirect(next_url)
    max_chars = int(current_app.config["MAX_ANSWER_CHARS"])
    pub = _public(q, attempt)
    raw: dict[str, list[str]] = {}
    try:
        raw = presenters.raw_answer(
            request.form, max_chars, presenters.answer_keys(pub)
        )
        if attempt.mode == "test" and presenters.is_blank(raw):
            attempts.clear_answer(attempt.learner_id, attempt.id, quiz, q.id)
            return redirect(next_url)
        attempts.save_answer(
            attempt.learner_id,
            attempt.id,
            quiz,
            q.id,
            raw,
            grace=_grace(),
            attempt=attempt,
        )
    except InputError as err:
        # Refill the form with what was typed, but not with an oversize value.
        shown = {} if err.code == "too_long" else raw
        return _render_question(
            quiz,
            attempt,
            n,
            values=shown,
            error=presenters.input_error(err, q, pub, n, attempt.locale),
            status=422,
        )
    except attempts.AttemptClosed as closed:
        if closed.time_up:
            timed = _time_up(quiz, attempt)
            if timed is not None:
                return timed
        return render_template(
            "quizzes/closed.html", quiz=_shown(quiz, attempt).value, attempt=attempt
        ), 409
    if attempt.mode == "practice":
        # The same page shows the feedback now (without ?retry=1).
        return redirect(
            url_for(".question", quiz_id=quiz.id, attempt_id=attempt.id, n=n)
        )
    return redirect(next_url)


def _csrf_rerender() -> tuple[str, int]:
    """Show the question again with the learner's input after a CSRF failure."""
    args = request.view_args or {}
    quiz = library.quiz_or_404(str(args.get("quiz_id")))
    attempt = _attempt_or_404(quiz, int(args.get("attempt_id", 0)))
    n = int(args.get("n", 0))
    q = _question_at(_shown(quiz, attempt).value, attempt, n)
    try:
        values = presenters.raw_answer(
            request.form, int(current_app.config["MAX_ANSWER_CHARS"])
        )
    except InputError:
        values = {}
    error = presenters.FieldError(
        gettext("Your answer has not been saved yet – select the button again"),
        presenters.first_field(_public(q, attempt), n),
    )
    return _render_question(quiz, attempt, n, values=values, error=error, status=400)


security.CSRF_RERENDER["quizzes.question"] = _csrf_rerender


@bp.get("/<quiz_id>/attempts/<int:attempt_id>/review")
def review(quiz_id: str, attempt_id: int) -> Page:
    """Check your answers before you submit (test mode)."""
    quiz = library.quiz_or_404(quiz_id)
    attempt = _attempt_or_404(quiz, attempt_id)
    if attempt.submitted:
        return redirect(url_for(".results", quiz_id=quiz.id, attempt_id=attempt.id))
    timed_out = _time_up(quiz, attempt)
    if timed_out is not None:
        return timed_out
    responses = attempts.responses_of(db.session, attempt.id)
    loc = _shown(quiz, attempt)
    tr = localized.for_quiz(loc)
    rows = []
    for n, qid in enumerate(attempt.question_ids, 1):
        q = loc.value.question(qid)
        if q is None:
            continue
        answer = attempts.load_answer(q, responses.get(qid))
        rows.append(
            {
                "n": n,
                "prompt": q.prompt,
                "tr": tr.at(f"questions.{qid}"),
                "answer": None
                if answer is None
                else presenters.answer_words(q, answer),
            }
        )
    return render_template(
        "quizzes/review.html",
        **_attempt_context(loc, attempt),
        attempt=attempt,
        rows=rows,
        minutes_left=_minutes_left(attempt),
    )


@bp.post("/<quiz_id>/attempts/<int:attempt_id>/submit")
def submit(quiz_id: str, attempt_id: int) -> Page:
    """Grade and close the attempt; a second submit shows the same result."""
    quiz = library.quiz_or_404(quiz_id)
    attempt = _attempt_or_404(quiz, attempt_id)
    attempts.submit_attempt(attempt.learner_id, attempt.id, quiz)
    return redirect(url_for(".results", quiz_id=quiz.id, attempt_id=attempt.id))


@bp.get("/<quiz_id>/attempts/<int:attempt_id>/results")
def results(quiz_id: str, attempt_id: int) -> Page:
    """Show the score, pass or fail, and every question with its feedback."""
    quiz = library.quiz_or_404(quiz_id)
    attempt = _attempt_or_404(quiz, attempt_id)
    if not attempt.submitted:
        if attempt.mode == "test":
            return redirect(url_for(".review", quiz_id=quiz.id, attempt_id=attempt.id))
        return render_template(
            "quizzes/finish.html", quiz=_shown(quiz, attempt).value, attempt=attempt
        )
    responses = attempts.responses_of(db.session, attempt.id)
    loc = _shown(quiz, attempt)
    tr = localized.for_quiz(loc)
    items = []
    wrong = 0
    for n, qid in enumerate(attempt.question_ids, 1):
        q = loc.value.question(qid)
        if q is None:
            continue
        resp = responses.get(qid)
        answer = attempts.load_answer(q, resp)
        score = grading.grade_answer(q, answer)
        wrong += 0 if score.correct else 1
        items.append(
            {
                "n": n,
                "prompt": q.prompt,
                "tr": tr.at(f"questions.{qid}"),
                "fb": presenters.feedback(
                    q, answer, score, see_title=_see_title(q, attempt.locale)
                ),
            }
        )
    lesson = library.get_catalog().lesson(quiz.lesson) if quiz.lesson else None
    if lesson is not None:
        lesson = library.localized_lesson(lesson, current_locale()).value
    return render_template(
        "quizzes/results.html",
        **_attempt_context(loc, attempt),
        attempt=attempt,
        items=items,
        wrong=wrong,
        lesson=lesson,
        key=_new_key(),
        time_up=query_arg("timeup") == "1",
    )


@bp.post("/<quiz_id>/attempts/<int:attempt_id>/retry")
def retry(quiz_id: str, attempt_id: int) -> Page:
    """Start a new attempt with only the questions this one got wrong."""
    quiz = library.quiz_or_404(quiz_id)
    attempt = _attempt_or_404(quiz, attempt_id)
    try:
        new = attempts.retry_wrong(
            attempt.learner_id,
            attempt.id,
            quiz,
            locale=current_locale(),
            idempotency_key=_posted_key(),
        )
    except (attempts.AttemptNotSubmitted, attempts.AttemptNotFound):
        abort(409)
    if new is None:
        return redirect(url_for(".results", quiz_id=quiz.id, attempt_id=attempt.id))
    return redirect(url_for(".question", quiz_id=quiz.id, attempt_id=new.id, n=1))
