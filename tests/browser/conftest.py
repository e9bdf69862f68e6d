"""A real server and Debian's Chromium for browser tests, one of each per session.

The app runs under werkzeug's threaded server on 127.0.0.1 with a free port, on the
session's database (SQLite file or PostgreSQL schema) and a copy of
examples/sample plus a test-mode variant. Each test gets fresh browser contexts,
so each is a new anonymous learner. Without /usr/bin/chromium the tests are skipped
and the reason is printed at the end of the run.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import SAMPLE
from webapp import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_REASON = (
    f"browser tests skipped: {CHROMIUM} not found (apt-get install -y chromium)"
)
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip this folder's tests, with the reason, when Chromium is missing."""
    if CHROMIUM.exists():
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say why the browser tests did not run, even without -rs."""
    if not CHROMIUM.exists():
        terminalreporter.write_line(SKIP_REASON, yellow=True)


@pytest.fixture(scope="session")
def browser_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a content root: the sample, and `sample-test` (test mode, 30 min)."""
    root = tmp_path_factory.mktemp("browser-content")
    shutil.copytree(SAMPLE, root, dirs_exist_ok=True)
    text = (SAMPLE / "quizzes" / "sample.yaml").read_text(encoding="utf-8")
    text = text.replace("id: sample\n", "id: sample-test\n", 1)
    text = text.replace("mode: practice\n", "mode: test\ntime_limit: 30\n", 1)
    text = text.replace(
        'title: "Sample: check your understanding"', 'title: "Sample: the test"', 1
    )
    (root / "quizzes" / "sample-test.yaml").write_text(text, encoding="utf-8")
    return root


def make_live_app(
    database_url: str, content_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> Flask:
    """Return an app for a live server on this database and content root."""
    return create_app(
        {
            "DATABASE_URL": database_url,
            "CONTENT_ROOT": str(content_root),
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("browser-instance")),
            "SECRET_KEY": "browser-test-secret",
            "AUTO_MIGRATE": True,
        }
    )


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve `app` in a thread on a free loopback port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["interwar.engine"].dispose()


@pytest.fixture(scope="session")
def live_server(
    make_database: Any,
    browser_content: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """Serve the app on a free loopback port for the session; yield its base URL."""
    app = make_live_app(make_database(), browser_content, tmp_path_factory)
    with serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium once for the whole session."""
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Return the git-ignored folder for screenshots, created if needed."""
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
