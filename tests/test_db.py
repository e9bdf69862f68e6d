"""The request's read connection, and writes made on it after a read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, insert, select

from webapp.db import make_engine
from webapp.extensions import db
from webapp.models import Learner


def _learners(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Learner)) or 0)


def _half_a_write() -> None:
    with db.write() as conn:
        assert conn is db.reader  # one connection for the request
        conn.execute(insert(Learner).values(kind="anonymous", token="first"))
        raise RuntimeError("the second statement failed")


def test_a_write_after_a_read_is_one_transaction(app: Flask) -> None:
    """A failure half-way through a write leaves nothing behind, after a read too."""
    with app.test_request_context("/"):
        count = select(func.count()).select_from(Learner)
        assert db.reader.execute(count).scalar() == 0
        with pytest.raises(RuntimeError, match="second statement"):
            _half_a_write()
    assert _learners(app) == 0


def test_the_read_connection_sees_its_own_write_and_reads_again(app: Flask) -> None:
    with app.test_request_context("/"):
        count = select(func.count()).select_from(Learner)
        assert db.reader.execute(count).scalar() == 0
        with db.write() as conn:
            conn.execute(insert(Learner).values(kind="anonymous", token="one"))
        assert db.reader.execute(count).scalar() == 1
        with db.write() as conn:  # and writes again
            conn.execute(insert(Learner).values(kind="anonymous", token="two"))
        assert db.reader.execute(count).scalar() == 2
    assert _learners(app) == 2


def test_a_locked_database_at_begin_is_sqlalchemys_operational_error(
    tmp_path: Path,
) -> None:
    """BEGIN IMMEDIATE runs on the driver; "locked" still reaches the 503 handler.

    The handler answers SQLAlchemy's OperationalError (the answer was not
    saved), so the driver's sqlite3 error must not come out bare.
    """
    engine = make_engine(f"sqlite:///{tmp_path / 'locked.sqlite'}")
    other = sqlite3.connect(tmp_path / "locked.sqlite", isolation_level=None)
    try:
        with engine.connect() as conn:
            driver = conn.connection.dbapi_connection
            assert driver is not None
            driver.execute("PRAGMA busy_timeout=0")  # fail now, not in 10 s
            other.execute("BEGIN IMMEDIATE")
            writer = conn.execution_options(sqlite_begin="IMMEDIATE")
            with pytest.raises(sa_exc.OperationalError, match="database is locked"):
                writer.begin()
            other.execute("ROLLBACK")
            with writer.begin():  # and the connection is usable afterwards
                writer.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    finally:
        other.close()
        engine.dispose()
