"""No English interface string on a German or Russian page.

Every main page is rendered in en, de and ru with the test client on the
repository's content: home, reading, timeline, quiz start, every question of a
quiz (all eight types), an error summary, feedback, the finish and results
pages, a test's question with its timer, check your answers, the join page, the
teacher login and a 404. The English of every interface message (messages.pot)
is cut at its placeholders and tags into phrases of two words or more; none may be
found in the visible text (or aria-label, alt, title, placeholder) of a de or ru
page, unless the language's catalog translates the message as the same English.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests import web
from tests.conftest import REPO
from webapp import library
from webapp.commands import translate

INTERFACE = REPO / "webapp" / "translations"
POT = INTERFACE / "messages.pot"
# Placeholders (%(name)s, %s, {{ count }}) and tags split a message into phrases.
_SPLIT = re.compile(r"%\([a-z_]+\)[sdif]|%[sdif]|\{\{.*?\}\}|<[^>]*>|%%")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
_ATTRS = ("aria-label", "alt", "title", "placeholder", "aria-roledescription")


def _phrases(msgid: str) -> Iterator[str]:
    """Yield the literal phrases of two words or more of an English message."""
    for part in _SPLIT.split(msgid):
        text = " ".join(html.unescape(part).split()).strip(" .,:;!?()–-‘’“”\"'")
        if len(_WORD.findall(text)) >= 2:
            yield text


def _strings(value: Any) -> tuple[str, ...]:
    """Return a message's id or string as a tuple (one item, or the plural forms)."""
    items = value if isinstance(value, tuple | list) else (value,)
    return tuple(str(v or "") for v in items)


def english_phrases(lang: str, pot: Path = POT) -> dict[str, str]:
    """Return each English phrase that must not show in `lang`, with its msgid."""
    with pot.open("rb") as fh:
        template = read_po(fh)
    po = INTERFACE / lang / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    out: dict[str, str] = {}
    for message in template:
        if not message.id:
            continue
        ids = _strings(message.id)
        found = catalog.get(message.id, message.context)
        if found is not None and not found.fuzzy:
            if _strings(found.string)[: len(ids)] == ids:
                continue  # the same words in this language ("OK", a name)
        for msgid in ids:
            for phrase in _phrases(msgid):
                out.setdefault(phrase, msgid)
    return out


class _VisibleText(HTMLParser):
    """Collects the text a reader meets: text nodes and a few attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Skip scripts and styles; keep the attributes a reader hears."""
        if tag in ("script", "style", "template"):
            self._skip += 1
        for name, value in attrs:
            if name in _ATTRS and value:
                self.parts.append(f" {value} ")

    def handle_endtag(self, tag: str) -> None:
        """Leave a skipped element."""
        if tag in ("script", "style", "template") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        """Keep text outside scripts and styles."""
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    """Return a page's visible text with its whitespace collapsed."""
    parser = _VisibleText()
    parser.feed(page)
    parser.close()
    return " ".join("".join(parser.parts).split())


@dataclass
class Pages:
    """The rendered pages of one language, by name."""

    lang: str
    html: dict[str, str] = field(default_factory=dict)

    def get(self, client: FlaskClient, name: str, url: str, status: int = 200) -> str:
        """Render a page with GET and keep it."""
        resp = client.get(url)
        assert resp.status_code == status, (name, url, resp.status_code)
        return self.keep(name, web.html(resp))

    def keep(self, name: str, page: str) -> str:
        """Keep an already rendered page."""
        assert f'<html lang="{self.lang}"' in page, name
        self.html[name] = page
        return page


def _localized_quiz(app: Flask, quiz_id: str, lang: str) -> Any:
    with app.app_context():
        quiz = library.get_catalog().quiz(quiz_id)
        assert quiz is not None
        return library.localized_quiz(quiz, lang).value


def _practice_pages(app: Flask, client: FlaskClient, pages: Pages) -> None:
    """Every question of the rapallo quiz, with an error, feedback and results."""
    lang = pages.lang
    quiz = _localized_quiz(app, "rapallo", lang)
    pages.get(client, "quiz start", "/quizzes/rapallo")
    attempt_id = web.start(client, "rapallo")
    row = web.attempt_row(app, attempt_id)
    base = f"/quizzes/rapallo/attempts/{attempt_id}"
    seen: set[str] = set()
    for n, qid in enumerate(row.question_ids, 1):
        q = quiz.question(qid)
        url = f"{base}/q/{n}"
        pages.get(client, f"question {n} ({q.type})", url)
        if n == 1:
            resp = client.post(url, data={"action": "check"})
            assert resp.status_code == 422
            pages.keep("error summary", web.html(resp))
        pres = row.presentations[qid]
        right = q.type not in seen
        seen.add(q.type)
        form = (
            web.form_for(q, web.right_answer(q), pres, lang)
            if right
            else web.wrong_form(q, pres)
        )
        resp = client.post(url, data={**form, "action": "check"})
        assert resp.status_code == 302, (n, q.type, web.html(resp)[-600:])
        state = "right" if right else "wrong"
        pages.get(client, f"feedback {n} ({q.type}, {state})", url)
    assert len(seen) == 8, seen
    pages.get(client, "finish (practice, not submitted)", f"{base}/results")
    resp = client.post(f"{base}/submit", data={"action": "submit"})
    assert resp.status_code == 302
    pages.get(client, "results (practice)", f"{base}/results")


def _test_pages(app: Flask, client: FlaskClient, pages: Pages) -> None:
    """A test-mode quiz: a question with a timer, check your answers, results."""
    pages.get(client, "test start", "/quizzes/final")
    attempt_id = web.start(client, "final")
    base = f"/quizzes/final/attempts/{attempt_id}"
    pages.get(client, "test question", f"{base}/q/1")
    resp = client.post(f"{base}/q/1", data={"action": "skip"})
    assert resp.status_code == 302
    pages.get(client, "check your answers", f"{base}/review")
    resp = client.post(f"{base}/submit", data={"action": "submit"})
    assert resp.status_code == 302
    pages.get(client, "test results", f"{base}/results")


def render_all(app: Flask, lang: str) -> Pages:
    """Render every main page in `lang` as one new learner."""
    client = app.test_client()
    pages = Pages(lang)
    pages.get(client, "home", f"/?lang={lang}")
    pages.get(client, "reading", "/lessons/rapallo")
    pages.get(client, "timeline", "/timeline")
    _practice_pages(app, client, pages)
    _test_pages(app, client, pages)
    pages.get(client, "join", "/join")
    pages.get(client, "teacher login", "/teacher/login")
    pages.get(client, "not found", "/no/such/page", status=404)
    return pages


def untranslated(pages: Pages) -> dict[str, list[str]]:
    """Return, per page, the English interface messages found on it."""
    phrases = english_phrases(pages.lang)
    found: dict[str, list[str]] = {}
    for name, page in pages.html.items():
        text = visible_text(page)
        hits = sorted({msgid for phrase, msgid in phrases.items() if phrase in text})
        if hits:
            found[name] = hits
    return found


@pytest.fixture
def repo_app(make_app: Any) -> Flask:
    """An app on the repository's units and their de and ru catalogs."""
    app: Flask = make_app(CONTENT_ROOT=str(REPO), WTF_CSRF_ENABLED=False)
    return app


def test_phrases_are_cut_at_placeholders_and_tags() -> None:
    assert list(_phrases("You scored %(points)s (%(percent)s).")) == ["You scored"]
    assert list(_phrases("Question %(n)s")) == []
    assert list(_phrases("Try the {{ count }} questions you got wrong again")) == [
        "Try the",
        "questions you got wrong again",
    ]
    assert list(_phrases("Read <strong>this part</strong> again")) == ["this part"]


def test_visible_text_skips_scripts_and_keeps_labels() -> None:
    page = (
        '<p>Not <b>yet</b>\n  answered</p><script>var a = "Check answer";</script>'
        '<button aria-label="Move up">↑</button><input type="hidden" value="Go on">'
    )
    assert visible_text(page) == "Not yet answered Move up ↑"


@pytest.mark.parametrize("lang", ["en", "de", "ru"])
def test_no_untranslated_interface_string_on_any_page(
    repo_app: Flask, lang: str
) -> None:
    pages = render_all(repo_app, lang)
    assert len(pages.html) > 40
    if lang == "en":
        assert 'class="untranslated"' not in "".join(pages.html.values())
        return
    found = untranslated(pages)
    by_msgid: dict[str, list[str]] = {}
    for name, hits in found.items():
        for msgid in hits:
            by_msgid.setdefault(msgid, []).append(name)
    report = "\n".join(
        f"  {msgid!r} on {len(names)} page(s): {', '.join(names[:3])}"
        for msgid, names in sorted(by_msgid.items())
    )
    assert not found, f"English interface strings on {lang} pages:\n{report}"


def test_interface_template_has_every_message_of_the_code() -> None:
    """messages.pot holds what the code and templates say, so catalogs cover it."""
    fresh = translate.extract_catalog(
        translate.PACKAGE.parent,
        translate.INTERFACE_MAP,
        translate.INTERFACE_OPTIONS,
        translate.INTERFACE_KEYWORDS,
    )
    with POT.open("rb") as fh:
        template = read_po(fh)

    def keys(catalog: Any) -> set[tuple[str | None, tuple[str, ...]]]:
        return {(m.context, _strings(m.id)) for m in catalog if m.id}

    new, gone = keys(fresh) - keys(template), keys(template) - keys(fresh)
    hint = "run `interwar translate extract` and `interwar translate update`"
    assert not new, f"not in messages.pot ({hint}): {sorted(new, key=str)}"
    assert not gone, (
        f"in messages.pot but no longer in the code ({hint}): {sorted(gone, key=str)}"
    )


def test_force_locale_switches_the_request_language_and_back(app: Flask) -> None:
    from flask_babel import force_locale

    from webapp.i18n import current_locale, gettext

    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        assert current_locale() == "de"
        assert gettext("Correct") == "Richtig"
        with force_locale("ru"):
            assert current_locale() == "ru"
            assert gettext("Correct") == "Верно"
        assert current_locale() == "de"
        assert gettext("Correct") == "Richtig"
    # The same when the first words of a request come under a forced language.
    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        with force_locale("ru"):
            assert gettext("Correct") == "Верно"
        assert gettext("Correct") == "Richtig"
        assert current_locale() == "de"
