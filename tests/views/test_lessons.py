"""Home, reading pages, the timeline, and what broken content does to them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests import web


def test_home_lists_units_with_progress(app: Flask, client: FlaskClient) -> None:
    page = web.html(client.get("/"))
    assert "Sample: the Treaty of Rapallo, 1922" in page
    assert 'href="/lessons/sample"' in page
    assert 'href="/quizzes/sample"' in page
    assert "Not started" in page
    attempt_id = web.start(client)
    assert "In progress" in web.html(client.get("/"))
    client.post(
        f"/quizzes/sample/attempts/{attempt_id}/submit",
        data={"csrf_token": web.csrf(client)},
    )
    page = web.html(client.get("/"))
    assert "best score 0%" in page


def test_reading_page_has_sections_terms_timeline_quotes_sources(
    client: FlaskClient,
) -> None:
    resp = client.get("/lessons/sample")
    assert resp.status_code == 200
    page = web.html(resp)
    assert page.count("<h1") == 1
    assert '<section id="the-treaty"' in page  # `see:` links land here
    assert '<a href="#the-treaty">The treaty</a>' in page  # contents
    # The first use of a key term in a section links to the glossary entry.
    assert '<a class="term" href="#term-genoa-conference">Genoa Conference</a>' in page
    assert '<dt id="term-genoa-conference"><dfn>Genoa Conference</dfn></dt>' in page
    # Dates at their precision, formatted by Babel, with machine-readable values.
    assert '<time datetime="1922-04-16">16 April 1922</time>' in page
    assert '<time datetime="1926">1926</time>' in page
    assert '<figure class="quote">' in page
    caption = "<figcaption><span>Wikipedia, "
    assert f"{caption}&#34;Treaty of Rapallo (1922)&#34;" in page or (
        f"{caption}&quot;Treaty of Rapallo (1922)&quot;" in page
    )
    assert 'href="#src-1"' in page
    assert '<li id="src-1">' in page
    assert "Start the practice quiz" in page


def test_reading_dates_follow_the_interface_language(client: FlaskClient) -> None:
    page = web.html(client.get("/lessons/sample?lang=de"))
    assert '<time datetime="1922-04-16">16. April 1922</time>' in page
    page = web.html(client.get("/timeline?lang=ru"))
    assert "1922" in page
    assert '<html lang="ru"' in page


def test_timeline_merges_units(client: FlaskClient) -> None:
    page = web.html(client.get("/timeline"))
    assert page.index("1919") < page.index("1926")
    assert 'href="/lessons/sample"' in page


def test_unknown_lesson_is_404(client: FlaskClient) -> None:
    assert client.get("/lessons/nope").status_code == 404


def _break_quiz(root: Path) -> None:
    path = root / "quizzes" / "sample.yaml"
    path.write_text(path.read_text().replace("pass_mark: 70", "pass_mark: lots"))


def test_a_broken_file_leaves_the_rest_working(
    make_app: Any, content_root: Path
) -> None:
    _break_quiz(content_root)
    app = make_app()
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/lessons/sample").status_code == 200
    assert client.get("/quizzes/sample").status_code == 404
    assert "Content errors" not in web.html(client.get("/"))
    assert client.get("/dev/content-errors").status_code == 404
    assert client.get("/healthz").json["content"]["errors"] >= 1  # type: ignore[index]


def test_dev_mode_shows_the_errors(make_app: Any, content_root: Path) -> None:
    _break_quiz(content_root)
    client = make_app(DEV=True).test_client()
    home = web.html(client.get("/"))
    assert "Content errors" in home
    page = web.html(client.get("/dev/content-errors"))
    assert "quizzes/sample.yaml:" in page
    assert "quizzes/sample.yaml:9:12: expected a whole number" in page


def test_dev_mode_without_errors(make_app: Any) -> None:
    client = make_app(DEV=True).test_client()
    assert "Content errors" not in web.html(client.get("/"))
    assert "All content files are valid." in web.html(client.get("/dev/content-errors"))


def test_empty_content_root(make_app: Any, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    (empty / "lessons").mkdir(parents=True)
    (empty / "quizzes").mkdir()
    client = make_app(CONTENT_ROOT=str(empty)).test_client()
    assert "There are no units yet." in web.html(client.get("/"))
    assert client.get("/timeline").status_code == 200


def test_content_in_another_language_is_marked(client: FlaskClient) -> None:
    page = web.html(client.get("/lessons/sample?lang=de"))
    assert '<h1 class="heading-xl" lang="en">' in page
    # No German catalog: every string falls back to English and says so.
    assert '<h2 id="the-treaty-h"><span lang="en">' in page
    assert web.ui("de", "not yet translated") in page
    english = web.html(client.get("/lessons/sample?lang=en"))
    assert '<h1 class="heading-xl">' in english
