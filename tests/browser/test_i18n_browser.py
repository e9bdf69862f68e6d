"""The whole quiz in Russian by keyboard, and axe in English, German and Russian.

The server runs on the repository's units with their de and ru catalogs; the
rapallo quiz is cut to its first question of each of the eight types, so the
journey stays short. Expected words come from the .po files, never from this file.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import force_locale
from playwright.sync_api import Page

from tests.browser.conftest import make_live_app, serve
from tests.browser.keyboard import answer, tab_to
from tests.browser.test_accessibility import Audit
from webapp import library, presenters
from webapp.content.domain import Question, Quiz, ShortAnswerQuestion
from webapp.content.i18n import catalog_path, read_messages
from webapp.extensions import db
from webapp.models import Attempt

REPO = Path(__file__).resolve().parents[2]
INTERFACE = REPO / "webapp" / "translations"
QUIZ = "rapallo"
WRONG_TYPE = "true_false"  # answered wrong on purpose
_PLACEHOLDER = re.compile(r"%\(\w+\)s")


def ui(lang: str, msgid: str) -> str:
    """Return the interface catalog's translation of `msgid` (English for en)."""
    if lang == "en":
        return msgid
    with (INTERFACE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        message = read_po(fh).get(msgid)
    assert message is not None, msgid
    assert message.string, f"{msgid!r} untranslated in {lang}"
    assert not message.fuzzy, f"{msgid!r} fuzzy in {lang}"
    return str(message.string)


def content(lang: str, context: str) -> str:
    """Return the content catalog's translation of one message (by its context)."""
    messages = read_messages(catalog_path(REPO, lang), lang)
    return messages.translated[(context, messages.by_context[context])]


def words(lang: str) -> dict[str, str]:
    """Return the words the keyboard helpers read on a page in `lang`."""
    status = ui(lang, "%(item)s: position %(position)s of %(count)s")
    return {
        "True": ui(lang, "True"),
        "False": ui(lang, "False"),
        "position": _PLACEHOLDER.split(status)[1].strip(" :"),
        "(first)": ui(lang, "%(position)s (first)").replace("%(position)s", "").strip(),
        "(last)": ui(lang, "%(position)s (last)").replace("%(position)s", "").strip(),
    }


def text_of(page: Page, selector: str = "main") -> str:
    """Return an element's text with its whitespace (no-break spaces too) collapsed."""
    return " ".join(page.locator(selector).first.inner_text().split())


def _one_of_each_type(source: Path, target: Path) -> None:
    """Write the quiz with only its first question of each type."""
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    seen: set[str] = set()
    kept = []
    for q in data["questions"]:
        if q["type"] not in seen:
            seen.add(q["type"])
            kept.append(q)
    assert len(kept) == 8
    data["questions"] = kept
    target.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000),
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def repo_server(
    make_database: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Flask]]:
    """Serve the repository's units and catalogs, rapallo cut to 8 questions."""
    root = tmp_path_factory.mktemp("i18n-content")
    shutil.copytree(REPO / "lessons", root / "lessons")
    shutil.copytree(REPO / "quizzes", root / "quizzes")
    shutil.copytree(
        REPO / "translations",
        root / "translations",
        ignore=shutil.ignore_patterns("*.mo", "*.lock"),
    )
    _one_of_each_type(
        REPO / "quizzes" / f"{QUIZ}.yaml", root / "quizzes" / f"{QUIZ}.yaml"
    )
    app = make_live_app(make_database(), root, tmp_path_factory)
    with serve(app) as url:
        yield url, app


def _quiz(app: Flask, lang: str) -> Quiz:
    with app.app_context():
        quiz = library.get_catalog().quiz(QUIZ)
        assert quiz is not None
        shown: Quiz = library.localized_quiz(quiz, lang).value
        return shown


def _question_here(app: Flask, page: Page, quiz: Quiz) -> Question:
    """Return the question of the page's URL (/attempts/<id>/q/<n>)."""
    m = re.search(r"/attempts/(\d+)/q/(\d+)", page.url)
    assert m, page.url
    with app.app_context():
        attempt = db.session.get(Attempt, int(m.group(1)))
        assert attempt is not None
        qid = attempt.question_ids[int(m.group(2)) - 1]
    q = quiz.question(qid)
    assert q is not None
    return q


def _enter(page: Page, selector: str) -> None:
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _short_answer(q: Question, lang: str) -> dict[str, str]:
    """Type a form of the learner's language: Cyrillic in Russian."""
    if not isinstance(q, ShortAnswerQuestion) or lang != "ru":
        return {}
    typed = next(a for a in q.answers if re.search("[а-яА-Я]", a))
    return {"short answer": typed}


def _expected_score(app: Flask, lang: str, points: float, total: float) -> str:
    with app.test_request_context("/"), force_locale(lang):
        return " ".join(presenters.points_text(points, total).split())


def _quiz_flow(
    page: Page, app: Flask, audit: Audit, lang: str, *, every_question: bool
) -> None:
    """Home, reading, start, questions with feedback, results; axe on each."""
    quiz = _quiz(app, lang)
    page.goto(f"/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert ui(lang, "Units") in text_of(page)
    audit.check(f"home {lang}")
    page.goto(f"/lessons/{QUIZ}")
    title = content(lang, f"lesson:{QUIZ}|title") if lang != "en" else None
    assert (title or "Two outsiders") in text_of(page, "h1")
    audit.check(f"reading {lang}")
    page.goto(f"/quizzes/{QUIZ}")
    assert quiz.title in text_of(page)
    assert ui(lang, "Start quiz") in text_of(page, "button.button--start")
    audit.check(f"quiz start {lang}")
    _enter(page, "button.button--start")
    total = wrong = 0.0
    for n in range(1, len(quiz.questions) + 1):
        assert page.locator("html").get_attribute("lang") == lang
        q = _question_here(app, page, quiz)
        assert " ".join(q.prompt.split())[:20] in text_of(page)
        right = q.type != WRONG_TYPE
        total += q.points
        wrong += 0 if right else q.points
        if n == 1 or every_question:
            audit.check(f"question {q.type} {lang}")
        answer(
            page,
            q,
            right=right,
            js=True,
            words={**words(lang), **_short_answer(q, lang)},
        )
        tab_to(page, "button[value='check']")
        assert ui(lang, "Check answer") in text_of(page, "button[value='check']")
        page.keyboard.press("Enter")
        page.wait_for_selector(".result")  # instant feedback, then the served page
        page.goto(page.url)
        heading = text_of(page, ".result__title")
        assert ui(lang, "Correct" if right else "Incorrect") in heading, (q.id, heading)
        if n in (1, len(quiz.questions)):  # axe takes a second a page: two of these
            audit.check(f"feedback {q.type} {lang}")
        if not every_question:  # finish early: the finish page, then submit
            page.goto(page.url.rsplit("/q/", 1)[0] + "/results")
            assert ui(lang, "Finish the quiz") in text_of(page, "h1")
            _enter(page, "main form button.button")
            break
        if n < len(quiz.questions):
            _enter(page, ".button-group a.button:not(.button--secondary)")
        else:
            _enter(page, ".button-group button.button")
    assert "/results" in page.url
    results = text_of(page)
    assert ui(lang, "Your results") in results
    if every_question:
        assert _expected_score(app, lang, total - wrong, total) in results
    assert page.locator(".untranslated").count() == 0
    audit.check(f"results {lang}")


@pytest.fixture
def audit_page(browser: Any, repo_server: tuple[str, Flask]) -> Iterator[Page]:
    """Yield a page in a new context (a new learner) that axe may inject into."""
    context = browser.new_context(
        base_url=repo_server[0],
        bypass_csp=True,
        viewport={"width": 1024, "height": 768},
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def test_whole_quiz_in_russian_by_keyboard(
    audit_page: Page, repo_server: tuple[str, Flask]
) -> None:
    audit = Audit(audit_page, None)
    _quiz_flow(audit_page, repo_server[1], audit, "ru", every_question=True)
    assert len(audit.seen) == 2 + 1 + 8 + 2 + 1
    audit.assert_clean()


@pytest.mark.parametrize("lang", ["en", "de"])
def test_no_axe_violations_in_english_and_german(
    audit_page: Page, repo_server: tuple[str, Flask], lang: str
) -> None:
    audit = Audit(audit_page, None)
    _quiz_flow(audit_page, repo_server[1], audit, lang, every_question=False)
    audit.assert_clean()
