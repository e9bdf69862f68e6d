"""The classroom service: accounts, rate counters in the database and in Redis,
retention, the database clock, and exactly-once starts and submits under threads."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select, update

from tests import classroom as cr
from tests import web
from webapp import attempts, auth, classroom, library, ratelimit
from webapp.cli import main
from webapp.extensions import db
from webapp.models import (
    Assignment,
    Attempt,
    Classroom,
    Learner,
    Membership,
    Response,
    Teacher,
)

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")


@pytest.fixture(params=["database", "redis"])
def counter_app(request: pytest.FixtureRequest, make_app: Any) -> Iterator[Flask]:
    """Yield an app whose rate counters live in the database, then in Redis."""
    if request.param == "redis":
        _redis_or_skip()
        app = make_app(REDIS_URL=REDIS_URL)
        assert isinstance(app.extensions["interwar.counters"], ratelimit.RedisCounters)
    else:
        app = make_app()
        assert isinstance(
            app.extensions["interwar.counters"], ratelimit.DatabaseCounters
        )
    yield app
    store = app.extensions["interwar.counters"]
    if isinstance(store, ratelimit.RedisCounters):
        store.close()


def test_passwords_are_argon2id_hashes(app: Flask) -> None:
    with app.app_context():
        teacher = auth.add_teacher("a@example.org", cr.PASSWORD)
        assert teacher.password_hash.startswith("$argon2id$")
        assert cr.PASSWORD not in teacher.password_hash
        with pytest.raises(auth.AuthError) as info:
            auth.add_teacher("A@example.org", "another password")
        assert info.value.code == "email_taken"


def test_backoff_doubles_and_is_capped() -> None:
    assert auth.wait_after(4) == timedelta(0)
    assert auth.wait_after(5) == timedelta(seconds=30)
    assert auth.wait_after(6) == timedelta(seconds=60)
    assert auth.wait_after(50) == auth.MAX_WAIT


def test_counters_count_expire_and_reset(counter_app: Flask) -> None:
    key = f"test:{uuid.uuid4().hex}"
    with counter_app.app_context():
        store = ratelimit.counters()
        assert store.peek(key, timedelta(minutes=5)) is None
        assert [store.hit(key, timedelta(minutes=5)).count for _ in range(3)] == [
            1,
            2,
            3,
        ]
        hits = store.peek(key, timedelta(minutes=5))
        assert hits is not None
        assert hits.count == 3
        assert abs(hits.last_at - datetime.now(UTC)) < timedelta(seconds=5)
        store.reset(key)
        assert store.peek(key, timedelta(minutes=5)) is None


def test_counters_are_shared_between_app_servers(
    counter_app: Flask, make_app: Any
) -> None:
    """C.8 case 35: rate-limit counters are shared between app servers."""
    # Two apps stand for two servers; with Redis they must see one count.
    other = make_app(REDIS_URL=counter_app.config.get("REDIS_URL"))
    key = f"test:{uuid.uuid4().hex}"
    with counter_app.app_context():
        ratelimit.counters().hit(key, timedelta(minutes=5))
    with other.app_context():
        assert ratelimit.counters().hit(key, timedelta(minutes=5)).count == 2
        ratelimit.counters().reset(key)


def test_sign_in_throttle_in_each_store(counter_app: Flask) -> None:
    email = f"{uuid.uuid4().hex}@example.org"
    with counter_app.app_context():
        auth.add_teacher(email, cr.PASSWORD)
        for _ in range(auth.FREE_FAILURES - 1):
            with pytest.raises(auth.AuthError) as info:
                auth.authenticate(email, "wrong password")
            assert info.value.code == "bad_credentials"
        with pytest.raises(auth.AuthError) as info:
            auth.authenticate(email, "wrong password")
        assert info.value.code == "throttled"
        assert auth.login_wait(email) > timedelta(seconds=25)
        with pytest.raises(auth.AuthError):
            auth.authenticate(email, cr.PASSWORD)
        ratelimit.counters().reset(auth._throttle_key(email))
        assert auth.authenticate(email, cr.PASSWORD).email == email


def test_unknown_accounts_are_throttled_the_same(app: Flask) -> None:
    with app.app_context():
        for _ in range(auth.FREE_FAILURES):
            with pytest.raises(auth.AuthError):
                auth.authenticate("nobody@example.org", "whatever it is")
        assert auth.login_wait("Nobody@Example.org") > timedelta(0)


def test_setup_tokens_expire_and_work_once(app: Flask) -> None:
    with app.app_context():
        old = auth.create_setup_token(timedelta(seconds=-1))
        assert not auth.setup_token_valid(old)
        with pytest.raises(auth.AuthError):
            auth.use_setup_token(old, "a@example.org", cr.PASSWORD, "UTC")
        token = auth.create_setup_token()
        assert auth.setup_token_valid(token)
        auth.use_setup_token(token, "a@example.org", cr.PASSWORD, "UTC")
        with pytest.raises(auth.AuthError):
            auth.use_setup_token(token, "b@example.org", cr.PASSWORD, "UTC")
        assert db.session.scalar(select(func.count()).select_from(Teacher)) == 1


# CLI ---------------------------------------------------------------------------


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


def test_teacher_add_reads_the_password_from_stdin(cli_env: Flask) -> None:
    result = CliRunner().invoke(
        main,
        ["teacher", "add", "New@Example.org", "--password-stdin"],
        input=cr.PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with cli_env.app_context():
        assert auth.authenticate("new@example.org", cr.PASSWORD)
    again = CliRunner().invoke(
        main,
        ["teacher", "add", "new@example.org", "--password-stdin"],
        input=cr.PASSWORD + "\n",
    )
    assert again.exit_code == 1
    assert "exists already" in again.output


def test_teacher_add_asks_twice_and_refuses_a_mismatch(cli_env: Flask) -> None:
    result = CliRunner().invoke(
        main, ["teacher", "add", "t@example.org"], input="first one1\nsecond one\n"
    )
    assert result.exit_code == 2
    assert "differ" in result.output
    short = CliRunner().invoke(
        main, ["teacher", "add", "t@example.org", "--password-stdin"], input="abc\n"
    )
    assert short.exit_code == 2
    with cli_env.app_context():
        assert db.session.scalar(select(func.count()).select_from(Teacher)) == 0


# Retention ---------------------------------------------------------------------


def _class_and_assignment(app: Flask, **fields: Any) -> tuple[int, int, int]:
    with app.app_context():
        teacher = auth.add_teacher(f"{uuid.uuid4().hex[:8]}@example.org", cr.PASSWORD)
        klass = classroom.create_class(teacher.id, "9B")
        data = classroom.AssignmentInput(
            quiz_id=fields.get("quiz_id", "sample"),
            mode=fields.get("mode", "test"),
            opens_at=fields.get("opens_at"),
            closes_at=fields.get("closes_at"),
            time_limit=fields.get("time_limit"),
            max_attempts=fields.get("max_attempts"),
            grading=fields.get("grading", "highest"),
        )
        return (
            teacher.id,
            klass.id,
            classroom.create_assignment(teacher.id, klass.id, data),
        )


def _member(app: Flask, class_id: int, name: str = "Anna") -> Membership:
    with app.app_context():
        with db.transaction() as s:
            learner = Learner(token=uuid.uuid4().hex)
            s.add(learner)
            s.flush()
            learner_id = learner.id
        member = classroom.join(learner_id, class_id, name)
        db.session.expunge_all()
        found = db.session.get(Membership, member.id)
        assert found is not None
        return found


def _start(
    app: Flask, member_id: int, assignment_id: int, key: str | None = None
) -> Attempt:
    with app.app_context():
        member = db.session.get(Membership, member_id)
        assignment = db.session.get(Assignment, assignment_id)
        quiz = library.get_catalog().quiz("sample")
        assert member is not None
        assert assignment is not None
        assert quiz is not None
        return classroom.start_assignment(
            member, assignment, quiz, locale="en", idempotency_key=key
        )


def test_purge_deletes_attempts_older_than_the_retention(cli_env: Flask) -> None:
    app = cli_env
    teacher_id, class_id, assignment_id = _class_and_assignment(app)
    member = _member(app, class_id)
    old = _start(app, member.id, assignment_id)
    with app.app_context():
        quiz = library.get_catalog().quiz("sample")
        assert quiz is not None
        attempts.submit_attempt(member.learner_id, old.id, quiz)
        with db.transaction() as s:
            s.execute(
                update(Attempt)
                .where(Attempt.id == old.id)
                .values(started_at=datetime.now(UTC) - timedelta(days=40))
            )
    new = _start(app, member.id, assignment_id)
    with app.app_context():
        assert classroom.purge_expired() == 0  # no retention set: kept
        classroom.set_retention(teacher_id, class_id, 30)
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 expired attempts" in result.output
    with app.app_context():
        ids = set(db.session.scalars(select(Attempt.id)))
        assert ids == {new.id}


def test_delete_class_cascades(app: Flask) -> None:
    teacher_id, class_id, assignment_id = _class_and_assignment(app)
    member = _member(app, class_id)
    attempt = _start(app, member.id, assignment_id)
    with app.app_context():
        quiz = library.get_catalog().quiz("sample")
        assert quiz is not None
        qid = attempt.question_ids[0]
        q = quiz.question(qid)
        assert q is not None
        form = web.form_for(q, web.right_answer(q), attempt.presentations[qid])
        raw = {
            k.removeprefix("answer-") if k != "answer" else "value": v
            for k, v in form.items()
        }
        raw = {k: v if isinstance(v, list) else [v] for k, v in raw.items()}
        attempts.save_answer(member.learner_id, attempt.id, quiz, qid, raw, "en")
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1
        classroom.delete_class(teacher_id, class_id)
        for model in (Classroom, Membership, Assignment, Attempt, Response):
            assert db.session.scalar(select(func.count()).select_from(model)) == 0


# The database clock ------------------------------------------------------------


def test_deadlines_come_from_the_database_clock(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """C.8 case 35: deadlines come from the database clock."""
    # An app server whose clock is an hour fast must not shorten anyone's test.
    fast = datetime.now(UTC) + timedelta(hours=1)
    monkeypatch.setattr("webapp.models.utcnow", lambda: fast)
    _, class_id, assignment_id = _class_and_assignment(app, time_limit=20)
    member = _member(app, class_id)
    attempt = _start(app, member.id, assignment_id)
    assert attempt.deadline is not None
    assert abs(attempt.started_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=20)
    with app.app_context():
        db_clock = attempts.db_now(db.session)
        assert abs(db_clock - datetime.now(UTC)) < timedelta(minutes=1)
        assert not attempts.is_time_up(attempt)


def test_assignment_window(app: Flask) -> None:
    now = datetime.now(UTC)
    _, class_id, later = _class_and_assignment(app, opens_at=now + timedelta(hours=1))
    member = _member(app, class_id)
    with pytest.raises(attempts.AssignmentNotOpen) as info:
        _start(app, member.id, later)
    assert info.value.closed is False
    with app.app_context():
        with db.transaction() as s:
            s.execute(
                update(Assignment).values(
                    opens_at=now - timedelta(hours=2),
                    closes_at=now - timedelta(hours=1),
                )
            )
    with pytest.raises(attempts.AssignmentNotOpen) as info:
        _start(app, member.id, later)
    assert info.value.closed is True


def test_close_is_a_deadline_too(app: Flask) -> None:
    closes = datetime.now(UTC) + timedelta(minutes=5)
    _, class_id, assignment_id = _class_and_assignment(
        app, closes_at=closes, time_limit=60
    )
    member = _member(app, class_id)
    with app.app_context(), db.transaction() as s:
        s.execute(update(Membership).values(extra_minutes=10))
    attempt = _start(app, member.id, assignment_id)
    assert attempt.deadline == closes + timedelta(minutes=10)


# Exactly once under concurrency --------------------------------------------------


def test_concurrent_starts_with_different_keys_give_one_attempt(app: Flask) -> None:
    _, class_id, assignment_id = _class_and_assignment(app, max_attempts=3)
    member = _member(app, class_id)

    def start(i: int) -> int:
        return _start(app, member.id, assignment_id, key=f"tab-{i}-" + "k" * 20).id

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = set(pool.map(start, range(8)))
    assert len(ids) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1


def test_two_concurrent_submit_requests_record_one_result(app: Flask) -> None:
    """C.8 case 20: two tabs submitting at once, and a retry, record one result."""
    teacher = app.test_client()
    cr.add_teacher(app)
    cr.sign_in(teacher)
    class_id = cr.create_class(teacher)
    assignment_id = cr.assign(teacher, class_id)
    student = app.test_client()
    cr.join(student, cr.join_code(app, class_id), "Anna")
    attempt = cr.attempt_id(cr.start(student, class_id, assignment_id))
    token = cr.token(web.html(student.get("/join")))
    cookie = student.get_cookie("interwar_session")
    assert cookie is not None

    def submit(_: int) -> tuple[int, str]:
        tab = app.test_client()  # another tab: the same cookie, its own request
        tab.set_cookie("interwar_session", cookie.value)
        resp = tab.post(
            f"/quizzes/sample/attempts/{attempt}/submit", data={"csrf_token": token}
        )
        return resp.status_code, resp.headers.get("Location", "")

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(submit, range(2)))
    assert results[0] == results[1]
    assert results[0][0] == 302
    with app.app_context():
        rows = db.session.scalars(select(Attempt)).all()
        assert len(rows) == 1
        assert rows[0].submitted_at is not None
        first_submit = rows[0].submitted_at
    # A retry after a timeout shows the same result and changes nothing.
    assert submit(0) == results[0]
    assert web.attempt_row(app, attempt).submitted_at == first_submit
