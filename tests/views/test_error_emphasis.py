"""The 503 page emphasises "not" with <strong>, never with capitals (a screen reader
may spell "NOT" letter by letter); the <title> element gets the plain words.
"""

from __future__ import annotations

import re

from flask import Flask, render_template


def test_503_title_emphasises_not_with_strong_and_the_title_tag_is_plain(
    app: Flask,
) -> None:
    with app.test_request_context("/"):
        page = render_template("errors/error.html", code=503, csrf=False, error=True)
    assert "NOT" not in page
    assert (
        '<h1 class="heading-l">Your answers were <strong>not</strong> saved</h1>'
        in page
    )
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title
    assert "Your answers were not saved" in title.group(1)
    assert "&lt;strong" not in page


def test_503_title_in_russian(app: Flask) -> None:
    with app.test_request_context("/", headers={"Accept-Language": "ru"}):
        page = render_template("errors/error.html", code=503, csrf=False, error=True)
    assert "Ваши ответы <strong>не</strong> сохранены</h1>" in page
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title
    assert "Ваши ответы не сохранены" in title.group(1)
