"""Teacher pages read an attempt in the language it was taken in.

A Russian learner who types «Липецк» is right: the teacher's review and the item
analysis grade the attempt with the Russian quiz (English forms plus Russian ones),
and the review shows the Russian question text tagged lang="ru" on an English page.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import classroom as cr
from tests import web
from tests.conftest import REPO
from tests.test_i18n_web import po_text
from webapp import classroom, library
from webapp.content.markdown import render_inline
from webapp.extensions import db
from webapp.models import Assignment, Response

QUIZ = "lipetsk-kama"
QID = "lipetsk-town"


@pytest.fixture
def repo_app(make_app: Any) -> Flask:
    """An app on the repository's units, with their de and ru catalogs."""
    app: Flask = make_app(CONTENT_ROOT=str(REPO))
    return app


def _russian_attempt(app: Flask, teacher: FlaskClient, typed: str) -> dict[str, int]:
    """A Russian learner answers lipetsk-town with `typed` and submits."""
    class_id = cr.create_class(teacher)
    assignment_id = cr.assign(teacher, class_id, quiz=QUIZ)
    student = app.test_client()
    student.get("/?lang=ru")
    assert cr.join(student, cr.join_code(app, class_id), "Анна").status_code == 302
    attempt_id = cr.attempt_id(cr.start(student, class_id, assignment_id))
    row = web.attempt_row(app, attempt_id)
    assert row.locale == "ru"
    n = row.question_ids.index(QID) + 1
    url = f"/quizzes/{QUIZ}/attempts/{attempt_id}/q/{n}"
    assert cr.post(student, url, {"answer": typed}, url).status_code == 302
    review = f"/quizzes/{QUIZ}/attempts/{attempt_id}/review"
    submit = f"/quizzes/{QUIZ}/attempts/{attempt_id}/submit"
    assert cr.post(student, submit, {}, review).status_code == 302
    return {"class": class_id, "assignment": assignment_id, "attempt": attempt_id}


def _result_item(page: str, prompt: str) -> str:
    """Return the <li> of the review that shows `prompt`."""
    for item in page.split('<li class="results__item"')[1:]:
        if prompt in item:
            return item
    raise AssertionError(f"no review item shows {prompt!r}")


def test_russian_answer_is_right_in_the_teachers_review(
    repo_app: Flask,
) -> None:
    teacher = repo_app.test_client()
    cr.add_teacher(repo_app)
    cr.sign_in(teacher)
    ids = _russian_attempt(repo_app, teacher, "Липецк")
    with repo_app.app_context():
        stored = db.session.scalar(
            select(Response).where(
                Response.attempt_id == ids["attempt"], Response.question_id == QID
            )
        )
        assert stored is not None
        assert stored.is_correct is True

    base = f"/teacher/classes/{ids['class']}/assignments/{ids['assignment']}"
    page = web.html(teacher.get(f"{base}/attempts/{ids['attempt']}"))
    assert '<html lang="en"' in page  # the teacher's interface stays English
    prompt = render_inline(po_text("ru", f"quiz:{QUIZ}|questions.{QID}.prompt"))
    item = _result_item(page, prompt)
    assert f'<span lang="ru">{prompt}</span>' in item
    assert "result--correct" in item
    assert '<span lang="ru">Липецк</span>' in item
    assert 'class="untranslated"' not in page


def test_item_analysis_grades_each_attempt_in_its_language(
    repo_app: Flask,
) -> None:
    teacher = repo_app.test_client()
    cr.add_teacher(repo_app)
    cr.sign_in(teacher)
    ids = _russian_attempt(repo_app, teacher, "в Липецке")
    base = f"/teacher/classes/{ids['class']}/assignments/{ids['assignment']}"
    assert teacher.get(f"{base}/analysis").status_code == 200
    with repo_app.app_context():
        assignment = db.session.get(Assignment, ids["assignment"])
        quiz = library.get_catalog().quiz(QUIZ)
        assert assignment is not None
        assert quiz is not None
        result = classroom.item_analysis(db.session, assignment, quiz)
    row = next(it for it in result.items if it.question_id == QID)
    assert row.count == 1
    assert row.facility == 1.0
