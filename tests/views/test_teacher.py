"""Teacher and student pages: sign-in, classes, joining, assignments, gradebook,
CSV, item analysis, and the access rules between students, teachers and classes."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text, update

from tests import classroom as cr
from tests import web
from webapp.extensions import db
from webapp.models import Assignment, Attempt, Membership, TeacherSession, utcnow


@pytest.fixture
def teacher(app: Flask, client: FlaskClient) -> FlaskClient:
    """Return a client signed in as a teacher."""
    cr.add_teacher(app)
    cr.sign_in(client)
    return client


def _class_with_students(
    app: Flask, teacher: FlaskClient, names: tuple[str, ...], **assignment: str
) -> tuple[int, int, list[FlaskClient]]:
    class_id = cr.create_class(teacher)
    assignment_id = cr.assign(teacher, class_id, **assignment)
    code = cr.join_code(app, class_id)
    students = []
    for name in names:
        s = app.test_client()
        assert cr.join(s, code, name).status_code == 302
        students.append(s)
    return class_id, assignment_id, students


# Signing in --------------------------------------------------------------------


def test_teacher_pages_need_a_sign_in(client: FlaskClient) -> None:
    resp = client.get("/teacher/classes/1")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/teacher/login?next=/teacher/classes/1")


def test_sign_in_with_a_wrong_password_says_so(app: Flask, client: FlaskClient) -> None:
    cr.add_teacher(app)
    page = web.html(client.get("/teacher/login"))
    resp = client.post(
        "/teacher/login",
        data={
            "csrf_token": cr.token(page),
            "email": "teacher@example.org",
            "password": "nope nope",
        },
    )
    assert resp.status_code == 422
    assert "The email address or password is wrong" in web.html(resp)
    assert 'href="#email"' in web.html(resp)


def test_failed_sign_ins_are_throttled_per_account_with_a_clear_message(
    app: Flask, client: FlaskClient
) -> None:
    """C.8 case 27: wrong passwords throttle the account, not the address."""
    cr.add_teacher(app)
    cr.add_teacher(app, "other@example.org")
    page = web.html(client.get("/teacher/login"))
    form = {"csrf_token": cr.token(page), "email": "teacher@example.org"}
    codes = [
        client.post("/teacher/login", data={**form, "password": f"wrong {i}"})
        for i in range(6)
    ]
    # The fifth failure starts the wait and says so; the sixth try is not checked.
    assert [r.status_code for r in codes] == [422] * 4 + [429, 429]
    assert "Too many wrong passwords for this account" in web.html(codes[-1])
    # Even the right password waits: the throttle answers before checking it.
    locked = client.post("/teacher/login", data={**form, "password": cr.PASSWORD})
    assert locked.status_code == 429
    # The same address signs in to another account at once (a class shares one).
    other = client.post(
        "/teacher/login",
        data={**form, "email": "other@example.org", "password": cr.PASSWORD},
    )
    assert other.status_code == 302


def test_sign_in_gives_a_new_session_id_and_a_new_csrf_token(
    app: Flask, client: FlaskClient
) -> None:
    """C.8 case 26: signing in starts a new session (no fixation)."""
    cr.add_teacher(app)
    before = cr.token(web.html(client.get("/teacher/login")))
    cr.sign_in(client)
    with client.session_transaction() as sess:
        first = sess["teacher_sid"]
    assert cr.token(web.html(client.get("/teacher/"))) != before
    cr.sign_in(client)
    with client.session_transaction() as sess:
        assert sess["teacher_sid"] != first
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TeacherSession)) == 1


def test_a_session_cookie_replayed_after_logout_is_refused(
    app: Flask, teacher: FlaskClient
) -> None:
    """C.8 case 25: a session cookie replayed after logout is refused."""
    cookie = teacher.get_cookie("interwar_session")
    assert cookie is not None
    stolen = cookie.value
    assert teacher.get("/teacher/").status_code == 200
    resp = cr.post(teacher, "/teacher/logout", {}, "/teacher/")
    assert resp.status_code == 302
    replay = app.test_client()
    replay.set_cookie("interwar_session", stolen)
    resp = replay.get("/teacher/")
    assert resp.status_code == 302
    assert "/teacher/login" in resp.headers["Location"]


def test_idle_and_absolute_expiry(app: Flask, teacher: FlaskClient) -> None:
    assert teacher.get("/teacher/").status_code == 200
    with app.app_context(), db.transaction() as s:
        s.execute(
            update(TeacherSession).values(last_seen_at=utcnow() - timedelta(hours=3))
        )
    assert teacher.get("/teacher/").status_code == 302
    cr.sign_in(teacher)
    with app.app_context(), db.transaction() as s:
        s.execute(update(TeacherSession).values(expires_at=utcnow()))
    assert teacher.get("/teacher/").status_code == 302


def test_a_form_without_a_csrf_token_gets_400(teacher: FlaskClient) -> None:
    resp = teacher.post("/teacher/classes", data={"name": "9B"})
    assert resp.status_code == 400


def test_login_next_must_stay_on_the_site(app: Flask, client: FlaskClient) -> None:
    cr.add_teacher(app)
    page = web.html(client.get("/teacher/login?next=//evil.example/"))
    resp = client.post(
        "/teacher/login",
        data={
            "csrf_token": cr.token(page),
            "email": "teacher@example.org",
            "password": cr.PASSWORD,
            "next": "//evil.example/",
        },
    )
    assert resp.headers["Location"] == "/teacher/"


def test_set_up_link_creates_the_first_teacher_once(
    app: Flask, client: FlaskClient
) -> None:
    from webapp.commands.classroom import on_serve

    lines = on_serve(app, "http://127.0.0.1:8000")
    url = lines[-1].strip()
    path = url.removeprefix("http://127.0.0.1:8000")
    assert path.startswith("/teacher/setup/")
    page = web.html(client.get(path))
    bad = client.post(
        path,
        data={
            "csrf_token": cr.token(page),
            "email": "first@example.org",
            "password": "short",
            "confirm": "short",
            "timezone": "Europe/Berlin",
        },
    )
    assert bad.status_code == 422
    assert "8 characters or more" in web.html(bad)
    ok = client.post(
        path,
        data={
            "csrf_token": cr.token(page),
            "email": "First@Example.org",
            "password": cr.PASSWORD,
            "confirm": cr.PASSWORD,
            "timezone": "Europe/Berlin",
        },
    )
    assert ok.status_code == 302
    assert client.get("/teacher/").status_code == 200  # signed in
    assert app.test_client().get(path).status_code == 404  # used up
    assert on_serve(app, "http://127.0.0.1:8000") == []  # a teacher exists now


# Classes and students ------------------------------------------------------------


def test_join_codes_avoid_look_alikes_and_can_be_renewed(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id = cr.create_class(teacher)
    code = cr.join_code(app, class_id)
    assert len(code) >= 6
    assert not set(code) & set("0O1IL5S2Z8B")
    url = f"/teacher/classes/{class_id}"
    assert cr.post(teacher, f"{url}/code", {}, url).status_code == 302
    new = cr.join_code(app, class_id)
    assert new != code
    student = app.test_client()
    old = cr.join(student, code, "Anna")
    assert old.status_code == 422
    assert "There is no class with this code" in web.html(old)
    assert cr.join(student, new.lower(), "Anna").status_code == 302


def test_joining_asks_only_for_a_code_and_a_name(
    app: Flask, client: FlaskClient
) -> None:
    page = web.html(client.get("/join"))
    fields = set(re.findall(r'<input[^>]* name="([^"]+)"', page))
    assert fields == {"csrf_token", "code", "name"}
    assert 'type="password"' not in page
    assert 'type="email"' not in page


def test_joining_again_from_the_same_browser_keeps_one_membership(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id = cr.create_class(teacher)
    code = cr.join_code(app, class_id)
    student = app.test_client()
    first = cr.join(student, code, "Anna K")
    again = cr.join(student, code, "Anna K")
    assert (
        first.headers["Location"] == again.headers["Location"] == f"/classes/{class_id}"
    )
    with app.app_context():
        members = db.session.scalars(select(Membership)).all()
        assert len(members) == 1
        assert members[0].learner.kind == "student"


def test_join_errors_are_summarised(client: FlaskClient) -> None:
    resp = cr.join(client, "", "")
    page = web.html(resp)
    assert resp.status_code == 422
    assert "Enter the class code your teacher gave you" in page
    assert 'href="#code"' in page


def test_teacher_renames_and_removes_a_student(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id, assignment_id, (anna,) = _class_with_students(app, teacher, ("Anna",))
    attempt = cr.attempt_id(cr.start(anna, class_id, assignment_id))
    cr.answer_all(anna, app, attempt, right=3)
    with app.app_context():
        member_id = db.session.scalar(select(Membership.id))
    url = f"/teacher/classes/{class_id}/students/{member_id}"
    resp = cr.post(teacher, url, {"name": "Anna K.", "extra": "15"}, url)
    assert resp.status_code == 302
    assert "Anna K." in web.html(teacher.get(f"/teacher/classes/{class_id}"))
    resp = cr.post(teacher, f"{url}/remove", {}, f"{url}/remove")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
    assert anna.get(f"/classes/{class_id}").status_code == 404


def test_deleting_a_class_deletes_all_its_data(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id, assignment_id, students = _class_with_students(
        app, teacher, ("Anna", "Ben")
    )
    for s in students:
        cr.answer_all(s, app, cr.attempt_id(cr.start(s, class_id, assignment_id)), 2)
    url = f"/teacher/classes/{class_id}/delete"
    assert cr.post(teacher, url, {}, url).status_code == 302
    with app.app_context():
        for table in ("classroom", "membership", "assignment", "attempt", "response"):
            count = db.session.scalar(text(f"SELECT COUNT(*) FROM {table}"))
            assert count == 0, table


# Access control ------------------------------------------------------------------


def test_student_a_cannot_open_student_bs_attempt(
    app: Flask, teacher: FlaskClient
) -> None:
    """C.8 case 23: student A cannot open student B's attempt or review."""
    class_id, assignment_id, (anna, ben) = _class_with_students(
        app, teacher, ("Anna", "Ben")
    )
    bens = cr.attempt_id(cr.start(ben, class_id, assignment_id))
    for url in (
        f"/quizzes/sample/attempts/{bens}/q/1",
        f"/quizzes/sample/attempts/{bens}/review",
        f"/quizzes/sample/attempts/{bens}/results",
    ):
        assert anna.get(url).status_code == 404, url
    page = web.html(anna.get("/join"))
    resp = anna.post(
        f"/quizzes/sample/attempts/{bens}/submit", data={"csrf_token": cr.token(page)}
    )
    assert resp.status_code == 404
    # Nor the teacher's review of it, nor a class she is not in.
    assert anna.get(f"/teacher/classes/{class_id}").status_code == 302
    stranger = app.test_client()
    assert stranger.get(f"/classes/{class_id}").status_code == 404
    assert (
        stranger.get(f"/classes/{class_id}/assignments/{assignment_id}").status_code
        == 404
    )


def test_teacher_x_cannot_open_class_y(app: Flask, teacher: FlaskClient) -> None:
    """C.8 case 23: teacher X cannot open class Y's gradebook."""
    class_id, assignment_id, (anna,) = _class_with_students(app, teacher, ("Anna",))
    attempt = cr.attempt_id(cr.start(anna, class_id, assignment_id))
    cr.answer_all(anna, app, attempt, right=1)
    cr.add_teacher(app, "x@example.org")
    x = app.test_client()
    cr.sign_in(x, "x@example.org")
    base = f"/teacher/classes/{class_id}"
    for url in (
        base,
        f"{base}/delete",
        f"{base}/assignments/new",
        f"{base}/assignments/{assignment_id}",
        f"{base}/assignments/{assignment_id}/gradebook.csv",
        f"{base}/assignments/{assignment_id}/analysis",
        f"{base}/assignments/{assignment_id}/attempts/{attempt}",
    ):
        assert x.get(url).status_code == 404, url
    resp = cr.post(x, f"{base}/delete", {}, "/teacher/")
    assert resp.status_code == 404
    assert teacher.get(base).status_code == 200  # still there


# Assignments ---------------------------------------------------------------------


def test_assignment_form_errors(app: Flask, teacher: FlaskClient) -> None:
    class_id = cr.create_class(teacher)
    url = f"/teacher/classes/{class_id}/assignments/new"
    resp = cr.post(
        teacher,
        url,
        {
            "quiz": "nope",
            "mode": "test",
            "opens_date": "2026-03-14",
            "opens_time": "10:00",
            "closes_date": "2026-03-13",
            "closes_time": "10:00",
            "time_limit": "0",
            "grading": "highest",
        },
        url,
    )
    page = web.html(resp)
    assert resp.status_code == 422
    for message in (
        "Select a quiz",
        "The closing time must be after the opening time",
        "The time limit must be a whole number of minutes from 1 to 600",
    ):
        assert message in page


def test_times_are_entered_and_shown_in_the_teachers_zone(
    app: Flask, client: FlaskClient
) -> None:
    cr.add_teacher(app, tz="Europe/Berlin")
    cr.sign_in(client)
    class_id = cr.create_class(client)
    assignment_id = cr.assign(
        client, class_id, closes_date="2026-03-14", closes_time="15:00"
    )
    with app.app_context():
        row = db.session.get(Assignment, assignment_id)
        assert row is not None
        assert row.closes_at is not None
        assert row.closes_at.isoformat() == "2026-03-14T14:00:00+00:00"
    page = web.html(client.get(f"/teacher/classes/{class_id}"))
    assert 'datetime="2026-03-14T15:00+01:00"' in page
    assert "3:00" in page or "15:00" in page


def test_closed_assignments_cannot_be_started(app: Flask, teacher: FlaskClient) -> None:
    class_id, assignment_id, (anna,) = _class_with_students(app, teacher, ("Anna",))
    with app.app_context(), db.transaction() as s:
        s.execute(update(Assignment).values(closes_at=utcnow() - timedelta(minutes=1)))
    page = web.html(anna.get(f"/classes/{class_id}"))
    assert "Closed" in page
    resp = anna.post(
        f"/classes/{class_id}/assignments/{assignment_id}/start",
        data={"csrf_token": cr.token(web.html(anna.get("/join")))},
    )
    assert resp.status_code == 409
    assert "This assignment closed" in web.html(resp)


def test_answers_after_the_deadline_are_refused_and_saved_ones_stay(
    app: Flask, teacher: FlaskClient
) -> None:
    """C.8 case 21: late answers are refused; saved ones are graded."""
    class_id, assignment_id, (anna,) = _class_with_students(
        app, teacher, ("Anna",), time_limit="10"
    )
    attempt = cr.attempt_id(cr.start(anna, class_id, assignment_id))
    row = web.attempt_row(app, attempt)
    assert row.deadline is not None
    assert timedelta(minutes=9) < row.deadline - row.started_at <= timedelta(minutes=10)
    from webapp import library

    with app.app_context():
        quiz = library.get_catalog().quiz("sample")
    assert quiz is not None
    q1 = quiz.question(row.question_ids[0])
    assert q1 is not None
    url1 = f"/quizzes/sample/attempts/{attempt}/q/1"
    form = web.form_for(q1, web.right_answer(q1), row.presentations[q1.id])
    assert cr.post(anna, url1, form, url1).status_code == 302
    with app.app_context(), db.transaction() as s:
        s.execute(update(Attempt).values(deadline=utcnow() - timedelta(minutes=5)))
    q2 = quiz.question(row.question_ids[1])
    assert q2 is not None
    url2 = f"/quizzes/sample/attempts/{attempt}/q/2"
    page = web.html(anna.get("/join"))
    resp = anna.post(
        url2,
        data={
            "csrf_token": cr.token(page),
            **web.form_for(q2, web.right_answer(q2), row.presentations[q2.id]),
        },
    )
    assert resp.status_code == 302
    assert "timeup=1" in resp.headers["Location"]
    shown = web.html(anna.get(resp.headers["Location"]))
    assert "Time is up" in shown
    done = web.attempt_row(app, attempt)
    assert done.submitted_at is not None
    assert done.score == 1.0  # the answer saved in time counts, the late one not


def test_extra_time_lengthens_the_deadline(app: Flask, teacher: FlaskClient) -> None:
    class_id, assignment_id, (anna,) = _class_with_students(
        app, teacher, ("Anna",), time_limit="10"
    )
    with app.app_context(), db.transaction() as s:
        s.execute(update(Membership).values(extra_minutes=5))
    attempt = cr.attempt_id(cr.start(anna, class_id, assignment_id))
    row = web.attempt_row(app, attempt)
    assert row.deadline is not None
    assert row.deadline - row.started_at == timedelta(minutes=15)


def test_attempt_count_and_one_open_attempt(app: Flask, teacher: FlaskClient) -> None:
    class_id, assignment_id, (anna,) = _class_with_students(
        app, teacher, ("Anna",), max_attempts="2"
    )
    first = cr.attempt_id(cr.start(anna, class_id, assignment_id))
    # Another tab (another form key) continues the open attempt.
    assert cr.attempt_id(cr.start(anna, class_id, assignment_id)) == first
    cr.answer_all(anna, app, first, right=2)
    second = cr.attempt_id(cr.start(anna, class_id, assignment_id))
    assert second != first
    cr.answer_all(anna, app, second, right=5)
    page = web.html(anna.get(f"/classes/{class_id}/assignments/{assignment_id}"))
    assert "You have used all your attempts" in page
    page = web.html(anna.get(f"/classes/{class_id}/assignments/{assignment_id}"))
    resp = anna.post(
        f"/classes/{class_id}/assignments/{assignment_id}/start",
        data={"csrf_token": cr.token(web.html(anna.get("/join"))), "key": "k" * 32},
    )
    assert resp.status_code == 409


def test_a_double_click_on_start_and_on_submit_records_one_of_each(
    app: Flask, teacher: FlaskClient
) -> None:
    class_id, assignment_id, (anna,) = _class_with_students(app, teacher, ("Anna",))
    page = web.html(anna.get(f"/classes/{class_id}/assignments/{assignment_id}"))
    data = {
        "csrf_token": cr.token(page),
        "key": re.search(r'name="key" value="([^"]+)"', page).group(1),  # type: ignore[union-attr]
    }
    url = f"/classes/{class_id}/assignments/{assignment_id}/start"
    one, two = anna.post(url, data=data), anna.post(url, data=data)
    assert one.headers["Location"] == two.headers["Location"]
    attempt = cr.attempt_id(one)
    submit = f"/quizzes/sample/attempts/{attempt}/submit"
    a, b = anna.post(submit, data=data), anna.post(submit, data=data)
    assert a.headers["Location"] == b.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_task_list_statuses(app: Flask, teacher: FlaskClient) -> None:
    class_id, assignment_id, (anna,) = _class_with_students(app, teacher, ("Anna",))
    later = cr.assign(teacher, class_id, opens_date="2099-01-01", opens_time="08:00")
    page = web.html(anna.get(f"/classes/{class_id}"))
    assert "Not started" in page
    assert "Cannot start yet" in page
    assert f"/assignments/{later}" not in page  # not linked yet
    attempt = cr.attempt_id(cr.start(anna, class_id, assignment_id))
    assert "In progress" in web.html(anna.get(f"/classes/{class_id}"))
    cr.answer_all(anna, app, attempt, right=9)
    assert "Completed" in web.html(anna.get(f"/classes/{class_id}"))
    assert 'aria-describedby="task-' in page


# Gradebook, CSV, analysis --------------------------------------------------------


def _scores(app: Flask, teacher: FlaskClient, grading: str) -> dict[str, Any]:
    class_id, assignment_id, (anna, ben, cleo) = _class_with_students(
        app, teacher, ("Anna", "Ben", "=cmd|' /C calc'!A0"), grading=grading
    )
    for student, tries in ((anna, (2, 8)), (ben, (6, 3)), (cleo, ())):
        for right in tries:
            cr.answer_all(
                student,
                app,
                cr.attempt_id(cr.start(student, class_id, assignment_id)),
                right,
            )
    resp = teacher.get(
        f"/teacher/classes/{class_id}/assignments/{assignment_id}/gradebook.csv"
    )
    return {"class_id": class_id, "assignment_id": assignment_id, "csv": resp}


@pytest.mark.parametrize(
    ("method", "anna", "ben"),
    [
        ("highest", "8", "6"),
        ("last", "8", "3"),
        ("first", "2", "6"),
        ("average", "5", "4.5"),
    ],
)
def test_grading_methods(
    app: Flask, teacher: FlaskClient, method: str, anna: str, ben: str
) -> None:
    got = _scores(app, teacher, method)
    rows = list(csv.reader(io.StringIO(got["csv"].data.decode("utf-8-sig"))))
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name["Anna"][3] == anna
    assert by_name["Ben"][3] == ben
    assert by_name["Anna"][5] == "2"


def test_csv_has_a_bom_and_defuses_formulas(app: Flask, teacher: FlaskClient) -> None:
    resp = _scores(app, teacher, "highest")["csv"]
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][0] == "Student"
    names = [r[0] for r in rows[1:]]
    assert "'=cmd|' /C calc'!A0" in names
    assert all(not n.startswith(("=", "+", "-", "@")) for n in names)


def test_gradebook_shows_scores_sorts_and_links_each_review(
    app: Flask, teacher: FlaskClient
) -> None:
    got = _scores(app, teacher, "highest")
    base = f"/teacher/classes/{got['class_id']}/assignments/{got['assignment_id']}"
    page = web.html(teacher.get(f"{base}?sort=score&dir=desc"))
    assert "<caption" in page
    assert 'scope="col"' in page
    assert 'scope="row"' in page
    assert 'aria-sort="descending"' in page
    assert page.index("Anna") < page.index("Ben") < page.index("=cmd")
    assert "Not started" in page
    review = re.search(base + r"/attempts/(\d+)", page)
    assert review
    shown = web.html(teacher.get(review.group(0)))
    assert "Review of Anna" in shown
    assert "Question by question" in shown


def test_item_analysis_with_charts_and_a_reliability_warning(
    app: Flask, teacher: FlaskClient
) -> None:
    got = _scores(app, teacher, "highest")
    page = web.html(
        teacher.get(
            f"/teacher/classes/{got['class_id']}/assignments/"
            f"{got['assignment_id']}/analysis"
        )
    )
    assert "Too few attempts for reliable figures" in page
    assert page.count('role="img"') == 2
    assert page.count("<title id=") == 2
    assert "<desc id=" in page
    assert "style=" not in page
    assert re.search(r'<rect class="chart__bar" x="[\d.]+" y="[\d.]+"', page)
    assert "Facility and discrimination per question" in page
    assert "Answers chosen" in page
    assert "Students in each score range" in page
