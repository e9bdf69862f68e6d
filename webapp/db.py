"""The database: an engine per app, a read session per request, short writes.

Reads go through `db.session` (opened lazily, closed when the app context ends).
Writes go through `with db.transaction() as s:`; on SQLite that transaction starts
with BEGIN IMMEDIATE, because a deferred transaction that reads and then writes fails
at once with "database is locked" when another writer committed in between, which a
class submitting together would hit.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, configure_mappers

from webapp.hotsql import Driver, wrapped

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: one waitress process, threads only
    fcntl = None  # type: ignore[assignment]

_G_KEY = "_interwar_db_session"
_G_READER = "_interwar_db_reader"


def default_url(instance_path: str | Path) -> str:
    """Return the SQLite URL of the database file in the instance folder."""
    return f"sqlite:///{Path(instance_path) / 'interwar.sqlite'}"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, synchronous=FULL, busy_timeout, FKs."""
    parsed = make_url(url)
    # Error messages (and so the logs) must not carry answers or display names.
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    engine = create_engine(url, **kwargs)
    _configure_sqlite(engine)
    return engine


class WriteLock:
    """Lets one writer at a time into a SQLite file, and wakes the next at once.

    SQLite's own busy handler polls: a writer that finds the database locked
    sleeps 1, 2, 5, 10... ms before it looks again, while a write here takes
    well under a millisecond. So a class submitting together would spend most of
    its time asleep. Writers of this app queue on a kernel lock instead (flock on
    a file beside the database; threads of one process first on a mutex), and
    the kernel hands the lock over the moment it is released. SQLite's own lock
    and busy timeout still guard against any other program. A process that dies
    holding the lock loses it with its file descriptors.
    """

    def __init__(self, path: str) -> None:
        """Queue writers on `path` (created if missing)."""
        self.path = path
        self._mutex = threading.RLock()
        self._depth = threading.local()
        self._fd: int | None = None
        self._pid = 0

    def _descriptor(self) -> int:
        # Per process: a descriptor inherited across fork() would share one lock.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._pid = os.getpid()
        return self._fd

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for the body of the with-statement."""
        with self._mutex:
            depth = getattr(self._depth, "n", 0)
            if fcntl is None or depth:
                # Nested: the outer writer holds the file lock already (and would
                # lose it to an inner unlock).
                yield
                return
            fd = self._descriptor()
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._depth.n = 1
            try:
                yield
            finally:
                self._depth.n = 0
                fcntl.flock(fd, fcntl.LOCK_UN)


def write_lock(engine: Engine) -> WriteLock | None:
    """Return the writers' queue of a SQLite file database (None otherwise)."""
    return _lock_for(engine.dialect.name, engine.url.database or "")


@functools.cache
def _lock_for(dialect: str, database: str) -> WriteLock | None:
    # One queue per file for the life of the process (also for every app on it).
    if (
        dialect != "sqlite"
        or database in ("", ":memory:")
        or database.startswith("file:")
    ):
        return None
    return WriteLock(os.path.abspath(database) + "-writers")


@contextmanager
def _queued(engine: Engine) -> Iterator[None]:
    lock = write_lock(engine)
    if lock is None:
        yield
    else:
        with lock.held():
            yield


BUSY_TIMEOUT_MS = 10_000


def _use_wal(cur: Any) -> None:
    """Put the database in WAL mode, waiting for a worker that is doing the same.

    Switching a new file to WAL needs it to itself for a moment, and SQLite
    answers "database is locked" at once rather than through the busy timeout.
    Workers starting together on a fresh instance then failed to boot (and
    gunicorn with them); so the switch is tried again for as long as the busy
    timeout, and not at all once the file is in WAL mode.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.001
    while True:
        try:
            mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.05)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take transaction control from pysqlite so BEGIN is ours (see below).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        _use_wal(cur)
        # "Submitted" must survive a power cut, not only an app crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        if mode == "NONE":
            # The request's read session: each SELECT is its own snapshot, as
            # under PostgreSQL's READ COMMITTED, and no BEGIN/ROLLBACK round trip.
            return
        # On the driver's connection: exec_driver_sql() costs a fifth of a
        # saved answer's time. A failure (a locked database) is still raised as
        # SQLAlchemy's OperationalError, which the error handlers answer (503).
        sql = f"BEGIN {mode}"
        dbapi_conn = conn.connection.dbapi_connection
        try:
            dbapi_conn.execute(sql)
        except conn.dialect.loaded_dbapi.Error as err:
            raise wrapped(conn, sql, err, None) from err


class Database:
    """Holds the engine of the current app and hands out sessions."""

    def init_app(self, app: Flask) -> None:
        """Create the engine from DATABASE_URL and close sessions at teardown."""
        url = app.config.get("DATABASE_URL") or default_url(app.instance_path)
        app.config["DATABASE_URL"] = url
        app.extensions["interwar.engine"] = make_engine(url)
        app.teardown_appcontext(_close_session)
        # Now, not at the first ORM query: the hot reads fill detached
        # instances of the models without one (attempts._detached).
        import webapp.models  # noqa: F401

        configure_mappers()

    @staticmethod
    def engine_for(app: Flask) -> Engine:
        """Return the engine of `app`."""
        engine: Engine = app.extensions["interwar.engine"]
        return engine

    @property
    def engine(self) -> Engine:
        """Return the current app's engine."""
        return self.engine_for(current_app._get_current_object())  # type: ignore[attr-defined]

    @property
    def session(self) -> Session:
        """Return this app context's read session, opening it on first use."""
        s: Session | None = g.get(_G_KEY)
        if s is None:
            s = Session(self._bind("read"), expire_on_commit=False)
            setattr(g, _G_KEY, s)
        return s

    @property
    def reader(self) -> Driver:
        """Return this app context's connection for hot statements (webapp.hotsql).

        The hot pages read a row or two: an ORM session's set-up and tear-down,
        and even a SQLAlchemy Connection's, cost more than the queries. It is a
        connection of the pool used bare, returned to the pool when the app
        context ends. On SQLite it opens no transaction: each SELECT sees what
        is committed (under PostgreSQL's READ COMMITTED, each statement does).
        """
        conn: Driver | None = g.get(_G_READER)
        if conn is None:
            conn = Driver(self.engine)
            setattr(g, _G_READER, conn)
        return conn

    @staticmethod
    def _bind(kind: str) -> Engine:
        """Return the engine with the read or write transaction options.

        Kept per app: engine.execution_options() builds a new object per call.
        """
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        engine: Engine = app.extensions["interwar.engine"]
        binds: dict[str, tuple[Engine, Engine]] = app.extensions.setdefault(
            "interwar.binds", {}
        )
        found = binds.get(kind)
        if found is None or found[0] is not engine:  # first use, or a new engine
            begin = {"read": "NONE", "write": "IMMEDIATE"}[kind]
            found = binds[kind] = (engine, engine.execution_options(sqlite_begin=begin))
        return found[1]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Run one write transaction: commit on success, roll back on error."""
        engine = self.engine
        bind = self._bind("write")
        with _queued(engine), Session(bind, expire_on_commit=False) as s, s.begin():
            yield s
        self._after_write()

    @contextmanager
    def write(self) -> Iterator[Driver]:
        """Run one write transaction of hot statements on this request's reader.

        The writers' queue is joined, what the driver began for earlier reads is
        ended (PostgreSQL: so the write's now() is its own), and the write begins
        as any write does (BEGIN IMMEDIATE on SQLite); it commits at the end of
        the with-block and rolls back on any error. Driver errors come out as
        SQLAlchemy's classes (webapp.hotsql.wrapped).
        """
        engine = self.engine
        conn = self.reader
        with _queued(engine):
            conn.rollback()
            if engine.dialect.name == "sqlite":
                conn.run("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            try:
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
        self._after_write()

    @staticmethod
    def _after_write() -> None:
        # Reads later in this request must see what was just written.
        current: Session | None = g.get(_G_KEY)
        if current is not None:
            current.rollback()


def _close_session(_exc: BaseException | None) -> None:
    s: Session | None = g.pop(_G_KEY, None)
    if s is not None:
        s.close()
    reader: Driver | None = g.pop(_G_READER, None)
    if reader is not None:
        reader.close()


MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Any:
    """Return an Alembic Config for the packaged migrations and this database URL."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's ini interpolation would read % in a password as a placeholder.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class UnknownRevision(RuntimeError):
    """The database was migrated by a version of the app that this one does not know."""


def current_revision(engine: Engine) -> str | None:
    """Return the database's Alembic revision (None: not migrated yet)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        rev: str | None = MigrationContext.configure(conn).get_current_revision()
        return rev


def check_revision(engine: Engine) -> None:
    """Raise UnknownRevision if the database is at a revision we have no script for."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    rev = current_revision(engine)
    if rev is None:
        return
    script = ScriptDirectory.from_config(alembic_config(str(engine.url)))
    try:
        known = script.get_revision(rev) is not None
    except CommandError:
        known = False
    if not known:
        raise UnknownRevision(
            f"the database is at revision {rev!r}, which this version of Interwar "
            "Lessons does not know (a newer version migrated it?); refusing to start. "
            "Install that version again, or restore a copy from instance/backups/"
        )


def backup_sqlite(engine: Engine, folder: Path) -> Path:
    """Copy a SQLite database, even while in use, to folder/<UTC time>.sqlite."""
    import sqlite3

    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"{stamp}.sqlite"
    raw = engine.raw_connection()
    try:
        dest = sqlite3.connect(target)
        try:
            raw.driver_connection.backup(dest)  # type: ignore[union-attr]
        finally:
            dest.close()
    finally:
        raw.close()
    return target


def upgrade(
    engine: Engine, revision: str = "head", backup_dir: Path | None = None
) -> Path | None:
    """Apply migrations up to `revision`, one process at a time.

    With `backup_dir`, a SQLite database that holds data and has migrations to
    apply is first copied there; returns the copy's path, if one was made.
    """
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    check_revision(engine)
    backup = None
    current = current_revision(engine)
    if (
        backup_dir is not None
        and engine.dialect.name == "sqlite"
        and current is not None
        and current != ScriptDirectory.from_config(cfg).get_current_head()
    ):
        backup = backup_sqlite(engine, backup_dir)
    # Several workers may start at once: SQLite's BEGIN IMMEDIATE and PostgreSQL's
    # advisory lock let one migrate while the others wait and then find nothing to do.
    with (
        _queued(engine),
        engine.execution_options(sqlite_begin="IMMEDIATE").begin() as conn,
    ):
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(740519)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return backup
