"""App, client and runner fixtures (flaskr style) on SQLite or TEST_DATABASE_URL.

The database is migrated once per test session: a SQLite file in a temporary folder,
or, with TEST_DATABASE_URL set to PostgreSQL, a schema of its own that is dropped at
the end, so parallel runs on one server do not collide. Every test starts with
empty tables.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from webapp import create_app
from webapp.db import make_engine, upgrade
from webapp.models import Base

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "examples" / "sample"


def _with_schema(url: str, schema: str) -> str:
    parsed = make_url(url)
    query = dict(parsed.query)
    query["options"] = f"-csearch_path={schema}"
    return parsed.set(query=query).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def make_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Yield a factory of fresh, empty database URLs (a file or a schema each)."""
    base = os.environ.get("TEST_DATABASE_URL")
    schemas: list[str] = []

    def make() -> str:
        if not base:
            return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
        schema = f"test_{uuid.uuid4().hex[:12]}"
        engine = create_engine(base)
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
        schemas.append(schema)
        return _with_schema(base, schema)

    yield make
    if base and schemas:
        engine = create_engine(base)
        with engine.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(scope="session")
def database_url(make_database: Any) -> str:
    """Return the URL of the session's migrated database."""
    url: str = make_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """Return a copy of examples/sample that a test may change or break."""
    root = tmp_path / "content"
    shutil.copytree(SAMPLE, root)
    return root


@pytest.fixture
def app_config(database_url: str, content_root: Path, tmp_path: Path) -> dict[str, Any]:
    """Return the test_config for create_app; tests may change it before `app`."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "CONTENT_ROOT": str(content_root),
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SECRET_KEY": "test-secret",
        "AUTO_MIGRATE": True,
    }


@pytest.fixture
def make_app(app_config: dict[str, Any]) -> Iterator[Any]:
    """Yield a factory of apps on the session database (overrides update the config).

    Tables are emptied and engines closed after the test.
    """
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        app = create_app({**app_config, **overrides})
        made.append(app)
        return app

    yield make
    for i, app in enumerate(made):
        engine = app.extensions["interwar.engine"]
        if i == 0:
            with engine.begin() as conn:
                for table in reversed(Base.metadata.sorted_tables):
                    conn.execute(table.delete())
        engine.dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    """Return an app on the session database, emptied after the test."""
    app: Flask = make_app()
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client (one browser: one cookie jar)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """Return a CLI runner bound to the app."""
    return app.test_cli_runner()
