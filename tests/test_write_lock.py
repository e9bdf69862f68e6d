"""Writers queue on a kernel lock beside the SQLite file (processes and threads)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from webapp.db import WriteLock, write_lock
from webapp.extensions import db
from webapp.models import Learner

HOLDER = """
import sys, time
from webapp.db import WriteLock
lock = WriteLock(sys.argv[1])
with lock.held():
    open(sys.argv[2], "w").write("held")
    time.sleep(0.4)
    open(sys.argv[3], "w").write(repr(time.time()))
"""


def test_a_writer_in_another_process_waits_until_the_holder_is_done(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "db.sqlite-writers")
    held, released = tmp_path / "held", tmp_path / "released"
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, path, str(held), str(released)]
    )
    try:
        deadline = time.monotonic() + 20
        while not held.exists():
            assert time.monotonic() < deadline, "the other process never took the lock"
            assert child.poll() is None, "the other process died"
            time.sleep(0.01)
        with WriteLock(path).held():
            got_it = time.time()
            # The holder wrote its release time just before it let go.
            assert released.exists()
            assert got_it >= float(released.read_text())
    finally:
        child.wait(timeout=20)
    assert child.returncode == 0


def test_threads_writing_together_all_succeed(app: Flask) -> None:
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with app.app_context():
                for i in range(15):
                    with db.transaction() as s:
                        s.add(Learner(kind="anonymous", token=f"t{n}-{i}"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Learner)) == 90


def test_only_a_sqlite_file_gets_a_queue(app: Flask) -> None:
    engine = app.extensions["interwar.engine"]
    lock = write_lock(engine)
    if engine.dialect.name == "sqlite":
        assert lock is not None
        assert lock.path == str(Path(engine.url.database).resolve()) + "-writers"
    else:  # PostgreSQL locks rows itself; there is no file to queue on
        assert lock is None


def test_a_nested_write_does_not_deadlock(tmp_path: Path) -> None:
    lock = WriteLock(str(tmp_path / "x-writers"))
    done = threading.Event()

    def nested() -> None:
        with lock.held(), lock.held():
            pass
        with lock.held():  # and the outer release really released it
            done.set()

    t = threading.Thread(target=nested)
    t.start()
    t.join(timeout=10)
    assert done.is_set()
