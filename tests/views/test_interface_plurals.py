"""Interface strings with a number in English, German and Russian (ngettext), the
timer's plural forms as it counts down, the footer's privacy note, join codes typed on
a Russian keyboard, quiz titles on class and teacher pages in the request's language,
and the 503 title's emphasis.
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from tests import classroom as cr
from tests import web
from tests.conftest import REPO
from tests.test_i18n_web import po_text
from webapp import classroom_text, i18n, library, presenters
from webapp.classroom import normalize_code
from webapp.content.question_types import InputError


def _in(app: Flask, lang: str) -> Any:
    """A request context in `lang` (from Accept-Language)."""
    return app.test_request_context("/", headers={"Accept-Language": lang})


# -- plural forms --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "points", "total", "text"),
    [
        ("en", 1, 1, "1 of 1 point"),
        ("en", 2, 3, "2 of 3 points"),
        ("en", 1.5, 2.5, "1.5 of 2.5 points"),
        ("de", 1, 1, "1 von 1 Punkt"),
        ("de", 2, 3, "2 von 3 Punkten"),
        ("de", 1.5, 2.5, "1,5 von 2,5 Punkten"),
        ("ru", 1, 1, "1 из 1 балла"),
        ("ru", 2, 3, "2 из 3 баллов"),
        ("ru", 2, 5, "2 из 5 баллов"),
        ("ru", 3, 21, "3 из 21 балла"),
        ("ru", 1.5, 2.5, "1,5 из 2,5 балла"),
    ],
)
def test_points_text_declines_the_total(
    app: Flask, lang: str, points: float, total: float, text: str
) -> None:
    with _in(app, lang):
        assert presenters.points_text(points, total) == text


@pytest.mark.parametrize(
    ("lang", "points", "total", "text"),
    [
        ("en", 0.5, 1, "Partly correct: 0.5 of 1 point"),
        ("en", 1, 2, "Partly correct: 1 of 2 points"),
        ("de", 1, 2, "Teilweise richtig: 1 von 2 Punkten"),
        ("ru", 0.5, 1, "Частично верно: 0,5 из 1 балла"),
        ("ru", 1, 2, "Частично верно: 1 из 2 баллов"),
        ("ru", 1, 2.5, "Частично верно: 1 из 2,5 балла"),
    ],
)
def test_partly_correct_heading_declines_the_total(
    app: Flask, lang: str, points: float, total: float, text: str
) -> None:
    with _in(app, lang):
        assert presenters.partly_correct_text(points, total) == text


@pytest.mark.parametrize(
    ("lang", "seconds", "words"),
    [
        ("en", 1, "Wait 1 second,"),
        ("en", 30, "Wait 30 seconds,"),
        ("en", 60, "Wait 60 seconds,"),
        ("en", 120, "Wait 2 minutes,"),
        ("en", 91, "Wait 2 minutes,"),
        ("en", 3600, "Wait 60 minutes,"),
        ("ru", 1, "1 секунду"),
        ("ru", 2, "2 секунды"),
        ("ru", 5, "5 секунд"),
        ("ru", 21 * 60, "21 минуту"),
        ("ru", 120, "2 минуты"),
        ("ru", 300, "5 минут"),
        ("de", 1, "1 Sekunde"),
        ("de", 120, "2 Minuten"),
    ],
)
def test_sign_in_wait_declines(app: Flask, lang: str, seconds: int, words: str) -> None:
    with _in(app, lang):
        assert words in classroom_text.wait_message(timedelta(seconds=seconds))


def _set_minutes(content_root: Path, minutes: int) -> None:
    lesson = content_root / "lessons" / "sample.yaml"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace(
            "minutes: 20", f"minutes: {minutes}"
        ),
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("minutes", "lang", "home", "unit"),
    [
        (1, "en", "About 1 minute<", "Unit · about 1 minute<"),
        (20, "en", "About 20 minutes<", "Unit · about 20 minutes<"),
        (1, "ru", "Около 1 минуты<", "Тема · около 1 минуты<"),
        (5, "ru", "Около 5 минут<", "Тема · около 5 минут<"),
        (21, "ru", "Около 21 минуты<", "Тема · около 21 минуты<"),
        (1, "de", "Etwa 1 Minute<", "Einheit · etwa 1 Minute<"),
    ],
)
def test_reading_time_declines(
    make_app: Any,
    content_root: Path,
    minutes: int,
    lang: str,
    home: str,
    unit: str,
) -> None:
    _set_minutes(content_root, minutes)
    client = make_app().test_client()
    assert home in web.html(client.get(f"/?lang={lang}"))
    assert unit in web.html(client.get(f"/lessons/sample?lang={lang}"))


# -- the timer -----------------------------------------------------------------------


def _counted(table: dict[str, Any], n: int) -> str:
    """The text app.js shows at n minutes left, read from the data attributes."""
    forms = json.loads(table["forms"])
    plural = table["plural"]
    index = n if n < len(plural) else 100 + n % 100
    return str(forms[ord(plural[index]) - ord("a")]).replace("{n}", str(n))


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", {1: "about 1 minute", 2: "about 2 minutes", 0: "about 0 minutes"}),
        (
            "ru",
            {
                1: "около 1 минуты",
                2: "около 2 минут",
                5: "около 5 минут",
                11: "около 11 минут",
                21: "около 21 минуты",
                101: "около 101 минуты",
                111: "около 111 минут",
            },
        ),
        ("de", {1: "etwa 1 Minute", 2: "etwa 2 Minuten"}),
    ],
)
def test_timer_has_the_plural_form_of_every_minute_it_counts_down_to(
    app: Flask, lang: str, expected: dict[int, str]
) -> None:
    with _in(app, lang):
        table = i18n.countdown(120)
        assert len(table["plural"]) == 121
        for n, words in expected.items():
            assert words in _counted(table, n), (n, _counted(table, n))
            assert _counted(table, n) == i18n._timer_text(n, n)
        # Past the table's 200 minutes, n takes the form of 100 + n % 100.
        long = i18n.countdown(1200)
        assert len(long["plural"]) == i18n.COUNTDOWN_TABLE
        for n in (201, 222, 525, 1111, 1200):
            assert _counted(long, n) == i18n._timer_text(n, n)


def test_timer_on_a_test_question_page_carries_its_forms(app: Flask) -> None:
    client = app.test_client()
    client.get("/?lang=ru")
    attempt_id = web.start(client, "sample-test")
    page = web.html(client.get(f"/quizzes/sample-test/attempts/{attempt_id}/q/1"))
    timer = re.search(r'<p class="timer"[^>]*>[^<]*</p>', page)
    assert timer, page
    tag = timer.group(0)
    found = re.search(r'data-forms="([^"]*)"', tag)
    assert found
    forms = json.loads(html.unescape(found.group(1)))
    # «около» takes the genitive: 1 and 21 минуты, 2, 5, 11 минут.
    assert sorted(forms) == ["Осталось около {n} минут", "Осталось около {n} минуты"]
    plural = re.search(r'data-plural="([ab]{31})"', tag)
    assert plural
    one = forms.index("Осталось около {n} минуты")
    picks = [n for n, i in enumerate(plural.group(1)) if ord(i) - ord("a") == one]
    assert picks == [1, 21]
    assert 'data-minutes="30"' in tag
    assert ">Осталось около 30 минут<" in tag


# -- footer --------------------------------------------------------------------------


def test_footer_tells_what_is_stored_and_links_the_privacy_page(
    app: Flask, client: FlaskClient
) -> None:
    page = web.html(client.get("/"))
    footer = page[page.index('<footer class="site-footer">') :]
    assert "kept under a random number in this browser" in footer
    assert "no name or email is stored, except the name you give" in footer
    assert (
        'href="/privacy"' in footer
        or 'href="/your-data"' in footer
        or ("Your data and privacy</a>" in footer)
    )

    class_id = cr.create_class(_teacher(app))
    assert cr.join(client, cr.join_code(app, class_id), "Anna").status_code == 302
    page = web.html(client.get(f"/classes/{class_id}"))
    footer = page[page.index('<footer class="site-footer">') :]
    assert "The name you give when you join a class is stored" in footer
    assert "no name or email is stored" not in footer
    assert "Your data and privacy</a>" in footer


# -- join codes ----------------------------------------------------------------------

_TO_CYRILLIC = str.maketrans("ABEKMHOPCTYX", "авекмнорстух")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("KP4HTW", "KP4HTW"),
        ("kp4-htw", "KP4HTW"),
        (" KP4 HTW ", "KP4HTW"),
        ("КР4НТW", "KP4HTW"),  # Cyrillic К, Р, Н, Т
        ("кр4-нтw", "KP4HTW"),
        ("АВЕКМН", "ABEKMH"),
        ("ОРСТУХ", "OPCTYX"),
        ("авекмн орстух", "ABEKMHOPCTYX"),
        ("KP4\u00a0HTW", "KP4HTW"),
        ("KP4\u2013HTW", "KP4HTW"),
        ("", ""),
        (" - ", ""),
    ],
)
def test_normalize_code(typed: str, code: str) -> None:
    assert normalize_code(typed) == code


def _teacher(app: Flask) -> FlaskClient:
    teacher = app.test_client()
    cr.add_teacher(app)
    cr.sign_in(teacher)
    return teacher


def test_join_with_a_code_typed_on_a_russian_keyboard(app: Flask) -> None:
    class_id = cr.create_class(_teacher(app))
    code = cr.join_code(app, class_id)
    typed = (
        code[:3].lower().translate(_TO_CYRILLIC)
        + "-"
        + code[3:].translate(_TO_CYRILLIC)
    )
    student = app.test_client()
    student.get("/?lang=ru")
    assert cr.join(student, typed, "Анна").status_code == 302
    assert "Анна" in web.html(student.get(f"/classes/{class_id}"))


# -- quiz titles on class and teacher pages --------------------------------------------


def test_class_and_teacher_pages_mark_an_untranslated_quiz_title(app: Flask) -> None:
    teacher = _teacher(app)
    class_id = cr.create_class(teacher)
    assignment_id = cr.assign(teacher, class_id, quiz="sample")
    student = app.test_client()
    student.get("/?lang=ru")
    assert cr.join(student, cr.join_code(app, class_id), "Анна").status_code == 302
    title = escape("Sample: check your understanding")
    marked = f'<span lang="en">{title}</span> <span class="untranslated" lang="ru">'
    for url in (
        f"/classes/{class_id}",
        f"/classes/{class_id}/assignments/{assignment_id}",
    ):
        page = web.html(student.get(url))
        assert marked in page, url
    teacher.get("/teacher/?lang=ru")
    base = f"/teacher/classes/{class_id}"
    for url in (base, f"{base}/assignments/{assignment_id}"):
        assert marked in web.html(teacher.get(url)), url
    page = web.html(teacher.get(f"{base}/assignments/new"))
    assert f'<option value="sample" lang="en">{title}</option>' in page


def test_class_and_teacher_pages_show_the_translated_quiz_title(
    make_app: Any,
) -> None:
    app: Flask = make_app(CONTENT_ROOT=str(REPO))
    teacher = _teacher(app)
    class_id = cr.create_class(teacher)
    assignment_id = cr.assign(teacher, class_id, quiz="rapallo")
    russian = str(escape(po_text("ru", "quiz:rapallo|title")))
    description = str(escape(po_text("ru", "quiz:rapallo|description")))
    student = app.test_client()
    student.get("/?lang=ru")
    assert cr.join(student, cr.join_code(app, class_id), "Анна").status_code == 302
    tasks = web.html(student.get(f"/classes/{class_id}"))
    assert russian in tasks
    page = web.html(student.get(f"/classes/{class_id}/assignments/{assignment_id}"))
    assert f'<h1 class="heading-xl">{russian}</h1>' in page
    assert description in page
    assert "Two outsiders" not in page
    teacher.get("/teacher/?lang=ru")
    base = f"/teacher/classes/{class_id}"
    for url in (base, f"{base}/assignments/{assignment_id}"):
        page = web.html(teacher.get(url))
        assert russian in page, url
        assert "Two outsiders" not in page, url
    page = web.html(teacher.get(f"{base}/assignments/new"))
    assert f'<option value="rapallo">{russian}</option>' in page


@pytest.mark.parametrize(
    ("lang", "limit", "words"),
    [
        ("en", 1, "Your answer must be 1 character or fewer"),
        ("en", 100, "Your answer must be 100 characters or fewer"),
        ("ru", 21, "не более 21 символа"),
        ("ru", 100, "не более 100 символов"),
        ("de", 100, "höchstens 100 Zeichen"),
    ],
)
def test_answer_length_limit_declines(
    app: Flask, lang: str, limit: int, words: str
) -> None:
    with _in(app, lang):
        quiz = library.get_catalog().quiz("sample")
        assert quiz is not None
        question = next(q for q in quiz.questions if q.type == "short_answer")
        err = InputError("too_long", "too long", limit=limit)
        assert words in presenters.input_error(err, question, {}, 1).message
