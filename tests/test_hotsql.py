"""Hot statements on the driver's cursor: the same values and errors as SQLAlchemy's."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import bindparam, column, func, insert, select, table
from sqlalchemy import exc as sa_exc

from webapp.extensions import db
from webapp.hotsql import Statement
from webapp.models import Attempt, Learner


def _an_attempt(app: Flask) -> int:
    with app.app_context(), db.transaction() as s:
        learner = Learner(kind="anonymous", token="t" * 32)
        s.add(learner)
        s.flush()
        attempt = Attempt(
            learner_id=learner.id,
            quiz_id="sample",
            seed=2**40 + 7,  # a BigInteger
            question_ids=["q2", "q1"],
            presentations={"q1": {"choices": [1, 0]}},
            mode="practice",
            locale="de",
            deadline=datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
            score=2.5,
            passed=False,
        )
        s.add(attempt)
        s.flush()
        return attempt.id


def test_a_row_comes_back_as_sqlalchemy_reads_it(app: Flask) -> None:
    """Dates, JSON, floats, booleans and big integers: typed as through the ORM."""
    attempt_id = _an_attempt(app)
    stmt = select(*Attempt.__table__.columns).where(Attempt.id == bindparam("id"))
    with app.test_request_context("/"):
        expected = dict(db.session.execute(stmt, {"id": attempt_id}).one()._mapping)
        got = Statement(stmt).first(db.reader, {"id": attempt_id})
        with db.engine.connect() as conn:  # on a SQLAlchemy Connection too
            assert Statement(stmt).first(conn, {"id": attempt_id}) == expected
    assert got == expected
    assert got is not None
    assert got["question_ids"] == ["q2", "q1"]
    assert got["deadline"] == datetime(2030, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    assert got["seed"] == 2**40 + 7
    assert got["passed"] is False
    assert got["score"] == 2.5


def test_no_row_is_none(app: Flask) -> None:
    stmt = Statement(select(Learner.id).where(Learner.token == bindparam("token")))
    with app.test_request_context("/"):
        assert stmt.first(db.reader, {"token": "nobody"}) is None


def test_an_insert_uses_the_statements_own_values(app: Flask) -> None:
    """A value written into the statement (here `kind`) goes in with the given ones."""
    stmt = Statement(
        insert(Learner).values(kind="student").returning(Learner.id, Learner.kind),
        column_keys=["token", "created_at"],
    )
    with app.test_request_context("/"):
        with db.write() as conn:
            row = stmt.first(conn, {"token": "abc", "created_at": datetime.now(UTC)})
        assert row is not None
        assert row["kind"] == "student"
        stored = db.session.execute(
            select(Learner.kind, Learner.token).where(Learner.id == row["id"])
        ).one()
    assert tuple(stored) == ("student", "abc")


def test_a_driver_error_is_sqlalchemys_and_hides_the_values(app: Flask) -> None:
    """The app's handlers (503 for OperationalError) see SQLAlchemy's classes."""
    stmt = Statement(
        select(column("x"))
        .select_from(table("no_such_table"))
        .where(column("x") == bindparam("secret"))
    )
    with app.test_request_context("/"):
        with pytest.raises(sa_exc.DBAPIError) as caught:
            stmt.first(db.reader, {"secret": "a learner's answer"})
    assert isinstance(caught.value, sa_exc.OperationalError | sa_exc.ProgrammingError)
    assert "no_such_table" in str(caught.value)
    assert "a learner's answer" not in str(caught.value)


def test_in_parameters_are_refused(app: Flask) -> None:
    stmt = Statement(
        select(Learner.id).where(Learner.id.in_(bindparam("ids", expanding=True)))
    )
    with app.test_request_context("/"), pytest.raises(ValueError, match="IN"):
        stmt.first(db.reader, {"ids": [1, 2]})


def test_a_write_after_hot_reads_has_its_own_clock(app: Flask) -> None:
    """PostgreSQL's now() is its transaction's start: not that of an earlier read.

    An answer's saved time (and the deadline check) reads the database clock in
    the write; the driver began a transaction for the hot read before it.
    """
    stmt = Statement(select(Learner.id).where(Learner.token == bindparam("token")))
    with app.test_request_context("/"):
        stmt.first(db.reader, {"token": "nobody"})
        time.sleep(0.3)
        before_write = datetime.now(UTC)
        with db.write() as conn:
            row = Statement(select(func.now().label("now"))).first(conn, {})
            assert row is not None
            clock = row["now"]
            if clock.tzinfo is None:  # SQLite: CURRENT_TIMESTAMP, UTC, whole seconds
                clock = clock.replace(tzinfo=UTC)
                before_write = before_write.replace(microsecond=0)
    # The database's clock and ours are the same machine's: allow rounding only.
    assert clock >= before_write - timedelta(milliseconds=50)


def test_a_value_sqlalchemy_would_default_must_be_given(app: Flask) -> None:
    """Column defaults (learner.created_at) are not filled in on the driver."""
    stmt = Statement(insert(Learner), column_keys=["token", "kind"])
    with app.test_request_context("/"), db.write() as conn:
        with pytest.raises(ValueError, match="no value for created_at"):
            stmt.first(conn, {"token": "abc", "kind": "anonymous"})
