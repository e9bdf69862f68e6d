"""Home (units with progress), reading pages and the cumulative timeline."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from webapp import attempts, library, localized, pagecache
from webapp.content.domain import Quiz, TimelineEvent
from webapp.extensions import db
from webapp.i18n import current_locale
from webapp.learners import current_learner

bp = Blueprint("lessons", __name__)

_CACHE = "interwar.page_cache"


def cached_page(view: Callable[..., str]) -> Callable[..., str]:
    """Keep a page's HTML per URL and locale for the life of the app.

    For pages that depend only on the content (loaded once at start) and the
    locale, never on the learner: a reading page is rendered once, then served.
    The content catalog's version is part of the key, so a translator's edit to
    a .po file shows on the next request.
    """

    @wraps(view)
    def wrapper(**kwargs: Any) -> str:
        if any(k != "lang" for k in request.args):
            return view(**kwargs)  # unusual URLs are rendered, not cached
        cache: dict[tuple[Any, ...], str] = current_app.extensions.setdefault(
            _CACHE, {}
        )
        locale = current_locale()
        messages = library.get_translations().messages(locale)
        version = messages.mtime_ns if messages is not None else None
        # The links in it depend on where the app is mounted (SCRIPT_NAME).
        key = (
            request.endpoint,
            tuple(sorted(kwargs.items())),
            locale,
            version,
            request.script_root,
        )
        page = cache.get(key)
        if page is None:
            page = cache[key] = view(**kwargs)
        if not request.args and request.url_rule is not None:
            # The whole response may be kept in front of Flask (webapp.pagecache).
            request.environ[pagecache.MARK] = (locale, version, request.url_rule.rule)
        return page

    return wrapper


@bp.get("/")
def home() -> str:
    """List the units with this learner's progress on their quizzes."""
    catalog = library.get_catalog()
    locale = current_locale()
    learner = current_learner()
    best = attempts.best_attempts(db.session, learner.id) if learner else {}
    started = attempts.open_attempts(db.session, learner.id) if learner else {}

    def shown_quizzes(quizzes: list[Quiz]) -> list[dict[str, Any]]:
        out = []
        for quiz in quizzes:
            loc = library.localized_quiz(quiz, locale)
            out.append({"quiz": loc.value, "tr": localized.for_quiz(loc)})
        return out

    units = []
    for lesson in catalog.lessons.values():
        loc = library.localized_lesson(lesson, locale)
        units.append(
            {
                "lesson": loc.value,
                "tr": localized.for_lesson(loc),
                "quizzes": shown_quizzes(catalog.quizzes_for_lesson(lesson.id)),
            }
        )
    lesson_ids = set(catalog.lessons)
    others = shown_quizzes(
        [q for q in catalog.quizzes.values() if q.lesson not in lesson_ids]
    )
    return render_template(
        "lessons/home.html", units=units, others=others, best=best, started=started
    )


@bp.get("/lessons/<lesson_id>")
@cached_page
def lesson(lesson_id: str) -> str:
    """Show a reading: sections, timeline, key terms, sources, discussion."""
    catalog = library.get_catalog()
    locale = current_locale()
    loc = library.localized_lesson(library.lesson_or_404(lesson_id), locale)
    quizzes = [
        library.localized_quiz(q, locale) for q in catalog.quizzes_for_lesson(lesson_id)
    ]
    return render_template(
        "lessons/lesson.html",
        lesson=loc.value,
        tr=localized.for_lesson(loc),
        quizzes=[{"quiz": q.value, "tr": localized.for_quiz(q)} for q in quizzes],
    )


@bp.get("/timeline")
@cached_page
def timeline() -> str:
    """Show every unit's events on one timeline."""
    catalog = library.get_catalog()
    locale = current_locale()
    shown = {
        lesson_id: library.localized_lesson(lesson, locale)
        for lesson_id, lesson in catalog.lessons.items()
    }
    events: list[TimelineEvent] = [
        dataclasses.replace(event, lesson=lesson_id)
        for lesson_id, loc in shown.items()
        for event in loc.value.timeline
    ]
    order = {lesson_id: i for i, lesson_id in enumerate(shown)}
    events.sort(key=lambda e: (e.sort_key, order.get(e.lesson or "", 0)))
    return render_template(
        "lessons/timeline.html",
        events=events,
        lessons={lesson_id: loc.value for lesson_id, loc in shown.items()},
        tr={lesson_id: localized.for_lesson(loc) for lesson_id, loc in shown.items()},
    )


@bp.get("/dev/content-errors")
def content_errors() -> str:
    """List the broken content files' errors (only with --dev)."""
    if not current_app.config["DEV"]:
        abort(404)
    return render_template(
        "dev/content_errors.html", errors=library.get_catalog().errors
    )
