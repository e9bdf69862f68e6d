"""Configuration defaults and the INTERWAR_* environment layer."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

# Environment variables with a documented meaning, mapped to config keys.
ENV_KEYS: Mapping[str, str] = {
    "INTERWAR_DATABASE_URL": "DATABASE_URL",
    "INTERWAR_SECRET_KEY": "SECRET_KEY",
    "INTERWAR_CONTENT": "CONTENT_ROOT",
}


class DefaultConfig:
    """Defaults; instance/config.py, INTERWAR_* and test_config override them."""

    SECRET_KEY: str | None = None  # None: generated once into the instance folder
    DATABASE_URL: str | None = None  # None: SQLite file in the instance folder
    # None: the repository's content, else the copy bundled in the package
    CONTENT_ROOT: str | None = None
    DEV = False  # show content errors in the browser
    AUTO_MIGRATE = False  # apply Alembic migrations in create_app (tests, serve)

    LANGUAGES = ("en", "de", "ru")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    # The session cookie carries the anonymous learner id and the CSRF secret.
    SESSION_COOKIE_NAME = "interwar_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A student's laptop keeps its progress for a school year; browsers cap at 400 days.
    PERMANENT_SESSION_LIFETIME = timedelta(days=365)

    # A token that expired mid-test would throw away the page's answers: the token
    # lives as long as the session secret it is tied to.
    WTF_CSRF_TIME_LIMIT: int | None = None
    WTF_CSRF_SSL_STRICT = True

    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 64 * 1024
    MAX_FORM_PARTS = 200
    # One answer field longer than this is refused before parsing.
    MAX_ANSWER_CHARS = 1000

    # Render question pages from a skeleton shared by the learners who see the same
    # question (webapp.skeleton); False renders every page whole (for comparison).
    PAGE_SKELETONS = True

    # Minutes after a deadline during which a save still counts (slow networks).
    DEADLINE_GRACE_SECONDS = 60

    # Days an attempt outside any class is kept (INTERWAR_RETENTION_DAYS; 0 keeps
    # them). Class attempts follow their class's own setting.
    RETENTION_DAYS = 365


def env_overrides(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return config values taken from INTERWAR_* environment variables."""
    environ = os.environ if environ is None else environ
    return {key: environ[var] for var, key in ENV_KEYS.items() if environ.get(var)}


def instance_secret_key(instance_path: str | os.PathLike[str]) -> str:
    """Return the secret key kept in the instance folder, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    try:
        # O_EXCL: when several workers start together, one writes and the rest read.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            key = path.read_text(encoding="ascii").strip()
            if key:
                return key
            time.sleep(0.02)  # the writer has created the file but not filled it yet
        raise RuntimeError(
            f"{path} is empty; delete it to generate a new key"
        ) from None
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key
