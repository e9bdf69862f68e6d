"""The web app in German and Russian: translated content, fallbacks, numbers, locales.

Reading and quiz pages, the API and grading use the content catalogs
(translations/<lang>/LC_MESSAGES/content.po); a string without a usable
translation is shown in English with lang="en" and a visible marker.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from tests import web
from tests.conftest import REPO, SAMPLE
from webapp import interface_catalogs
from webapp.cli import main
from webapp.commands import translate
from webapp.content.i18n import catalog_path, read_messages
from webapp.content.markdown import render_inline
from webapp.extensions import babel
from webapp.models import Response

MARKER = 'class="untranslated"'


def po_text(lang: str, context: str, root: Path = REPO) -> str:
    """Return the translation of one content message (context) in a catalog."""
    messages = read_messages(catalog_path(root, lang), lang)
    msgid = messages.by_context[context]
    return messages.translated[(context, msgid)]


def main_of(page: str) -> str:
    """Return the <main> element of a page (no header, footer or switcher)."""
    m = re.search(r"<main.*?</main>", page, re.S)
    assert m
    return m.group(0)


@pytest.fixture
def repo_app(make_app: Any) -> Flask:
    """An app on the repository's four units and their de and ru catalogs."""
    app: Flask = make_app(CONTENT_ROOT=str(REPO), WTF_CSRF_ENABLED=False)
    return app


# -- reading pages -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "date"),
    [("en", "16 April 1922"), ("de", "16. April 1922"), ("ru", "16 апреля 1922 г.")],
)
def test_reading_page_in_each_language(repo_app: Flask, lang: str, date: str) -> None:
    client = repo_app.test_client()
    page = web.html(client.get(f"/lessons/rapallo?lang={lang}"))
    assert f'<html lang="{lang}"' in page
    # CLDR puts a narrow no-break space before "г."; a line never breaks there.
    spaced = page.replace("\u202f", " ").replace("\xa0", " ")
    assert f'<time datetime="1922-04-16">{date}</time>' in spaced
    if lang == "en":
        assert MARKER not in page
        return
    for context in (
        "lesson:rapallo|title",
        "lesson:rapallo|sections.outsiders.title",
        "lesson:rapallo|timeline.1922-04-16.event",
        "lesson:rapallo|discussion.1",
    ):
        assert str(escape(po_text(lang, context))) in page, context
    # Every string is translated: nothing is marked, nothing is tagged English.
    assert MARKER not in page
    assert 'lang="en"' not in main_of(page)


@pytest.mark.parametrize("lang", ["de", "ru"])
def test_home_and_timeline_translated(repo_app: Flask, lang: str) -> None:
    client = repo_app.test_client()
    home = web.html(client.get(f"/?lang={lang}"))
    assert str(escape(po_text(lang, "lesson:rapallo|summary"))) in home
    assert str(escape(po_text(lang, "quiz:rapallo|title"))) in home
    timeline = web.html(client.get("/timeline"))
    assert str(escape(po_text(lang, "lesson:pact-1939|title"))) in timeline
    event = po_text(lang, "lesson:rapallo|timeline.1922-04-16.event")
    assert str(escape(event)) in timeline
    assert MARKER not in timeline


# -- quiz pages ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["de", "ru"])
def test_question_and_results_pages_translated(repo_app: Flask, lang: str) -> None:
    client = repo_app.test_client()
    client.get(f"/?lang={lang}")
    start = web.html(client.get("/quizzes/rapallo"))
    assert str(escape(po_text(lang, "quiz:rapallo|title"))) in start
    attempt_id = web.start(client, "rapallo")
    attempt = web.attempt_row(repo_app, attempt_id)
    assert attempt.locale == lang
    qid = attempt.question_ids[0]
    page = web.html(client.get(f"/quizzes/rapallo/attempts/{attempt_id}/q/1"))
    prompt = po_text(lang, f"quiz:rapallo|questions.{qid}.prompt")
    assert render_inline(prompt) in page
    assert MARKER not in page
    client.post(
        f"/quizzes/rapallo/attempts/{attempt_id}/submit", data={"action": "submit"}
    )
    results = web.html(client.get(f"/quizzes/rapallo/attempts/{attempt_id}/results"))
    assert render_inline(prompt) in results
    explanation = po_text(lang, f"quiz:rapallo|questions.{qid}.explanation")
    assert render_inline(explanation) in results


def test_api_serves_translated_text(repo_app: Flask) -> None:
    client = repo_app.test_client()
    units = client.get("/api/v1/units?lang=de").get_json()
    rapallo = next(u for u in units["units"] if u["lesson"]["id"] == "rapallo")
    assert rapallo["lesson"]["title"] == po_text("de", "lesson:rapallo|title")
    assert rapallo["quizzes"][0]["title"] == po_text("de", "quiz:rapallo|title")
    started = client.post("/api/v1/quizzes/rapallo/attempts", json={})
    assert started.status_code == 201
    question = started.get_json()["questions"][0]
    prompt = po_text("de", f"quiz:rapallo|questions.{question['id']}.prompt")
    assert question["prompt"] == prompt


def test_short_answer_accepts_translated_forms(repo_app: Flask) -> None:
    """Russian forms are accepted in a Russian attempt, and still at submit."""
    client = repo_app.test_client()
    client.get("/?lang=ru")
    started = client.post("/api/v1/quizzes/lipetsk-kama/attempts", json={}).get_json()
    assert "lipetsk-town" in [q["id"] for q in started["questions"]]
    forms = po_text("ru", "quiz:lipetsk-kama|questions.lipetsk-town.answers")
    assert "в Липецке" in forms.split("|")
    resp = client.post(
        f"/api/v1/attempts/{started['id']}/answers/lipetsk-town",
        json={"answer": {"value": ["в Липецке"]}},
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["result"]["correct"] is True
    done = client.post(f"/api/v1/attempts/{started['id']}/submit", json={}).get_json()
    item = next(q for q in done["questions"] if q["id"] == "lipetsk-town")
    assert item["result"]["correct"] is True
    assert done["score"] == item["result"]["points"]


# -- numbers in the learner's locale -------------------------------------------------


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _fill_po(path: Path, translate_text: Any) -> None:
    """Translate every entry of a .po file with translate_text(context, msgid)."""
    with path.open("rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if message.id:
            message.string = translate_text(message.context, message.id)
            message.flags.discard("fuzzy")
    buf = io.BytesIO()
    write_po(buf, catalog)
    path.write_bytes(buf.getvalue())


def _german(context: str | None, msgid: str) -> str:
    """A recognisable translation that keeps cloze gaps and answer forms working."""
    return msgid if "|answers" in (context or "") else f"DE {msgid}"


@pytest.fixture
def german_root(
    content_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The sample content with a decimal question and a complete German catalog."""
    quiz = content_root / "quizzes" / "sample.yaml"
    text = quiz.read_text(encoding="utf-8")
    text = text.replace("answer: 100000\n    tolerance: 0\n", "answer: 1.5\n", 1)
    quiz.write_text(text, encoding="utf-8")
    monkeypatch.setattr(translate, "INTERFACE_DIR", tmp_path / "interface")
    root = str(content_root)
    _cli("translate", "extract", "--domain", "content", "--content", root)
    _cli("translate", "init", "de", "--domain", "content", "--content", root)
    _fill_po(catalog_path(content_root, "de"), _german)
    return content_root


def _answer_numeric(
    client: FlaskClient, app: Flask, attempt_id: int, value: str
) -> Any:
    attempt = web.attempt_row(app, attempt_id)
    n = attempt.question_ids.index("army-cap") + 1
    url = f"/quizzes/sample/attempts/{attempt_id}/q/{n}"
    return client.post(url, data={"answer": value, "action": "check"}), url


def _stored(app: Flask, attempt_id: int) -> Response:
    with app.app_context():
        from sqlalchemy import select

        from webapp.extensions import db

        found = db.session.scalar(
            select(Response).where(
                Response.attempt_id == attempt_id, Response.question_id == "army-cap"
            )
        )
        assert found is not None
        return found


def test_german_decimal_comma_is_read_as_one_and_a_half(
    make_app: Any, german_root: Path
) -> None:
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.get("/?lang=de")
    attempt_id = web.start(client)
    resp, url = _answer_numeric(client, app, attempt_id, "1,5")
    assert resp.status_code == 302
    stored = _stored(app, attempt_id)
    assert stored.answer == "1.5"
    assert stored.is_correct is True
    page = web.html(client.get(url))
    assert "DE To how many men" in page
    assert web.ui("de", "Correct") in page
    # The number hint is written the German way.
    hint = web.ui("de", "Enter a number, like %(example)s", example="2,5")
    assert hint in web.html(client.get(url + "?retry=1"))


def test_english_comma_number_is_refused(make_app: Any, german_root: Path) -> None:
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    attempt_id = web.start(client)
    resp, _ = _answer_numeric(client, app, attempt_id, "1,5")
    assert resp.status_code == 422
    assert "Your answer must be a number, like 2.5" in web.html(resp)
    resp, _ = _answer_numeric(client, app, attempt_id, "1.5")
    assert resp.status_code == 302
    assert _stored(app, attempt_id).is_correct is True


def test_attempt_keeps_its_language_after_a_switch(
    make_app: Any, german_root: Path
) -> None:
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.get("/?lang=de")
    attempt_id = web.start(client)
    client.get("/?lang=en")  # the learner switches the interface to English
    resp, url = _answer_numeric(client, app, attempt_id, "1,5")
    assert resp.status_code == 302
    assert _stored(app, attempt_id).is_correct is True
    page = web.html(client.get(url))
    assert '<html lang="en"' in page
    assert "You started this quiz in Deutsch" in page
    assert '<span lang="de">DE To how many men' in page


# -- fallback to English with a marker -----------------------------------------------


def test_changed_english_falls_back_with_marker(
    make_app: Any, german_root: Path
) -> None:
    app = make_app()
    before = web.html(app.test_client().get("/lessons/sample?lang=de"))
    assert MARKER not in before
    assert "DE Two outsiders" in before

    lesson = german_root / "lessons" / "sample.yaml"
    text = lesson.read_text(encoding="utf-8")
    assert "title: Two outsiders\n" in text
    lesson.write_text(
        text.replace("title: Two outsiders\n", "title: Two outsiders meet\n", 1),
        encoding="utf-8",
    )
    _cli("translate", "extract", "--domain", "content", "--content", str(german_root))
    _cli("translate", "update", "--domain", "content", "--content", str(german_root))
    po = catalog_path(german_root, "de").read_text(encoding="utf-8")
    assert "#, fuzzy" in po

    page = web.html(make_app().test_client().get("/lessons/sample?lang=de"))
    body = main_of(page)
    # Exactly that string, in the contents list and as the section heading.
    assert body.count(MARKER) == 1
    assert '<span lang="en">Two outsiders meet</span>' in body
    marker = web.ui("de", "not yet translated")
    assert f'<span class="untranslated" lang="de">{marker}</span>' in body
    assert '<a href="#outsiders" lang="en">Two outsiders meet</a>' in body
    assert "DE The treaty" in body  # the other sections stay German


def test_missing_quiz_translation_is_marked(make_app: Any, german_root: Path) -> None:
    po = catalog_path(german_root, "de")
    _fill_po(
        po,
        lambda ctx, msgid: (
            ""
            if ctx == "quiz:sample|questions.army-cap.prompt"
            else _german(ctx, msgid)
        ),
    )
    app = make_app(WTF_CSRF_ENABLED=False)
    client = app.test_client()
    client.get("/?lang=de")
    attempt_id = web.start(client)
    _, url = _answer_numeric(client, app, attempt_id, "3")
    page = main_of(web.html(client.get(url)))
    assert '<span lang="en">To how many men' in page
    assert page.count(MARKER) == 1
    assert 'lang="en"' in page


# -- locale selection ----------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "de;q=abc,,;;=",
        "\x7f\x01ru",
        "de;q=0.5," * 1200,  # about 10 KB
        "x" * 10240,
        "ru-" + "-".join(["a" * 8] * 1200),
    ],
)
def test_bad_accept_language_falls_back_to_english(
    client: FlaskClient, header: str
) -> None:
    """C.8 case 36: a malformed or 10 KB Accept-Language falls back to English."""
    resp = client.get("/", headers={"Accept-Language": header})
    assert resp.status_code == 200
    assert '<html lang="en"' in web.html(resp)


def test_accept_language_then_lang_in_session(client: FlaskClient) -> None:
    page = web.html(client.get("/", headers={"Accept-Language": "ru,en;q=0.5"}))
    assert '<html lang="ru"' in page
    client.get("/?lang=de")
    page = web.html(client.get("/", headers={"Accept-Language": "ru"}))
    assert '<html lang="de"' in page


# -- interface catalogs compiled at start --------------------------------------------


@pytest.fixture
def interface_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Interface catalogs without .mo files, as in a fresh clone; one German string."""
    source = tmp_path / "interface"
    shutil.copytree(
        REPO / "webapp" / "translations",
        source,
        ignore=shutil.ignore_patterns("*.mo"),
    )
    po = source / "de" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    message = catalog.get("Units")
    assert message is not None
    message.string = "Einheiten"
    buf = io.BytesIO()
    write_po(buf, catalog)
    po.write_bytes(buf.getvalue())
    monkeypatch.setattr(interface_catalogs, "SOURCE_DIR", source)
    # Flask-Babel keeps loaded catalogs per locale for the process.
    babel.domain_instance.cache.clear()
    yield source
    babel.domain_instance.cache.clear()


def test_interface_catalogs_compiled_into_instance(
    make_app: Any, interface_source: Path, tmp_path: Path
) -> None:
    app = make_app()
    folder = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    assert folder == Path(app.instance_path) / "translations"
    mo = folder / "de" / "LC_MESSAGES" / "messages.mo"
    assert mo.is_file()
    assert (folder / "ru" / "LC_MESSAGES" / "messages.mo").is_file()
    assert not list(interface_source.rglob("*.mo"))  # the package is not written
    page = web.html(app.test_client().get("/?lang=de"))
    assert '<h1 class="heading-xl">Einheiten</h1>' in page

    # A translator's later edit makes the compiled file stale: compiled again.
    po = interface_source / "de" / "LC_MESSAGES" / "messages.po"
    po.write_text(
        po.read_text(encoding="utf-8").replace('"Einheiten"', '"Lerneinheiten"'),
        encoding="utf-8",
    )
    later = mo.stat().st_mtime_ns + 10**9
    os.utime(po, ns=(later, later))
    babel.domain_instance.cache.clear()
    page = web.html(make_app().test_client().get("/?lang=de"))
    assert '<h1 class="heading-xl">Lerneinheiten</h1>' in page


def test_fresh_interface_catalogs_used_in_place(
    make_app: Any, interface_source: Path
) -> None:
    for po in interface_source.glob("*/LC_MESSAGES/messages.po"):
        interface_catalogs.compile_catalog(po, po.with_suffix(".mo"))
    app = make_app()
    assert Path(app.config["BABEL_TRANSLATION_DIRECTORIES"]) == interface_source


def test_broken_interface_catalog_is_skipped(
    make_app: Any, interface_source: Path
) -> None:
    """C.8 case 14: a broken interface catalog is skipped; English is shown."""
    po = interface_source / "ru" / "LC_MESSAGES" / "messages.po"
    po.write_text('msgid "x"\nmsgstr "y\n', encoding="utf-8")
    app = make_app()
    client = app.test_client()
    assert client.get("/?lang=ru").status_code == 200
    assert "Einheiten" in web.html(client.get("/?lang=de"))


def test_sample_has_no_catalog_so_everything_is_marked(client: FlaskClient) -> None:
    page = main_of(web.html(client.get("/lessons/sample?lang=ru")))
    assert '<h1 class="heading-xl" lang="en">' in page
    assert page.count(MARKER) > 10
    assert SAMPLE.is_dir()
