"""Live preview in --dev (reload on save, error page), the teacher preview, exports.

Every reload here happens in one app, through its test client: the file is saved,
the next request sees it, without a new app (no restart).
"""

from __future__ import annotations

import io
import os
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import classroom as cr
from tests import web
from webapp import library, live
from webapp.content.errors import ContentError

EXPORTS = {
    "gift": ("text/plain; charset=utf-8", "sample.gift.txt"),
    "moodle-xml": ("application/xml; charset=utf-8", "sample.moodle.xml"),
    "qti": ("application/zip", "sample.qti.zip"),
    "worksheet-student": ("text/html; charset=utf-8", "sample.student.html"),
    "worksheet-key": ("text/html; charset=utf-8", "sample.key.html"),
    "worksheet": ("text/html; charset=utf-8", "sample.worksheet.html"),
}
REMOTE = {"REMOTE_ADDR": "192.0.2.7"}  # not this computer


def save(path: Path, text: str) -> None:
    """Write a file as an editor does, with an mtime a second later than before.

    Two saves within one tick of the file system clock would otherwise look alike
    when their sizes match; a person never saves that fast.
    """
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    stamp = max(before + 1_000_000_000, path.stat().st_mtime_ns)
    os.utime(path, ns=(stamp, stamp))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    save(path, text.replace(old, new, 1))


@pytest.fixture
def dev(make_app: Any) -> Flask:
    """Return an app as `interwar serve --dev` runs it."""
    app: Flask = make_app(DEV=True)
    return app


@pytest.fixture
def lesson_file(content_root: Path) -> Path:
    return content_root / "lessons" / "sample.yaml"


@pytest.fixture
def quiz_file(content_root: Path) -> Path:
    return content_root / "quizzes" / "sample.yaml"


@pytest.fixture
def teacher(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return a client signed in as a teacher (the app is not in --dev)."""
    cr.add_teacher(app)
    cr.sign_in(client)
    return client


def _no_inline_style_or_script(page: str) -> None:
    """The strict CSP allows no inline style or script: the markup has none."""
    assert "style=" not in page
    assert "<style" not in page
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "src=" in tag, tag


# Live reload ----------------------------------------------------------------------


def test_a_saved_lesson_shows_on_the_next_request(
    dev: Flask, lesson_file: Path
) -> None:
    client = dev.test_client()
    assert "Two outsiders" in web.html(client.get("/lessons/sample"))
    catalog = dev.extensions["interwar.catalog"]
    edit(lesson_file, "title: Two outsiders", "title: Two outcasts")
    page = web.html(client.get("/lessons/sample"))  # the cached page is dropped
    assert "Two outcasts" in page
    assert "Two outsiders" not in page
    assert dev.extensions["interwar.catalog"] is not catalog
    # Nothing changed: the catalog is not loaded again.
    catalog = dev.extensions["interwar.catalog"]
    client.get("/lessons/sample")
    client.get("/")
    assert dev.extensions["interwar.catalog"] is catalog


def test_new_and_deleted_files_count(dev: Flask, content_root: Path) -> None:
    client = dev.test_client()
    assert client.get("/lessons/extra").status_code == 404
    text = (content_root / "lessons" / "sample.yaml").read_text(encoding="utf-8")
    new = content_root / "lessons" / "extra.yaml"
    save(
        new,
        text.replace("id: sample\n", "id: extra\n", 1).replace(
            'title: "Sample: the Treaty of Rapallo, 1922"', "title: An extra unit", 1
        ),
    )
    assert client.get("/lessons/extra").status_code == 200
    assert "An extra unit" in web.html(client.get("/"))
    new.unlink()
    assert client.get("/lessons/extra").status_code == 404
    assert "An extra unit" not in web.html(client.get("/"))


def test_a_changed_quiz_shows_on_the_start_page_and_preview(
    dev: Flask, quiz_file: Path
) -> None:
    client = dev.test_client()
    edit(quiz_file, "pass_mark: 70", "pass_mark: 85")
    assert "The pass mark is 85%." in web.html(client.get("/quizzes/sample"))
    edit(quiz_file, "Signed on 16 April 1922", "Signed on Easter Sunday 1922")
    page = web.html(client.get("/quizzes/sample/preview"))
    assert "Signed on Easter Sunday 1922" in page


def test_a_changed_translation_reloads(dev: Flask, content_root: Path) -> None:
    client = dev.test_client()
    po = content_root / "translations" / "de" / "LC_MESSAGES" / "content.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    catalog = dev.extensions["interwar.catalog"]
    client.get("/")
    assert dev.extensions["interwar.catalog"] is catalog
    save(po, 'msgid ""\nmsgstr ""\n"Language: de\\n"\n')
    client.get("/")
    assert dev.extensions["interwar.catalog"] is not catalog


def test_without_dev_content_is_read_once(
    app: Flask, client: FlaskClient, lesson_file: Path
) -> None:
    assert "Two outsiders" in web.html(client.get("/lessons/sample"))
    edit(lesson_file, "title: Two outsiders", "title: Two outcasts")
    edit(lesson_file, "minutes: 20", "minutes: 20\n\tcolour: red")
    page = web.html(client.get("/lessons/sample"))
    assert "Two outsiders" in page  # until a restart
    assert client.get("/dev/content-errors/lessons/sample.yaml").status_code == 404


# The error page ---------------------------------------------------------------------


def test_a_broken_lesson_shows_its_errors_then_the_fixed_page(
    dev: Flask, lesson_file: Path
) -> None:
    client = dev.test_client()
    good = lesson_file.read_text(encoding="utf-8")
    assert client.get("/lessons/sample").status_code == 200
    edit(lesson_file, "minutes: 20", "minutes: 20\n\tcolour: red")
    resp = client.get("/lessons/sample")
    assert resp.status_code == 500
    page = web.html(resp)
    assert "This page’s content has errors" in page
    assert "lessons/sample.yaml:9:1:" in page
    assert "tab characters cannot indent YAML" in page
    # The offending line, marked, with the lines around it and their numbers.
    marked = re.search(
        r'<li class="source-excerpt__line source-excerpt__line--error">'
        r'<span class="source-excerpt__no">(\d+)</span>(.*?)</li>',
        page,
    )
    assert marked, page
    assert marked.group(1) == "9"
    assert "\u2192   colour: red" in marked.group(2)  # the tab made visible
    assert "^ column 1" in marked.group(2)
    assert '<span class="source-excerpt__no">8</span>' in page
    assert '<span class="source-excerpt__no">11</span>' in page
    assert '<span class="source-excerpt__no">12</span>' not in page
    assert 'href="/dev/content-errors/lessons/sample.yaml"' in page
    _no_inline_style_or_script(page)
    # Its quiz cannot be loaded either: the lesson it names is not there.
    quiz = web.html(client.get("/quizzes/sample"))
    assert "quizzes/sample.yaml:5:9: there is no lesson with the id" in quiz
    save(lesson_file, good)
    resp = client.get("/lessons/sample")
    assert resp.status_code == 200
    assert "Two outsiders" in web.html(resp)
    assert client.get("/quizzes/sample").status_code == 200


def test_an_unknown_key_points_at_its_line_and_is_escaped(
    dev: Flask, lesson_file: Path
) -> None:
    client = dev.test_client()
    edit(lesson_file, "minutes: 20", 'minutes: 20\ncolour: "<script>alert(1)</script>"')
    page = web.html(client.get("/lessons/sample"))
    assert re.search(r"lessons/sample\.yaml:9:1: [^<]*colour", page), page
    assert "<script>alert" not in page
    assert "colour: &#34;&lt;script&gt;alert(1)&lt;/script&gt;&#34;" in page
    _no_inline_style_or_script(page)
    # The quiz is left out without an error of its own (its lesson is broken):
    # its page says so and shows the lesson's errors.
    resp = client.get("/quizzes/sample")
    assert resp.status_code == 500
    quiz = web.html(resp)
    assert "cannot be shown because a file it uses has errors" in quiz
    assert re.search(r"lessons/sample\.yaml:9:1: [^<]*colour", quiz)


def test_a_broken_quiz_shows_on_its_pages_and_the_rest_works(
    dev: Flask, quiz_file: Path
) -> None:
    client = dev.test_client()
    edit(quiz_file, "pass_mark: 70", "pass_mark: seventy")
    for url in ("/quizzes/sample", "/quizzes/sample/preview"):
        resp = client.get(url)
        assert resp.status_code == 500, url
        page = web.html(resp)
        assert "quizzes/sample.yaml:9:12: expected a whole number" in page
        assert "pass_mark: seventy" in page
    # The pool quiz that draws from it says the pool is broken.
    assert "quizzes/final.yaml" in web.html(client.get("/quizzes/final"))
    assert client.get("/lessons/sample").status_code == 200
    assert client.get("/quizzes/sample-test").status_code == 200
    assert client.get("/quizzes/nothing-here").status_code == 404


def test_the_file_errors_page(dev: Flask, quiz_file: Path) -> None:
    client = dev.test_client()
    url = "/dev/content-errors/quizzes/sample.yaml"
    assert "This file has no errors now." in web.html(client.get(url))
    edit(quiz_file, "pass_mark: 70", "pass_mark: seventy")
    page = web.html(client.get(url))
    assert "quizzes/sample.yaml:9:12: expected a whole number" in page
    assert "source-excerpt__line--error" in page
    # Only files with errors are read: a path is never opened just because it is asked.
    page = web.html(client.get("/dev/content-errors/../../etc/passwd"))
    assert "root:" not in page


def test_excerpt_edges() -> None:
    source = ["a: 1", "\tb: 2", "c: 3"]
    x = live.excerpt(ContentError("f.yaml", 2, 2, "m"), source)
    assert [line.number for line in x.lines] == [1, 2, 3]
    assert [line.marked for line in x.lines] == [False, True, False]
    assert x.caret == len(live.TAB_SHOWN)  # after the tab, as shown
    beyond = live.excerpt(ContentError("f.yaml", 99, 1, "m"), source)
    assert beyond.lines[-1].marked
    assert live.excerpt(ContentError("f.yaml", 1, 1, "m"), None).lines == ()


# Who sees the preview and the exports --------------------------------------------


@pytest.mark.parametrize("quiz_id", ["sample", "sample-test", "final"])
def test_a_learner_never_reaches_the_answers(
    app: Flask, client: FlaskClient, quiz_id: str
) -> None:
    page = web.html(client.get(f"/quizzes/{quiz_id}"))
    assert "/preview" not in page
    assert "/export/" not in page
    assert client.get(f"/quizzes/{quiz_id}/preview").status_code == 404
    for fmt in EXPORTS:
        assert client.get(f"/quizzes/{quiz_id}/export/{fmt}").status_code == 404
    # Having started an attempt changes nothing.
    web.start(client, quiz_id)
    assert client.get(f"/quizzes/{quiz_id}/preview").status_code == 404


def test_dev_preview_is_for_this_computer_only(dev: Flask) -> None:
    client = dev.test_client()
    assert client.get("/quizzes/sample/preview").status_code == 200
    assert "/quizzes/sample/preview" in web.html(client.get("/quizzes/sample"))
    assert client.get("/quizzes/sample/preview", environ_base=REMOTE).status_code == 404
    assert (
        client.get("/quizzes/sample/export/gift", environ_base=REMOTE).status_code
        == 404
    )
    page = web.html(client.get("/quizzes/sample", environ_base=REMOTE))
    assert "/preview" not in page


def test_a_teacher_sees_the_links_on_the_quiz_page(teacher: FlaskClient) -> None:
    page = web.html(teacher.get("/quizzes/sample"))
    assert 'href="/quizzes/sample/preview"' in page
    for fmt in ("worksheet-student", "worksheet-key", "gift", "moodle-xml", "qti"):
        assert f'href="/quizzes/sample/export/{fmt}"' in page
    assert "Printable worksheet: student copy" in page
    assert "Printable worksheet: answer key" in page
    _no_inline_style_or_script(page)


def test_signing_out_hides_the_preview_again(teacher: FlaskClient) -> None:
    assert teacher.get("/quizzes/sample/preview").status_code == 200
    cr.post(teacher, "/teacher/logout", {}, "/teacher/")
    assert teacher.get("/quizzes/sample/preview").status_code == 404


# The preview page -------------------------------------------------------------------


def test_the_preview_shows_every_answer_feedback_and_explanation(
    app: Flask, teacher: FlaskClient
) -> None:
    resp = teacher.get("/quizzes/sample/preview")
    assert resp.status_code == 200
    page = web.html(resp)
    assert page.count("<h1") == 1
    _no_inline_style_or_script(page)
    with app.app_context():
        quiz = library.get_catalog().quiz("sample")
    assert quiz is not None
    for n, q in enumerate(quiz.questions, 1):
        assert f'id="q-{q.id}"' in page
        assert f"Question {n} ·" in page
    for type_name in (
        "Single choice",
        "Multiple choice",
        "True or false",
        "Short answer",
        "Number",
        "Ordering",
        "Matching",
        "Fill in the gaps",
    ):
        assert f"· {type_name} ·" in page, type_name
    # Choices with right or wrong in words, and the feedback of each.
    assert '<span class="tag tag--right">Right</span>' in page
    assert "That is the Treaty of Versailles." in page
    assert "That is the Treaty of Berlin." in page
    assert "Rapallo had no military clauses." in page
    assert "Read the excerpt again." in page
    # True or false, short answer, numeric, ordering, matching, cloze keys.
    assert "The statement is false." in page
    assert "The treaty had no military clauses; military cooperation" in page
    assert "Walther Rathenau / Rathenau" in page
    assert "Chicherin signed for Soviet Russia." in page
    assert "100000" in page
    assert "1. Treaty of Versailles signed; 2. Treaty of Rapallo signed" in page
    assert "Walther Rathenau → Germany; Georgy Chicherin → Soviet Russia" in page
    assert "Options that match nothing:" in page
    assert "France" in page
    assert "[Rapallo]" in page
    assert (
        '<mark class="preview-gap"><span class="gap-no">1</span> Rapallo</mark>' in page
    )
    # Explanation and the `see` link to the section, with its title.
    assert "Signed on 16 April 1922, during the Genoa Conference." in page
    assert '<a href="/lessons/sample#the-treaty">The treaty</a>' in page
    assert '<a href="/lessons/sample#outsiders">Two outsiders</a>' in page
    # The stimulus is quoted.
    assert '<figure class="quote">' in page


def test_the_preview_groups_pooled_questions_by_pool(teacher: FlaskClient) -> None:
    page = web.html(teacher.get("/quizzes/final/preview"))
    assert "Pool: Sample: check your understanding" in page
    assert "Each attempt draws 3 of these 9 questions." in page
    assert 'id="q-sample.signed-when"' in page
    assert "An attempt has 3 questions." in page
    assert "That is the Treaty of Versailles." in page


def test_the_preview_speaks_the_interface_language(teacher: FlaskClient) -> None:
    page = web.html(teacher.get("/quizzes/sample/preview?lang=de"))
    assert '<html lang="de"' in page
    assert 'lang="en"' in page  # the English quiz text is marked as such


def test_the_preview_lists_what_the_exports_change(teacher: FlaskClient) -> None:
    page = web.html(teacher.get("/quizzes/sample/preview"))
    assert "What changes in the exports" in page
    assert "ordering" in page
    assert 'href="/quizzes/sample/export/qti"' in page


# Exports --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_exports_are_downloads_with_their_type(teacher: FlaskClient, fmt: str) -> None:
    resp = teacher.get(f"/quizzes/sample/export/{fmt}")
    assert resp.status_code == 200
    content_type, filename = EXPORTS[fmt]
    assert resp.headers["Content-Type"] == content_type
    assert resp.headers["Content-Disposition"] == f"attachment; filename={filename}"
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    data = resp.get_data()
    if fmt == "qti":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert "imsmanifest.xml" in zf.namelist()
    elif fmt == "moodle-xml":
        root = ET.fromstring(data)
        assert root.tag == "quiz"
        assert len(root.findall("question")) >= 9
    elif fmt == "gift":
        assert "::signed-when::" in data.decode("utf-8")
    else:
        text = data.decode("utf-8")
        # Its own <style> is fine in a file opened from disk; served inline it
        # would meet the site's CSP, so it is only ever an attachment.
        assert "<style>" in text
        if fmt == "worksheet-student":
            assert "Tick one box." in text
            assert "Signed on 16 April 1922" not in text
        if fmt == "worksheet-key":
            assert "Signed on 16 April 1922" in text


def test_an_unknown_export_format_is_404(teacher: FlaskClient) -> None:
    assert teacher.get("/quizzes/sample/export/pdf").status_code == 404
    assert teacher.get("/quizzes/nothing/export/gift").status_code == 404
    assert teacher.get("/quizzes/nothing/preview").status_code == 404
