"""Privacy: "Your data", the JSON export for a learner and for their teacher, complete
deletion by the learner or the teacher, and the retention purge in and out of classes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text, update

from tests import classroom as cr
from tests import web
from webapp import privacy
from webapp.cli import main
from webapp.extensions import db
from webapp.learners import SESSION_KEY
from webapp.models import (
    Attempt,
    Base,
    Classroom,
    Learner,
    Membership,
    Response,
)

# Every table that can hold a row about a learner, and how a row names them.
LEARNER_COLUMNS = {
    "learner": "id",
    "membership": "learner_id",
    "attempt": "learner_id",
}


@pytest.fixture
def teacher(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return a client signed in as a teacher."""
    cr.add_teacher(app)
    cr.sign_in(client)
    return client


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            t.name: int(db.session.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


def _learner_id(client: FlaskClient) -> int:
    with client.session_transaction() as sess:
        token = sess[SESSION_KEY]
    with client.application.app_context():
        found = db.session.scalar(select(Learner.id).where(Learner.token == token))
    assert found is not None
    return int(found)


def _rows_about(app: Flask, learner_id: int) -> dict[str, int]:
    """Count the rows naming the learner in every table that can (responses via
    their attempts, which are named by learner id)."""
    out = {}
    with app.app_context():
        for table, column in LEARNER_COLUMNS.items():
            out[table] = int(
                db.session.scalar(
                    text(f"SELECT COUNT(*) FROM {table} WHERE {column} = :id"),
                    {"id": learner_id},
                )
                or 0
            )
        out["response"] = int(
            db.session.scalar(
                select(func.count())
                .select_from(Response)
                .join(Attempt, Response.attempt_id == Attempt.id)
                .where(Attempt.learner_id == learner_id)
            )
            or 0
        )
        orphans = db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(~Response.attempt_id.in_(select(Attempt.id)))
        )
        assert orphans == 0
    return out


def _practice(client: FlaskClient, app: Flask, right: int = 2) -> int:
    """Take the sample quiz outside any class and submit it; return the attempt."""
    attempt = web.start(client)
    cr.answer_all(client, app, attempt, right=right)
    return attempt


def _download(client: FlaskClient, url: str) -> dict[str, Any]:
    resp = client.get(url)
    assert resp.status_code == 200, web.html(resp)
    assert resp.mimetype == "application/json"
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert resp.headers["Cache-Control"] == "no-store"
    data: dict[str, Any] = json.loads(resp.get_data(as_text=True))
    return data


def _class(
    app: Flask, teacher: FlaskClient, names: tuple[str, ...], name: str = "9B History"
) -> tuple[int, int, list[FlaskClient]]:
    """Create a class with an assignment; the named students join and submit."""
    class_id = cr.create_class(teacher, name)
    assignment_id = cr.assign(teacher, class_id)
    code = cr.join_code(app, class_id)
    students = []
    for student_name in names:
        s = app.test_client()
        assert cr.join(s, code, student_name).status_code == 302
        cr.answer_all(s, app, cr.attempt_id(cr.start(s, class_id, assignment_id)), 3)
        students.append(s)
    return class_id, assignment_id, students


def _member_id(app: Flask, class_id: int, name: str) -> int:
    with app.app_context():
        found = db.session.scalar(
            select(Membership.id).where(
                Membership.classroom_id == class_id, Membership.display_name == name
            )
        )
    assert found is not None
    return int(found)


# Your data page and the footer ----------------------------------------------------


def test_footer_links_to_the_your_data_page(client: FlaskClient) -> None:
    page = web.html(client.get("/"))
    assert 'href="/privacy"' in page
    page = web.html(client.get("/privacy"))
    assert "Your data" in page
    assert "Nothing is stored for this browser." in page
    assert "interwar_session" in page


def test_reading_the_data_page_or_export_creates_no_learner(
    app: Flask, client: FlaskClient
) -> None:
    data = _download(client, "/privacy/data.json")
    assert data["learner"] is None
    assert data["attempts"] == []
    assert client.get("/privacy/delete").status_code == 302
    assert _counts(app)["learner"] == 0


def test_retention_is_shown_on_the_data_page(make_app: Any) -> None:
    app = make_app(RETENTION_DAYS=90)
    page = web.html(app.test_client().get("/privacy"))
    assert "deleted 90 days after they start" in page
    app = make_app(RETENTION_DAYS=0)
    page = web.html(app.test_client().get("/privacy"))
    assert "kept until you delete them" in page


# Export ---------------------------------------------------------------------------


def test_anonymous_learner_downloads_every_attempt_and_response(
    app: Flask, client: FlaskClient
) -> None:
    first = _practice(client, app, right=2)
    open_attempt = web.start(client, "sample-test")
    data = _download(client, "/privacy/data.json")
    assert data["format"] == privacy.EXPORT_FORMAT
    assert data["scope"] == "all"
    assert data["learner"]["kind"] == "anonymous"
    assert data["memberships"] == []
    by_id = {a["id"]: a for a in data["attempts"]}
    assert set(by_id) == {first, open_attempt}
    done = by_id[first]
    assert done["quiz_id"] == "sample"
    assert done["submitted_at"]
    assert done["started_at"]
    assert done["score"] is not None
    assert done["max_score"]
    row = web.attempt_row(app, first)
    assert [r["question_id"] for r in done["responses"]] == row.question_ids
    for r in done["responses"]:
        assert set(r) >= {"question_id", "answer", "points", "max_points"}
        assert r["points"] is not None
    assert by_id[open_attempt]["submitted_at"] is None
    # The cookie's token would let the reader act as the learner: never exported.
    with client.session_transaction() as sess:
        token = sess[SESSION_KEY]
    raw = client.get("/privacy/data.json").get_data(as_text=True)
    assert token not in raw
    assert "idempotency" not in raw


def test_another_browser_downloads_only_its_own_data(
    app: Flask, client: FlaskClient
) -> None:
    _practice(client, app)
    other = app.test_client()
    mine = web.start(other)
    data = _download(other, "/privacy/data.json")
    assert [a["id"] for a in data["attempts"]] == [mine]


def test_student_downloads_their_data_from_the_class_page(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id, assignment_id, (anna,) = _class(app, teacher, ("Anna",))
    page = web.html(anna.get(f"/classes/{class_id}"))
    assert 'href="/privacy/data.json"' in page
    assert 'href="/privacy/delete"' in page
    data = _download(anna, "/privacy/data.json")
    assert data["learner"]["kind"] == "student"
    (member,) = data["memberships"]
    assert member["display_name"] == "Anna"
    assert member["class_name"] == "9B History"
    (attempt,) = data["attempts"]
    assert attempt["assignment_id"] == assignment_id
    assert attempt["class_id"] == class_id
    assert attempt["class_name"] == "9B History"
    assert attempt["score"] == 3
    assert len(attempt["responses"]) == len(attempt["question_ids"])


def test_teacher_downloads_a_students_data_in_their_classes_only(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id, assignment_id, (anna,) = _class(app, teacher, ("Anna",))
    _practice(anna, app)  # outside the class: the student's own business
    member_id = _member_id(app, class_id, "Anna")
    url = f"/teacher/classes/{class_id}/students/{member_id}"
    page = web.html(teacher.get(url))
    assert f'href="{url}/data.json"' in page
    data = _download(teacher, f"{url}/data.json")
    assert data["scope"] == "classes"
    assert [m["display_name"] for m in data["memberships"]] == ["Anna"]
    assert [a["assignment_id"] for a in data["attempts"]] == [assignment_id]
    assert data["attempts"][0]["responses"]
    # Another teacher, a signed-out browser, the student: none gets it.
    cr.add_teacher(app, "other@example.org")
    other = app.test_client()
    cr.sign_in(other, "other@example.org")
    assert other.get(f"{url}/data.json").status_code == 404
    assert app.test_client().get(f"{url}/data.json").status_code == 302
    assert anna.get(f"{url}/data.json").status_code == 302
    assert teacher.get(f"{url}9/data.json").status_code == 404


# Deletion -------------------------------------------------------------------------


def test_deleting_needs_a_csrf_token(app: Flask, client: FlaskClient) -> None:
    _practice(client, app)
    assert client.post("/privacy/delete").status_code == 400
    assert _counts(app)["attempt"] == 1


def test_anonymous_learner_deletes_everything_and_gets_a_new_cookie(
    app: Flask, client: FlaskClient
) -> None:
    first = _practice(client, app)
    web.start(client, "sample-test")
    other = app.test_client()
    _practice(other, app)
    before = _counts(app)
    learner_id = _learner_id(client)
    assert _rows_about(app, learner_id)["response"] > 0
    page = web.html(client.get("/privacy/delete"))
    assert "cannot be undone" in page
    resp = client.post("/privacy/delete", data={"csrf_token": cr.token(page)})
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/privacy")
    assert "Your data has been deleted." in web.html(client.get("/privacy"))
    assert _rows_about(app, learner_id) == {
        "learner": 0,
        "membership": 0,
        "attempt": 0,
        "response": 0,
    }
    after = _counts(app)
    assert after["learner"] == before["learner"] - 1
    assert after["attempt"] == before["attempt"] - 2
    other_responses = before["response"] - after["response"]
    assert after["response"] == before["response"] - other_responses
    assert after["response"] > 0  # the other browser's answers stay
    with client.session_transaction() as sess:
        assert SESSION_KEY not in sess
    assert client.get(f"/quizzes/sample/attempts/{first}/results").status_code == 404
    web.start(client)
    assert _learner_id(client) != learner_id


def test_student_deletes_their_data_and_leaves_the_class(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id, assignment_id, (anna, ben) = _class(app, teacher, ("Anna", "Ben"))
    _practice(anna, app)
    anna_id, ben_id = _learner_id(anna), _learner_id(ben)
    ben_rows = _rows_about(app, ben_id)
    before = _counts(app)
    page = web.html(anna.get("/privacy/delete"))
    assert "9B History" in page
    resp = anna.post("/privacy/delete", data={"csrf_token": cr.token(page)})
    assert resp.status_code == 302
    assert set(_rows_about(app, anna_id).values()) == {0}
    assert _rows_about(app, ben_id) == ben_rows
    after = _counts(app)
    for table in ("teacher", "classroom", "assignment"):
        assert after[table] == before[table], table
    assert after["membership"] == before["membership"] - 1
    assert anna.get(f"/classes/{class_id}").status_code == 404
    book_url = f"/teacher/classes/{class_id}/assignments/{assignment_id}"
    book = web.html(teacher.get(book_url))
    assert "Ben" in book
    assert "Anna" not in book


def test_teacher_removal_deletes_a_students_attempts_responses_and_learner(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id, _, (anna, ben) = _class(app, teacher, ("Anna", "Ben"))
    _practice(anna, app)
    anna_id, ben_id = _learner_id(anna), _learner_id(ben)
    ben_rows = _rows_about(app, ben_id)
    url = f"/teacher/classes/{class_id}/students/{_member_id(app, class_id, 'Anna')}"
    page = web.html(teacher.get(f"{url}/remove"))
    assert "everything stored for them is deleted" in page
    assert cr.post(teacher, f"{url}/remove", {}, f"{url}/remove").status_code == 302
    assert set(_rows_about(app, anna_id).values()) == {0}
    assert _rows_about(app, ben_id) == ben_rows
    assert anna.get(f"/classes/{class_id}").status_code == 404


def test_removal_from_one_class_keeps_the_student_in_another(
    app: Flask, teacher: FlaskClient
) -> None:
    first, _, (anna,) = _class(app, teacher, ("Anna",))
    second = cr.create_class(teacher, "10A History")
    second_assignment = cr.assign(teacher, second)
    assert cr.join(anna, cr.join_code(app, second), "Anna").status_code == 302
    kept = cr.attempt_id(cr.start(anna, second, second_assignment))
    cr.answer_all(anna, app, kept, 1)
    anna_id = _learner_id(anna)
    url = f"/teacher/classes/{first}/students/{_member_id(app, first, 'Anna')}"
    assert cr.post(teacher, f"{url}/remove", {}, f"{url}/remove").status_code == 302
    rows = _rows_about(app, anna_id)
    assert rows["learner"] == 1
    assert rows["membership"] == 1
    assert rows["attempt"] == 1
    assert rows["response"] > 0
    with app.app_context():
        assert db.session.scalars(
            select(Attempt.id).where(Attempt.learner_id == anna_id)
        ).all() == [kept]


def test_deleting_a_class_leaves_no_learner_rows_behind_for_its_attempts(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id, _, (anna,) = _class(app, teacher, ("Anna",))
    anna_id = _learner_id(anna)
    url = f"/teacher/classes/{class_id}/delete"
    assert cr.post(teacher, url, {}, url).status_code == 302
    rows = _rows_about(app, anna_id)
    assert rows["membership"] == rows["attempt"] == rows["response"] == 0


# Retention ------------------------------------------------------------------------


@pytest.fixture
def cli_env(
    app: Flask, monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Any
) -> Flask:
    """Point `interwar` at the test database (the app fixture empties it after)."""
    monkeypatch.setenv("INTERWAR_DATABASE_URL", database_url)
    monkeypatch.setenv("INTERWAR_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.setenv("INTERWAR_CONTENT", app.config["CONTENT_ROOT"])
    monkeypatch.setenv("INTERWAR_SECRET_KEY", "cli-secret")
    return app


def _age(app: Flask, attempt_ids: list[int], days: int) -> None:
    """Make attempts (and their learners) look `days` days old."""
    then = datetime.now(UTC) - timedelta(days=days)
    with app.app_context(), db.transaction() as s:
        s.execute(
            update(Attempt).where(Attempt.id.in_(attempt_ids)).values(started_at=then)
        )
        s.execute(
            update(Learner)
            .where(
                Learner.id.in_(
                    select(Attempt.learner_id).where(Attempt.id.in_(attempt_ids))
                )
            )
            .values(created_at=then)
        )


def _attempt_ids(app: Flask) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(Attempt.id)))


def test_purge_applies_the_global_retention_outside_classes(
    cli_env: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = cli_env
    old_browser, new_browser = app.test_client(), app.test_client()
    old = _practice(old_browser, app)
    recent = _practice(new_browser, app)
    _age(app, [old], 40)
    _age(app, [recent], 20)
    old_learner = _learner_id(old_browser)
    monkeypatch.setenv("INTERWAR_RETENTION_DAYS", "30")
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 expired attempts" in result.output
    assert _attempt_ids(app) == {recent}
    # The learner had nothing else: their row goes too, and no response is left.
    assert set(_rows_about(app, old_learner).values()) == {0}
    with app.app_context():
        left = db.session.scalars(select(Response.attempt_id)).all()
    assert set(left) == {recent}


def test_purge_with_retention_zero_keeps_everything(
    cli_env: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = cli_env
    old = _practice(app.test_client(), app)
    _age(app, [old], 4000)
    monkeypatch.setenv("INTERWAR_RETENTION_DAYS", "0")
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 0, result.output
    assert _attempt_ids(app) == {old}


def test_purge_refuses_a_retention_that_is_not_a_number(
    cli_env: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERWAR_RETENTION_DAYS", "a year")
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 2
    assert "INTERWAR_RETENTION_DAYS" in result.output


def test_default_retention_is_a_year(app: Flask) -> None:
    assert app.config["RETENTION_DAYS"] == 365


def test_purge_applies_both_class_and_global_retention(
    cli_env: Flask, teacher: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = cli_env
    kept_class, kept_assignment, (anna,) = _class(app, teacher, ("Anna",))
    short_class, short_assignment, (ben,) = _class(app, teacher, ("Ben",), "10A")
    with app.app_context():
        kept_attempt = db.session.scalar(
            select(Attempt.id).where(Attempt.assignment_id == kept_assignment)
        )
        short_attempt = db.session.scalar(
            select(Attempt.id).where(Attempt.assignment_id == short_assignment)
        )
    assert kept_attempt is not None
    assert short_attempt is not None
    url = f"/teacher/classes/{short_class}"
    resp = cr.post(teacher, f"{url}/retention", {"retention": "10"}, url)
    assert resp.status_code == 302
    fresh = cr.attempt_id(cr.start(ben, short_class, short_assignment))
    anonymous = _practice(app.test_client(), app)
    # A class without its own retention keeps old attempts: the global setting is
    # for attempts outside classes only.
    _age(app, [kept_attempt, short_attempt, anonymous], 400)
    monkeypatch.setenv("INTERWAR_RETENTION_DAYS", "365")
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 2 expired attempts" in result.output
    assert _attempt_ids(app) == {kept_attempt, fresh}
    with app.app_context():
        assert db.session.get(Classroom, kept_class) is not None
        members = db.session.scalar(select(func.count()).select_from(Membership))
    assert members == 2  # a purge deletes attempts, never class members
