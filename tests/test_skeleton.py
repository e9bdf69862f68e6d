"""Question pages from a shared skeleton: the bytes of a whole render, per learner."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import web
from webapp import skeleton

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _pages(client: FlaskClient, attempt_id: int, quiz_id: str = "sample") -> list[str]:
    pages = []
    n = 1
    while True:
        resp = client.get(f"/quizzes/{quiz_id}/attempts/{attempt_id}/q/{n}")
        if resp.status_code == 404:
            return pages
        assert resp.status_code == 200
        pages.append(web.html(resp))
        n += 1


def _both_ways(app: Flask, client: FlaskClient, attempt_id: int) -> None:
    """Every question page is the same from the skeleton as rendered whole."""
    app.config["PAGE_SKELETONS"] = False
    whole = _pages(client, attempt_id)
    app.config["PAGE_SKELETONS"] = True
    cold = _pages(client, attempt_id)
    warm = _pages(client, attempt_id)
    assert len(whole) >= 8  # every question type of the sample
    assert cold == whole
    assert warm == whole


def test_practice_pages_are_the_same_as_whole_renders(
    app: Flask, client: FlaskClient
) -> None:
    _both_ways(app, client, web.start(client))


def test_timed_test_pages_in_german_are_the_same_as_whole_renders(
    make_app: Any, content_root: Path
) -> None:
    quiz = content_root / "quizzes" / "sample.yaml"
    text = quiz.read_text(encoding="utf-8")
    quiz.write_text(
        text.replace("mode: practice\n", "mode: test\ntime_limit: 75\n"),
        encoding="utf-8",
    )
    app = make_app()
    client = app.test_client()
    client.get("/?lang=de")
    attempt_id = web.start(client)
    first = web.html(client.get(f"/quizzes/sample/attempts/{attempt_id}/q/1"))
    assert 'data-module="timer"' in first
    assert 'lang="de"' in first
    _both_ways(app, client, attempt_id)


def test_two_learners_get_their_own_token_and_links(app: Flask) -> None:
    one, two = app.test_client(), app.test_client()
    a1, a2 = web.start(one), web.start(two)
    p1 = web.html(one.get(f"/quizzes/sample/attempts/{a1}/q/2"))
    p2 = web.html(two.get(f"/quizzes/sample/attempts/{a2}/q/2"))
    t1, t2 = _TOKEN.search(p1), _TOKEN.search(p2)
    assert t1
    assert t2
    assert t1.group(1) != t2.group(1)
    assert f"/attempts/{a1}/" in p1
    assert f"/attempts/{a2}/" not in p1
    assert f"/attempts/{a2}/" in p2
    assert f"/attempts/{a1}/" not in p2
    # Each page's token works for its own learner and not for the other.
    skip = {"action": "skip"}
    url2 = f"/quizzes/sample/attempts/{a2}/q/2"
    assert two.post(url2, data={**skip, "csrf_token": t2.group(1)}).status_code == 302
    assert two.post(url2, data={**skip, "csrf_token": t1.group(1)}).status_code == 400


def test_feedback_and_retry_pages_are_the_learners_own(
    app: Flask, client: FlaskClient
) -> None:
    from webapp import library

    attempt_id = web.start(client)
    row = web.attempt_row(app, attempt_id)
    n = row.question_ids.index("signed-when") + 1
    with app.app_context():
        quiz = library.get_catalog().quiz("sample")
    assert quiz is not None
    q = quiz.question("signed-when")
    assert q is not None
    url = f"/quizzes/sample/attempts/{attempt_id}/q/{n}"
    blank = web.html(client.get(url))
    wrong = web.form_for(q, "c1", row.presentations[q.id])  # June 1919
    client.post(url, data={**wrong, "csrf_token": web.csrf(client)})
    answered = web.html(client.get(url))
    assert "That is the Treaty of Versailles." in answered
    assert "Check answer" not in answered
    # Try again shows the blank form again, as before answering.
    retry = web.html(client.get(url + "?retry=1"))
    assert "Check answer" in retry
    assert "That is the Treaty of Versailles." not in retry
    assert retry.count('type="radio"') == blank.count('type="radio"') == 3


def test_hole_values_are_escaped(app: Flask) -> None:
    with app.test_request_context("/"):
        html = skeleton.render(
            "quizzes/_attempt_language.html",
            key=("test", 1),
            keep=(),
            context={"attempt_language": "x"},
            holes={},
        )
        assert "x" in html
    page = skeleton.Skeleton(
        "<p>" + str(skeleton._marker("a")) + "</p>" + str(skeleton._marker("b")),
        keep=(),
    )
    assert page.fill({"a": "<script>", "b": skeleton.Markup("<b>ok</b>")}) == (
        "<p>&lt;script&gt;</p><b>ok</b>"
    )


@pytest.mark.parametrize("n", [1, 3])
def test_a_reloaded_quiz_is_not_served_from_an_old_skeleton(
    app: Flask, client: FlaskClient, content_root: Path, n: int
) -> None:
    from webapp import library

    attempt_id = web.start(client)
    url = f"/quizzes/sample/attempts/{attempt_id}/q/{n}"
    assert "Sample: check your understanding" in web.html(client.get(url))
    quiz = content_root / "quizzes" / "sample.yaml"
    quiz.write_text(
        quiz.read_text(encoding="utf-8").replace(
            'title: "Sample: check your understanding"', 'title: "Renamed sample"'
        ),
        encoding="utf-8",
    )
    with app.app_context():
        library.load(app)
    page = web.html(client.get(url))
    assert "Renamed sample" in page
    assert "Sample: check your understanding" not in page
