"""Hot statements: compiled once per dialect, run on the driver's own cursor.

Every question page and every saved answer runs the same few statements. Through
SQLAlchemy's Connection.execute() each costs about 0.1 ms of Python (cache-key
lookup, execution context, result metadata, events), ten times the driver's own
work. A `Statement` keeps what SQLAlchemy compiled for the dialect (the SQL, the
order of the parameters, the types' bind and result processors) and runs it on
the DBAPI connection, inside whatever transaction that connection is in. So the
values are converted exactly as SQLAlchemy converts them, and a driver error
comes out as SQLAlchemy's own exception class (OperationalError and the rest),
as the error handlers expect.

The connection is a `Driver` (a connection of the engine's pool used without a
SQLAlchemy Connection around it, whose checkout costs a third as much: the
request's db.reader and db.write()), or a SQLAlchemy Connection.

Only for fixed statements without "expanding" (IN) parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable

Processor = Callable[[Any], Any] | None


class Driver:
    """A pooled DBAPI connection and its dialect, for hot statements only."""

    __slots__ = ("dialect", "pooled")

    def __init__(self, engine: Engine) -> None:
        """Check a connection out of `engine`'s pool (returned by close())."""
        self.dialect: Dialect = engine.dialect
        self.pooled: PoolProxiedConnection = engine.raw_connection()

    @property
    def dbapi_connection(self) -> Any:
        """Return the driver's own connection (sqlite3, psycopg)."""
        return self.pooled.dbapi_connection

    def invalidate(self, err: BaseException) -> None:
        """Discard the connection (the server went away)."""
        self.pooled.invalidate(err)

    def run(self, sql: str) -> None:
        """Run one statement without parameters (BEGIN IMMEDIATE)."""
        self._call(sql, lambda raw: raw.execute(sql))

    def commit(self) -> None:
        """Commit the driver's transaction."""
        self._call("COMMIT", lambda raw: raw.commit())

    def rollback(self) -> None:
        """Roll the driver's transaction back (nothing if there is none)."""
        self._call("ROLLBACK", lambda raw: raw.rollback())

    def close(self) -> None:
        """Return the connection to the pool (which rolls back what is left)."""
        self.pooled.close()

    def _call(self, sql: str, action: Callable[[Any], Any]) -> None:
        raw = self.dbapi_connection
        try:
            action(raw)
        except self.dialect.loaded_dbapi.Error as err:
            raise wrapped(self, sql, err, None) from err


def _dbapi(conn: Connection | Driver) -> Any:
    if isinstance(conn, Driver):
        return conn.dbapi_connection
    return conn.connection.dbapi_connection


def wrapped(
    conn: Connection | Driver, sql: str, err: Any, cursor: Any
) -> sa_exc.StatementError:
    """Return a driver error as SQLAlchemy's class for it (OperationalError...).

    The app's error handlers answer those (503 for a locked or read-only
    database). A lost server connection is invalidated, as SQLAlchemy does.
    """
    dialect = conn.dialect
    if dialect.is_disconnect(err, _dbapi(conn), cursor):
        conn.invalidate(err)
    found: sa_exc.StatementError = sa_exc.DBAPIError.instance(
        sql,
        None,
        err,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        dialect=dialect,
    )
    return found


@dataclass(frozen=True)
class _Compiled:
    """A statement as compiled for one dialect."""

    sql: str
    defaults: dict[str, Any]
    order: tuple[str, ...] | None  # positional paramstyles: the names in order
    names: tuple[str, ...]  # every parameter
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]
    keys: tuple[str, ...]
    types: tuple[Any, ...]  # the columns' types, for their result processors


class Statement:
    """A statement run on the driver's cursor with SQLAlchemy's type conversions."""

    def __init__(
        self, statement: Executable, column_keys: Sequence[str] | None = None
    ) -> None:
        """Keep `statement` (an INSERT: with the `column_keys` it will be given).

        It is compiled at first use for each dialect.
        """
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}
        # Result processors depend on the driver's type codes (PostgreSQL's
        # numeric OIDs), known from the first cursor.description.
        self._results: dict[str, tuple[Processor, ...]] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is not None:
            return found
        compiled = self.statement.compile(  # type: ignore[attr-defined]
            dialect=dialect, column_keys=self.column_keys
        )
        if any(b.expanding for b in compiled.binds.values()):
            raise ValueError("a hot statement cannot have IN (expanding) parameters")
        binds = []
        for name, param in compiled.binds.items():
            proc = param.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                binds.append((name, proc))
        columns = list(getattr(self.statement, "exported_columns", ()))
        found = _Compiled(
            sql=compiled.string,
            # Values fixed in the statement itself (e.g. the 1 of `tries + 1`).
            defaults={
                name: param.value
                for name, param in compiled.binds.items()
                # An INSERT's columns left out are binds without a value: the
                # column's default, which SQLAlchemy computes per execution.
                if not param.required and param.value is not None
            },
            order=tuple(compiled.positiontup) if dialect.positional else None,
            names=tuple(compiled.binds),
            binds=tuple(binds),
            keys=tuple(c.key for c in columns),
            types=tuple(c.type.dialect_impl(dialect) for c in columns),
        )
        self._compiled[dialect.name] = found
        return found

    def rows(
        self, conn: Connection | Driver, params: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """Run the statement on `conn`; return its rows as dicts by column key."""
        dialect = conn.dialect
        c = self._for(dialect)
        values = {**c.defaults, **params}
        if len(values) < len(c.names):
            # Column defaults are SQLAlchemy's to fill: a hot INSERT names them all.
            missing = sorted(set(c.names) - set(values))
            raise ValueError(f"no value for {', '.join(missing)}")
        for name, proc in c.binds:
            if name in values:
                values[name] = proc(values[name])
        args: Any = values if c.order is None else [values[n] for n in c.order]
        cursor = _dbapi(conn).cursor()
        try:
            cursor.execute(c.sql, args)
            raw = cursor.fetchall() if c.keys else []
            results = self._results.get(dialect.name)
            if results is None and c.keys:
                results = self._results[dialect.name] = tuple(
                    t.result_processor(dialect, d[1])
                    for t, d in zip(c.types, cursor.description, strict=True)
                )
        except dialect.loaded_dbapi.Error as err:
            raise wrapped(conn, c.sql, err, cursor) from err
        finally:
            cursor.close()
        out = []
        for row in raw:
            out.append(
                {
                    key: value if proc is None or value is None else proc(value)
                    for key, proc, value in zip(c.keys, results or (), row, strict=True)
                }
            )
        return out

    def first(
        self, conn: Connection | Driver, params: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        """Run the statement; return its first row, or None."""
        found = self.rows(conn, params)
        return found[0] if found else None
