"""Models and migrations: the migrated schema equals the models, on SQLite and PG."""

from __future__ import annotations

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from webapp.db import make_engine, upgrade
from webapp.models import Attempt, Base, Learner, Response, utcnow


def test_migrations_match_the_models(make_database: Any) -> None:
    engine = make_engine(make_database())
    try:
        upgrade(engine)
        with engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}),
                Base.metadata,
            )
        assert diff == []
        assert {"learner", "attempt", "response", "alembic_version"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(make_database: Any) -> None:
    engine = make_engine(make_database())
    try:
        upgrade(engine)
        upgrade(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()


def test_sqlite_connections_are_durable(make_database: Any) -> None:
    """C.8 case 31: SQLite runs WAL with synchronous=FULL."""
    url = make_database()
    if not url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    finally:
        engine.dispose()


def test_constraints_hold(database_url: str) -> None:
    from sqlalchemy.orm import Session

    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            learner = Learner(token="t-constraints")
            s.add(learner)
            s.flush()
            attempt = Attempt(
                learner_id=learner.id,
                quiz_id="q",
                seed=1,
                question_ids=["a"],
                presentations={},
                mode="practice",
            )
            s.add(attempt)
            s.flush()
            s.add(Response(attempt_id=attempt.id, question_id="a", answer="x"))
            s.flush()
            assert attempt.started_at.tzinfo is not None
            assert attempt.started_at <= utcnow()
            s.add(Response(attempt_id=attempt.id, question_id="a", answer="y"))
            with pytest.raises(IntegrityError):
                s.flush()
            s.rollback()
        with Session(engine) as s:
            s.add(
                Attempt(
                    learner_id=987654,
                    quiz_id="q",
                    seed=1,
                    question_ids=[],
                    presentations={},
                    mode="practice",
                )
            )
            with pytest.raises(IntegrityError):  # foreign keys are enforced
                s.flush()
            s.rollback()
    finally:
        engine.dispose()


def test_timestamps_come_back_aware(database_url: str) -> None:
    from sqlalchemy.orm import Session

    engine = make_engine(database_url)
    try:
        with Session(engine) as s:
            learner = Learner(token="t-aware")
            s.add(learner)
            s.commit()
            s.expire_all()
            got = s.get(Learner, learner.id)
            assert got is not None
            assert got.created_at.utcoffset() is not None
            s.delete(got)
            s.commit()
    finally:
        engine.dispose()
