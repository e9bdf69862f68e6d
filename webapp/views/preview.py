"""Teacher preview of a quiz, quiz exports, and live content in `serve --dev`.

- /quizzes/<id>/preview: every question with its key, the feedback of every choice,
  the explanation and the `see` link, pooled questions grouped by pool.
- /quizzes/<id>/export/<format>: GIFT, Moodle XML, QTI 2.1 and the printable
  worksheet (student copy, answer key, or both) as downloads.

Both are for a signed-in teacher, or for anyone in --dev mode on this computer (a
teacher writing content on a laptop has no account). A learner gets 404: the pages
hold the answers, so they do not even admit to existing.

In --dev mode every request first reloads the content if a file was saved
(webapp.live), and a lesson or quiz page whose file is broken shows the file's
errors with the lines around them instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask_babel import gettext

from webapp import library, live
from webapp.auth import current_teacher
from webapp.content.catalog import Catalog, FileInfo
from webapp.content.domain import Lesson, PoolRef, Question, Quiz
from webapp.content.exporters import (
    ExportResult,
    export_gift,
    export_moodle_xml,
    export_qti,
    export_worksheet,
)
from webapp.content.question_types import REGISTRY

bp = Blueprint("preview", __name__)

LOOPBACK = frozenset({"127.0.0.1", "::1"})
# Blueprints whose pages show one lesson or quiz: in --dev, a broken file's errors
# are shown there instead.
CONTENT_PAGES = frozenset({"lessons", "quizzes", "preview"})


@dataclass(frozen=True, slots=True)
class Export:
    """One download format: how to make it and how to label it."""

    make: Callable[[Quiz, Lesson | None], ExportResult]
    mimetype: str


EXPORTS: dict[str, Export] = {
    "worksheet-student": Export(
        lambda quiz, lesson: export_worksheet(quiz, lesson, part="student"),
        "text/html",
    ),
    "worksheet-key": Export(
        lambda quiz, lesson: export_worksheet(quiz, lesson, part="key"), "text/html"
    ),
    "worksheet": Export(export_worksheet, "text/html"),
    "gift": Export(export_gift, "text/plain"),
    "moodle-xml": Export(export_moodle_xml, "application/xml"),
    "qti": Export(export_qti, "application/zip"),
}


@bp.app_template_global()
def can_preview() -> bool:
    """Return True for a signed-in teacher, or anyone local in --dev mode."""
    if current_app.config["DEV"] and request.remote_addr in LOOPBACK:
        return True
    return current_teacher() is not None


@bp.app_template_global()
def export_links(quiz: Quiz) -> list[dict[str, str]]:
    """Return the download links of a quiz, labelled, for the start and preview."""
    labels = {
        "worksheet-student": gettext("Printable worksheet: student copy (HTML)"),
        "worksheet-key": gettext("Printable worksheet: answer key (HTML)"),
        "gift": gettext("GIFT for Moodle (text)"),
        "moodle-xml": gettext("Moodle XML"),
        "qti": gettext("QTI 2.1 package for Canvas and others (ZIP)"),
    }
    return [
        {
            "format": fmt,
            "label": label,
            "href": url_for("preview.export", quiz_id=quiz.id, fmt=fmt),
        }
        for fmt, label in labels.items()
    ]


@bp.record_once
def _start_live(state: BlueprintSetupState) -> None:
    app = state.app
    if isinstance(app, Flask) and app.config["DEV"]:
        live.start(app)


@bp.before_app_request
def _live_content() -> tuple[str, int] | None:
    """In --dev: reload changed content; show a broken file instead of its page."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["DEV"] or request.endpoint == "static":
        return None
    live.refresh(app)
    if request.blueprint not in CONTENT_PAGES:
        return None
    args = request.view_args or {}
    catalog = library.get_catalog()
    files: list[FileInfo] = []
    if "lesson_id" in args and catalog.lesson(str(args["lesson_id"])) is None:
        files = live.broken_files(catalog, "lesson", str(args["lesson_id"]))
    elif "quiz_id" in args and catalog.quiz(str(args["quiz_id"])) is None:
        files = live.broken_files(catalog, "quiz", str(args["quiz_id"]))
    if not files:
        return None
    return _content_error_page(catalog, files), 500


def _failing_links(catalog: Catalog) -> list[dict[str, str]]:
    return [
        {
            "path": path,
            "href": url_for(
                "preview.file_errors", relative=live.relative_path(catalog, path)
            ),
        }
        for path in live.failing_paths(catalog)
    ]


def _content_error_page(catalog: Catalog, files: list[FileInfo]) -> str:
    own = live.errors_of(catalog, (f.path for f in files))
    return render_template(
        "preview/content_error.html",
        files=[f.path for f in files],
        # No error of its own: it uses a broken file (its lesson, a pool's quiz).
        depends=not own,
        excerpts=live.excerpts(own or catalog.errors),
        failing=_failing_links(catalog),
    )


@bp.get("/dev/content-errors/<path:relative>")
def file_errors(relative: str) -> tuple[str, int] | str:
    """Show one broken file's errors with its lines (only with --dev)."""
    if not current_app.config["DEV"]:
        abort(404)
    catalog = library.get_catalog()
    path = live.path_for(catalog, relative)
    if path is None:
        return render_template(
            "preview/file_errors.html",
            path=relative,
            excerpts=[],
            failing=_failing_links(catalog),
        )
    return render_template(
        "preview/file_errors.html",
        path=path,
        excerpts=live.excerpts(live.errors_of(catalog, [path])),
        failing=_failing_links(catalog),
    )


# -- the preview -------------------------------------------------------------------


def _allowed_quiz(quiz_id: str) -> Quiz:
    if not can_preview():
        abort(404)
    return library.quiz_or_404(quiz_id)


def _lesson_of(quiz: Quiz) -> Lesson | None:
    return library.get_catalog().lesson(quiz.lesson) if quiz.lesson else None


def type_name(qtype: str) -> str:
    """Return the name of a question type in words."""
    names = {
        "single_choice": gettext("Single choice"),
        "multiple_choice": gettext("Multiple choice"),
        "true_false": gettext("True or false"),
        "short_answer": gettext("Short answer"),
        "numeric": gettext("Number"),
        "ordering": gettext("Ordering"),
        "matching": gettext("Matching"),
        "cloze": gettext("Fill in the gaps"),
    }
    return str(names.get(qtype, qtype))


def _see(q: Question) -> tuple[str | None, str | None]:
    """Return the URL and section title of a question's `see`, if any."""
    if not (q.see and q.see_lesson):
        return None, None
    lesson = library.get_catalog().lesson(q.see_lesson)
    section = lesson.section(q.see) if lesson else None
    url = url_for("lessons.lesson", lesson_id=q.see_lesson, _anchor=q.see)
    return url, section.title if section else q.see


def _item(q: Question, n: int) -> dict[str, Any]:
    see_url, see_title = _see(q)
    key: str
    if q.type == "true_false":
        key = gettext("True") if getattr(q, "answer", False) else gettext("False")
    else:
        key = REGISTRY[q.type].key_text(q)
    return {
        "q": q,
        "n": n,
        "type_name": type_name(q.type),
        "key": key,
        "see_url": see_url,
        "see_title": see_title,
    }


def preview_groups(quiz: Quiz) -> list[dict[str, Any]]:
    """Return the quiz's questions numbered, its own first, then one group a pool."""
    catalog = library.get_catalog()
    pools: dict[str, PoolRef] = {p.quiz: p for p in quiz.pools}
    groups: list[dict[str, Any]] = []
    n = 0
    own = [q for q in quiz.questions if q.pool is None]
    if own or not quiz.pools:
        items = []
        for q in own:
            n += 1
            items.append(_item(q, n))
        groups.append({"pool": None, "source": None, "questions": items})
    for pool_id, pool in pools.items():
        items = []
        for q in quiz.questions:
            if q.pool == pool_id:
                n += 1
                items.append(_item(q, n))
        source = catalog.quiz(pool_id)
        groups.append({"pool": pool, "source": source, "questions": items})
    return groups


@bp.get("/quizzes/<quiz_id>/preview")
def quiz_preview(quiz_id: str) -> str:
    """Show every question with its key, feedback, explanation and `see` link."""
    quiz = _allowed_quiz(quiz_id)
    return render_template(
        "preview/quiz.html",
        quiz=quiz,
        lesson=_lesson_of(quiz),
        groups=preview_groups(quiz),
        notes=_export_notes(quiz),
    )


def _export_notes(quiz: Quiz) -> list[dict[str, Any]]:
    """Return what each export changes (the exporters' warnings, in English)."""
    lesson = _lesson_of(quiz)
    out = []
    for link in export_links(quiz):
        warnings = EXPORTS[link["format"]].make(quiz, lesson).warnings
        if warnings:
            out.append({"label": link["label"], "warnings": warnings})
    return out


@bp.get("/quizzes/<quiz_id>/export/<fmt>")
def export(quiz_id: str, fmt: str) -> Response:
    """Download the quiz as GIFT, Moodle XML, QTI or a worksheet (an attachment).

    The worksheet is one self-contained HTML file with its own <style>, made to be
    printed from a USB stick or an e-mail as it is. It is sent as an attachment
    (never shown inline under the site's style-src 'self' policy, which would strip
    its print layout), so the browser saves it and opens it as a local file.
    """
    quiz = _allowed_quiz(quiz_id)
    spec = EXPORTS.get(fmt)
    if spec is None:
        abort(404)
    result = spec.make(quiz, _lesson_of(quiz))
    data = result.data.encode("utf-8") if isinstance(result.data, str) else result.data
    # Text and XML get "; charset=utf-8" from werkzeug; the ZIP does not.
    resp = Response(data, mimetype=spec.mimetype)
    resp.headers.set("Content-Disposition", "attachment", filename=result.filename)
    # An answer key must not stay in a shared computer's cache.
    resp.headers["Cache-Control"] = "no-store"
    return resp
