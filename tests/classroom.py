"""Helpers for classroom tests: a teacher, a signed-in client, a class, students."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import web
from webapp import auth, library
from webapp.extensions import db

PASSWORD = "correct horse battery"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_KEY = re.compile(r'name="key" value="([^"]+)"')
_ATTEMPT = re.compile(r"/attempts/(\d+)/")


def token(page: str) -> str:
    """Return the CSRF token in a page's form."""
    m = _TOKEN.search(page)
    assert m, "no csrf_token on the page: " + page[-800:]
    return m.group(1)


def add_teacher(app: Flask, email: str = "teacher@example.org", tz: str = "UTC") -> int:
    """Create a teacher account with PASSWORD; return its id."""
    with app.app_context():
        return auth.add_teacher(email, PASSWORD, tz).id


def sign_in(client: FlaskClient, email: str = "teacher@example.org") -> None:
    """Sign the client in as the teacher."""
    page = web.html(client.get("/join"))  # any form: signed in, login redirects
    resp = client.post(
        "/teacher/login",
        data={"csrf_token": token(page), "email": email, "password": PASSWORD},
    )
    assert resp.status_code == 302, web.html(resp)


def post(client: FlaskClient, url: str, data: dict[str, Any], form_url: str) -> Any:
    """Post a form with the CSRF token read from `form_url`."""
    page = web.html(client.get(form_url))
    return client.post(url, data={"csrf_token": token(page), **data})


def create_class(client: FlaskClient, name: str = "9B History") -> int:
    """Create a class through the teacher pages; return its id."""
    resp = post(client, "/teacher/classes", {"name": name}, "/teacher/")
    assert resp.status_code == 302, web.html(resp)
    return int(resp.headers["Location"].rsplit("/", 1)[1])


def join_code(app: Flask, class_id: int) -> str:
    """Return a class's join code."""
    from webapp.models import Classroom

    with app.app_context():
        klass = db.session.get(Classroom, class_id)
        assert klass is not None
        return klass.join_code


def assign(client: FlaskClient, class_id: int, **fields: str) -> int:
    """Assign a quiz to the class through the form; return the assignment id."""
    form = {
        "quiz": "sample",
        "mode": "test",
        "grading": "highest",
        "max_attempts": "",
        **fields,
    }
    url = f"/teacher/classes/{class_id}/assignments/new"
    resp = post(client, url, form, url)
    assert resp.status_code == 302, web.html(resp)
    from webapp.models import Assignment

    with client.application.app_context():
        found = db.session.scalar(
            select(Assignment.id)
            .where(Assignment.classroom_id == class_id)
            .order_by(Assignment.id.desc())
        )
    assert found is not None
    return int(found)


def join(client: FlaskClient, code: str, name: str) -> Any:
    """Join a class as a student; return the response."""
    return post(client, "/join", {"code": code, "name": name}, "/join")


def start(client: FlaskClient, class_id: int, assignment_id: int) -> Any:
    """Press Start on an assignment page; return the response."""
    page = web.html(client.get(f"/classes/{class_id}/assignments/{assignment_id}"))
    key = _KEY.search(page)
    assert key, page
    return client.post(
        f"/classes/{class_id}/assignments/{assignment_id}/start",
        data={"csrf_token": token(page), "key": key.group(1)},
    )


def attempt_id(resp: Any) -> int:
    """Return the attempt id a start redirected to."""
    m = _ATTEMPT.search(resp.headers["Location"])
    assert m, resp.headers.get("Location")
    return int(m.group(1))


def answer_all(
    client: FlaskClient, app: Flask, attempt: int, right: int, quiz_id: str = "sample"
) -> None:
    """Answer the first `right` questions right and the rest wrong, then submit."""
    row = web.attempt_row(app, attempt)
    with app.app_context():
        quiz = library.get_catalog().quiz(quiz_id)
    assert quiz is not None
    for n, qid in enumerate(row.question_ids, 1):
        q = quiz.question(qid)
        assert q is not None
        pres = row.presentations[qid]
        form = (
            web.form_for(q, web.right_answer(q), pres)
            if n <= right
            else web.wrong_form(q, pres)
        )
        url = f"/quizzes/{quiz_id}/attempts/{attempt}/q/{n}"
        resp = post(client, url, form, url)
        assert resp.status_code == 302, web.html(resp)
    review = f"/quizzes/{quiz_id}/attempts/{attempt}/review"
    resp = post(client, f"/quizzes/{quiz_id}/attempts/{attempt}/submit", {}, review)
    assert resp.status_code == 302
