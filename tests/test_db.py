"""The request's read connection, and writes made on it after a read."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, insert, select

from webapp.db import make_engine
from webapp.extensions import db
from webapp.hotsql import Statement
from webapp.models import Learner, utcnow

# Hot statements (webapp.hotsql): the request's reader and writes run them.
_COUNT = Statement(select(func.count().label("n")).select_from(Learner))
_ADD = Statement(insert(Learner), column_keys=["kind", "token", "created_at"])


def _learners(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(Learner)) or 0)


def _count() -> int:
    row = _COUNT.first(db.reader, {})
    assert row is not None
    return int(row["n"])


def _add(conn: Any, token: str) -> None:
    _ADD.rows(conn, {"kind": "anonymous", "token": token, "created_at": utcnow()})


def _half_a_write() -> None:
    with db.write() as conn:
        assert conn is db.reader  # one connection for the request
        _add(conn, "first")
        raise RuntimeError("the second statement failed")


def test_a_write_after_a_read_is_one_transaction(app: Flask) -> None:
    """A failure half-way through a write leaves nothing behind, after a read too."""
    with app.test_request_context("/"):
        assert _count() == 0
        with pytest.raises(RuntimeError, match="second statement"):
            _half_a_write()
        assert _count() == 0
    assert _learners(app) == 0


def test_the_read_connection_sees_its_own_write_and_reads_again(app: Flask) -> None:
    with app.test_request_context("/"):
        assert _count() == 0
        with db.write() as conn:
            _add(conn, "one")
        assert _count() == 1
        with db.write() as conn:  # and writes again
            _add(conn, "two")
        assert _count() == 2
    assert _learners(app) == 2


def test_a_write_that_finds_the_database_locked_is_sqlalchemys_error(
    make_app: Any, tmp_path: Path
) -> None:
    """Another program holding SQLite's write lock: OperationalError (a 503 page).

    The app's own writers queue on a file lock first; this is another process.
    """
    path = tmp_path / "locked.sqlite"
    app = make_app(DATABASE_URL=f"sqlite:///{path}", AUTO_MIGRATE=True)
    with app.test_request_context("/"):
        db.reader.dbapi_connection.execute("PRAGMA busy_timeout=0")  # fail at once
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(sa_exc.OperationalError, match="database is locked"):
                with db.write() as conn:
                    _add(conn, "blocked")
            other.execute("ROLLBACK")
            with db.write() as conn:  # and the next write goes through
                _add(conn, "after")
        finally:
            other.close()
    assert _learners(app) == 1


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


def _open_fresh(url: str, start: Any, results: Any) -> None:
    """In a new process: wait for the others, then connect as a worker boots."""
    engine = make_engine(url)
    start.wait()
    try:
        with engine.connect() as conn:
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        results.put(("ok", str(mode)))
    except Exception as exc:  # reported to the test, which fails on it
        results.put(("error", repr(exc)))
    finally:
        engine.dispose()


def test_workers_starting_together_on_a_new_database_all_connect(
    tmp_path: Path,
) -> None:
    """gunicorn's workers open a fresh instance's SQLite file at the same moment:
    each must get a WAL connection, none 'database is locked' (a worker that
    fails to boot takes gunicorn down)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    failures: list[str] = []
    for round_ in range(10):
        url = f"sqlite:///{tmp_path / f'fresh{round_}.sqlite'}"
        start = ctx.Barrier(6)
        results = ctx.Queue()
        procs = [
            ctx.Process(target=_open_fresh, args=(url, start, results))
            for _ in range(6)
        ]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=60) for _ in procs]
        for p in procs:
            p.join(timeout=60)
        failures += [detail for status, detail in outcomes if status != "ok"]
        assert {detail for status, detail in outcomes if status == "ok"} <= {"wal"}
    assert failures == []
