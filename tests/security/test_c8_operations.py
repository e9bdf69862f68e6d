"""C.8 cases 30-34: concurrency, power loss, read-only database, upgrades, slowloris."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from tests import web
from tests.conftest import REPO
from webapp import create_app
from webapp.db import UnknownRevision, make_engine, upgrade
from webapp.extensions import db
from webapp.models import Attempt, Response


def test_case_30_thirty_concurrent_submissions_all_recorded(app: Flask) -> None:
    """C.8 case 30: 30 students submitting at once: 30 graded attempts, no 500."""
    clients = [app.test_client() for _ in range(30)]
    attempts = [web.start(c) for c in clients]
    tokens = [web.csrf(c) for c in clients]

    def submit(i: int) -> int:
        url = f"/quizzes/sample/attempts/{attempts[i]}/submit"
        return clients[i].post(url, data={"csrf_token": tokens[i]}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:  # waitress's default threads
        codes = list(pool.map(submit, range(30)))
    assert codes == [302] * 30
    with app.app_context():
        done = db.session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.submitted_at.is_not(None))
        )
    assert done == 30


_CHILD = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA synchronous=FULL")
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO t VALUES ('acknowledged')")
conn.execute("COMMIT")
print("200", flush=True)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO t VALUES ('half one')")
conn.execute("INSERT INTO t VALUES ('half two')")
print("mid", flush=True)
sys.stdin.read()
"""


def test_case_31_sigkill_mid_submit_keeps_acknowledged_and_no_half_writes(
    tmp_path: Path,
) -> None:
    """C.8 case 31: kill -9 mid-transaction: the acknowledged commit stays, no half."""
    path = tmp_path / "power.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (v TEXT)")
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(_CHILD), str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "200"
        assert proc.stdout.readline().strip() == "mid"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=10)
        if proc.stdin:
            proc.stdin.close()
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT v FROM t").fetchall() == [("acknowledged",)]
    finally:
        conn.close()


def _sqlite_app(make_app: Any, path: Path, **overrides: Any) -> Flask:
    app: Flask = make_app(DATABASE_URL=f"sqlite:///{path}", **overrides)
    return app


def test_case_32_read_only_database_says_answers_not_saved(
    make_app: Any, tmp_path: Path
) -> None:
    """C.8 case 32: a read-only DB file: 503 'NOT saved', never a false success."""
    path = tmp_path / "usb.sqlite"
    app = _sqlite_app(make_app, path)
    client = app.test_client()
    attempt = web.start(client)
    url = f"/quizzes/sample/attempts/{attempt}/q/1"
    token = web.csrf(client, url)
    row = web.attempt_row(app, attempt)
    with app.app_context():
        from webapp import library

        quiz = library.get_catalog().quiz("sample")
        assert quiz is not None
        q = quiz.question(row.question_ids[0])
        assert q is not None
    form = web.form_for(q, web.right_answer(q), row.presentations[q.id])
    cookie = client.get_cookie("interwar_session")
    assert cookie is not None
    app.extensions["interwar.engine"].dispose()
    # SQLite's own read-only mode: root ignores file permissions, this does not.
    ro = make_app(
        DATABASE_URL=f"sqlite:///file:{path}?mode=ro&uri=true", AUTO_MIGRATE=False
    )
    browser = ro.test_client()
    browser.set_cookie("interwar_session", cookie.value)
    resp = browser.post(url, data={"csrf_token": token, **form})
    assert resp.status_code == 503
    page = web.html(resp)
    assert "Your answers were not saved" in re.sub(r"<[^>]+>", "", page)
    assert "Your answers were <strong>not</strong> saved</h1>" in page
    assert resp.headers["X-Request-ID"] in page
    resp = browser.post(
        f"/quizzes/sample/attempts/{attempt}/submit", data={"csrf_token": token}
    )
    assert resp.status_code == 503
    api = browser.post(
        f"/api/v1/attempts/{attempt}/submit", headers={"X-CSRFToken": token}
    )
    assert api.status_code == 503
    assert api.json is not None
    assert api.json["errors"][0]["code"] == "not_saved"
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM response").fetchone() == (0,)
        assert conn.execute("SELECT submitted_at FROM attempt").fetchone() == (None,)
    finally:
        conn.close()


def _seed_0001(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO learner (id, kind, token, created_at) "
                "VALUES (1, 'anonymous', :t, '2026-01-05 09:00:00')"
            ),
            {"t": "a" * 43},
        )
        conn.execute(
            text(
                "INSERT INTO attempt (id, learner_id, quiz_id, quiz_version, seed, "
                "question_ids, presentations, mode, locale, started_at, "
                "submitted_at, score, max_score, passed) VALUES (7, 1, 'sample', "
                "'v1', 42, '[\"q1\"]', '{}', 'test', 'en', '2026-01-05 09:01:00', "
                "'2026-01-05 09:20:00', 3, 4, 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO response (attempt_id, question_id, answer, points, "
                "max_points, tries, answered_at) VALUES (7, 'q1', '\"Lipetsk\"', "
                "3, 4, 1, '2026-01-05 09:10:00')"
            )
        )
    engine.dispose()


def test_case_33_upgrade_keeps_attempts_and_backs_up_first(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    """C.8 case 33: 0001 with data → head keeps every attempt; a backup comes first."""
    path = tmp_path / "old.sqlite"
    url = f"sqlite:///{path}"
    _seed_0001(url)
    instance = tmp_path / "upgrade-instance"
    app = create_app({**app_config, "DATABASE_URL": url, "INSTANCE_PATH": instance})
    try:
        with app.app_context():
            row = db.session.get(Attempt, 7)
            assert row is not None
            assert (row.score, row.max_score, row.passed) == (3, 4, True)
            answers = db.session.scalars(select(Response.answer)).all()
            assert answers == ["Lipetsk"]
    finally:
        app.extensions["interwar.engine"].dispose()
    backups = list((instance / "backups").glob("*.sqlite"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    try:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0001",)
        ]
        assert copy.execute("SELECT score FROM attempt WHERE id = 7").fetchone() == (3,)
    finally:
        copy.close()
    # Starting again at head takes no further copy.
    create_app(
        {**app_config, "DATABASE_URL": url, "INSTANCE_PATH": instance}
    ).extensions["interwar.engine"].dispose()
    assert len(list((instance / "backups").glob("*.sqlite"))) == 1


def test_case_33_unknown_revision_refuses_to_start(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    """C.8 case 33: a database from a newer version is refused, untouched."""
    path = tmp_path / "future.sqlite"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()
    with pytest.raises(UnknownRevision, match="0099_future"):
        create_app({**app_config, "DATABASE_URL": url, "INSTANCE_PATH": tmp_path / "i"})
    from click.testing import CliRunner

    from webapp.cli import main

    result = CliRunner().invoke(
        main,
        ["serve", "--instance", str(tmp_path / "i2")],
        env={"INTERWAR_DATABASE_URL": url},
    )
    assert result.exit_code == 1
    assert "does not know" in result.output
    assert "Traceback" not in result.output


def test_case_34_deploy_docs_set_a_worker_timeout_behind_a_buffering_proxy() -> None:
    """C.8 case 34: gunicorn gets --timeout and nginx buffers slow clients."""
    doc = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    command = doc[doc.index("gunicorn --workers") :].split("```")[0]
    assert "--timeout" in command
    assert "--worker-class sync" in command
    assert "proxy_request_buffering on;" in doc
    assert "proxy_buffering on;" in doc
    assert "client_body_timeout" in doc
    assert "slowloris" in doc.lower()
