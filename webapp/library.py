"""The content catalog of the running app: loaded once at start, read by every view."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, abort, current_app

from webapp import skeleton

if TYPE_CHECKING:
    from webapp.content.catalog import Catalog
    from webapp.content.domain import Lesson, Quiz
    from webapp.content.i18n import ContentTranslations, Localized

log = logging.getLogger(__name__)

_KEY = "interwar.catalog"
_TRANSLATIONS = "interwar.content_translations"
_PAGE_CACHE = "interwar.page_cache"
PACKAGE_DIR = Path(__file__).resolve().parent
# setup.py copies lessons/, quizzes/ and the content catalogs here when building a
# wheel, so `pip install .` outside a checkout has content.
BUNDLED_CONTENT = PACKAGE_DIR / "bundled"


def content_root(configured: str | Path | None) -> Path:
    """Return the content root: configured, else the checkout, else the bundled copy."""
    if configured:
        return Path(configured).resolve()
    checkout = PACKAGE_DIR.parent
    if (checkout / "lessons").is_dir():
        return checkout
    return BUNDLED_CONTENT


def init_app(app: Flask) -> None:
    """Load the catalog of the content root into app.extensions and log its errors."""
    root = content_root(app.config.get("CONTENT_ROOT"))
    app.config["CONTENT_ROOT"] = str(root)
    load(app)


def load(app: Flask) -> Catalog:
    """(Re)load the content root's catalog; forget pages rendered from the old one."""
    from webapp.content.catalog import load_catalog

    catalog = load_catalog(app.config["CONTENT_ROOT"])
    for error in catalog.errors:
        # Broken files are left out; the rest of the site keeps working.
        log.warning("content error (file skipped): %s", error)
    app.extensions[_KEY] = catalog
    app.extensions[_TRANSLATIONS] = load_translations(app.config["CONTENT_ROOT"])
    # The reading pages' per-URL cache (views.lessons.cached_page) holds old text.
    app.extensions.pop(_PAGE_CACHE, None)
    skeleton.forget(app)  # and the question pages' skeletons
    from webapp import pagecache

    pagecache.forget(app)  # and the reading pages kept in front of Flask
    return catalog


def load_translations(root: str | Path) -> ContentTranslations:
    """Return the content translations of a root; a broken catalog is logged."""
    from webapp.content.i18n import ContentTranslations

    translations = ContentTranslations.load(root)
    for lang in translations.languages():
        messages = translations.messages(lang)
        for error in messages.errors if messages else ():
            # The language falls back to English; the rest keeps working.
            log.warning("content translation error: %s", error)
    return translations


def get_catalog() -> Catalog:
    """Return the catalog of the current app."""
    catalog: Catalog = current_app.extensions[_KEY]
    return catalog


def get_translations() -> ContentTranslations:
    """Return the content translations of the current app (loaded with the catalog)."""
    return translations_for(current_app._get_current_object())  # type: ignore[attr-defined]


def translations_for(app: Flask) -> ContentTranslations:
    """Return the content translations of `app` (loaded with the catalog)."""
    translations: ContentTranslations | None = app.extensions.get(_TRANSLATIONS)
    if translations is None:  # an app whose catalog was set by hand (tests)
        translations = app.extensions[_TRANSLATIONS] = load_translations(
            app.config["CONTENT_ROOT"]
        )
    return translations


def localized_lesson(lesson: Lesson, locale: str) -> Localized[Lesson]:
    """Return the lesson in `locale`; strings without a usable translation stay English.

    A .po file edited while the app runs is read again on its next use.
    """
    return get_translations().translate_lesson(lesson, locale)


def localized_quiz(quiz: Quiz, locale: str) -> Localized[Quiz]:
    """Return the quiz in `locale` (the same object for the same quiz and catalog)."""
    return get_translations().translate_quiz(quiz, locale)


def lesson_or_404(lesson_id: str) -> Lesson:
    """Return the lesson with this id or abort with 404."""
    lesson = get_catalog().lesson(lesson_id)
    if lesson is None:
        abort(404)
    return lesson


def quiz_or_404(quiz_id: str) -> Quiz:
    """Return the quiz with this id or abort with 404."""
    quiz = get_catalog().quiz(quiz_id)
    if quiz is None:
        abort(404)
    return quiz
