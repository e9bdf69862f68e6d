"""Home (units with progress), reading pages and the cumulative timeline."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from webapp import attempts, library
from webapp.extensions import db
from webapp.i18n import current_locale
from webapp.learners import current_learner

bp = Blueprint("lessons", __name__)

_CACHE = "interwar.page_cache"


def cached_page(view: Callable[..., str]) -> Callable[..., str]:
    """Keep a page's HTML per URL and locale for the life of the app.

    For pages that depend only on the content (loaded once at start) and the
    locale, never on the learner: a reading page is rendered once, then served.
    """

    @wraps(view)
    def wrapper(**kwargs: Any) -> str:
        if any(k != "lang" for k in request.args):
            return view(**kwargs)  # unusual URLs are rendered, not cached
        cache: dict[tuple[Any, ...], str] = current_app.extensions.setdefault(
            _CACHE, {}
        )
        key = (request.endpoint, tuple(sorted(kwargs.items())), current_locale())
        page = cache.get(key)
        if page is None:
            page = cache[key] = view(**kwargs)
        return page

    return wrapper


@bp.get("/")
def home() -> str:
    """List the units with this learner's progress on their quizzes."""
    catalog = library.get_catalog()
    learner = current_learner()
    best = attempts.best_attempts(db.session, learner.id) if learner else {}
    started = attempts.open_attempts(db.session, learner.id) if learner else {}
    units = [
        {"lesson": lesson, "quizzes": catalog.quizzes_for_lesson(lesson.id)}
        for lesson in catalog.lessons.values()
    ]
    lesson_ids = set(catalog.lessons)
    others = [q for q in catalog.quizzes.values() if q.lesson not in lesson_ids]
    return render_template(
        "lessons/home.html", units=units, others=others, best=best, started=started
    )


@bp.get("/lessons/<lesson_id>")
@cached_page
def lesson(lesson_id: str) -> str:
    """Show a reading: sections, timeline, key terms, sources, discussion."""
    catalog = library.get_catalog()
    lesson = library.lesson_or_404(lesson_id)
    return render_template(
        "lessons/lesson.html",
        lesson=lesson,
        quizzes=catalog.quizzes_for_lesson(lesson.id),
    )


@bp.get("/timeline")
@cached_page
def timeline() -> str:
    """Show every unit's events on one timeline."""
    catalog = library.get_catalog()
    return render_template(
        "lessons/timeline.html", events=catalog.timeline(), lessons=catalog.lessons
    )


@bp.get("/dev/content-errors")
def content_errors() -> str:
    """List the broken content files' errors (only with --dev)."""
    if not current_app.config["DEV"]:
        abort(404)
    return render_template(
        "dev/content_errors.html", errors=library.get_catalog().errors
    )
