"""`interwar serve` and `interwar db upgrade` through click's runner."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from webapp.cli import main
from webapp.db import make_engine


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Let the commands set INTERWAR_* variables; they are restored afterwards."""
    for name in ("INTERWAR_CONTENT", "INTERWAR_INSTANCE_PATH", "INTERWAR_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_db_upgrade_creates_the_tables(
    env: pytest.MonkeyPatch, make_database: Any, content_root: Path, tmp_path: Path
) -> None:
    url = make_database()
    env.setenv("INTERWAR_DATABASE_URL", url)
    env.setenv("INTERWAR_CONTENT", str(content_root))
    result = CliRunner().invoke(
        main, ["db", "upgrade", "--instance", str(tmp_path / "i")]
    )
    assert result.exit_code == 0, result.output
    assert "Database at head" in result.output
    engine = make_engine(url)
    try:
        assert "attempt" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_serve_migrates_and_runs_waitress(
    env: pytest.MonkeyPatch, database_url: str, content_root: Path, tmp_path: Path
) -> None:
    calls: list[dict[str, Any]] = []

    def fake_serve(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})

    env.setattr("waitress.serve", fake_serve)
    env.setenv("INTERWAR_DATABASE_URL", database_url)
    instance = tmp_path / "inst"
    result = CliRunner().invoke(
        main,
        [
            "serve",
            "--port",
            "8123",
            "--content",
            str(content_root),
            "--instance",
            str(instance),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 lessons, 1 quizzes, 0 errors" in result.output
    assert len(calls) == 1
    assert calls[0]["host"] == "127.0.0.1"
    assert calls[0]["port"] == 8123
    app = calls[0]["app"]
    try:
        assert app.instance_path == str(instance.resolve())
        assert (instance / "secret_key").exists()
        assert app.config["AUTO_MIGRATE"] is True
        # Once serve returns, the caller's logging is as it was.
        assert logging.getLogger("webapp").propagate is True
    finally:
        app.extensions["interwar.engine"].dispose()


def test_serve_help_lists_the_options() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--content", "--instance", "--dev"):
        assert option in result.output


def test_dev_refuses_a_public_address() -> None:
    result = CliRunner().invoke(main, ["serve", "--dev", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "--dev serves only on 127.0.0.1" in result.output


def test_serve_logs_each_request_once(content_root: Path, tmp_path: Path) -> None:
    """Under waitress (which configures the root logger) a request is one JSON line."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERWAR_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from webapp.cli import main; main()",
         "serve", "--port", str(port),
         "--content", str(content_root), "--instance", str(tmp_path / "i")],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                for _ in range(2):  # Flask renders it, then the kept page answers
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/lessons/sample", timeout=5
                    ) as resp:
                        assert resp.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "interwar serve did not start"
                time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    lines = [line for line in err.splitlines() if "webapp.request" in line]
    assert len(lines) == 2, err
    assert all(json.loads(line)["route"] == "/lessons/<lesson_id>" for line in lines)
