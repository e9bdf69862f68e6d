"""Benchmark (not a test): a class joins and submits at once, and the server dies.

N simulated students (default 300) arrive together (or spread over --window s)
against gunicorn with 2 sync workers on 127.0.0.1, and every one of them must have
joined and submitted within --deadline (default 10 s) of the first arrival. Each
one joins the class with the code, opens the assignment, starts it, opens and
answers every question, and submits, as a browser without JavaScript would. It
runs twice per database:

  steady  the server stays up;
  kill    the server is killed with SIGKILL (master and workers) in the middle of
          the burst and started again; students retry what failed, with the same
          form key, as a browser retry would.

Then the database is read: every submission that got a success response must be
there, graded, with all its answers ("lost"); no attempt may be submitted without
its score or its answers' points ("half-written"); nobody may have two attempts
("duplicates"). Prints throughput, p50/p99 latency and those counts, and exits 1 if
anything was lost, half-written or duplicated, or a steady-phase student failed or
submitted after the deadline.

--json FILE also writes every phase's figures as JSON (for bench/run_all.py).

    python bench/bench_burst.py [--students 300] [--window 0] [--deadline 10]
                                [--workers 2]
                                [--db sqlite|postgresql|both] [--pg-url URL] [--quick]
                                [--json FILE]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    free_port,
    spawn_gunicorn,
    stop_gunicorn,
    wait_http,
)

QUIZ = """schema_version: 1
id: burst
lesson: sample
title: Burst quiz
mode: test
shuffle: false
pass_mark: 50
questions:
  - {id: year, type: numeric, prompt: "In which year was Rapallo signed?",
     answer: 1922, tolerance: 0}
  - {id: town, type: short_answer, prompt: "In which town was it signed?",
     answers: [Rapallo]}
  - {id: army, type: numeric, prompt: "How many men did Versailles allow?",
     answer: 100000, tolerance: 0}
"""
RIGHT = ("1922", "Rapallo", "100000")
WRONG = ("1926", "Genoa", "250000")

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_KEY = re.compile(r'name="key" value="([^"]+)"')
_ATTEMPT = re.compile(r"/attempts/(\d+)/")


class Client:
    """One student's browser: a cookie jar and plain HTTP/1.1 requests."""

    def __init__(self, host: str, port: int, latencies: list[float]) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.latencies = latencies
        self.requests = 0

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], str]:
        """Send one request; return status, headers and body (raises on I/O errors)."""
        body = urlencode(form).encode() if form is not None else None
        headers = {"Host": f"{self.host}:{self.port}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        started = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
        finally:
            conn.close()
        self.latencies.append(time.perf_counter() - started)
        self.requests += 1
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                k, _, v = pair.partition("=")
                self.cookies[k.strip()] = v.strip()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text

    def retrying(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        expect: tuple[int, ...] = (200, 302),
        patience: float = 60.0,
    ) -> tuple[int, dict[str, str], str]:
        """Repeat a request through connection errors and 5xx, like a retry."""
        deadline = time.monotonic() + patience
        delay = 0.05
        while True:
            try:
                status, headers, text = self.request(method, path, form)
                if status in expect:
                    return status, headers, text
                if status < 500:
                    raise RuntimeError(f"{method} {path}: HTTP {status}")
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{method} {path}: gave up")
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


@dataclass
class Student:
    """What one simulated student did and was told."""

    name: str
    right: bool
    attempt_id: int | None = None
    submitted: bool = False  # the submit got a success response
    error: str | None = None
    requests: int = 0


@dataclass
class Phase:
    """One burst: its students, latencies and wall time."""

    name: str
    students: list[Student] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    kills: int = 0


def _token(text: str) -> str:
    m = _TOKEN.search(text)
    if not m:
        raise RuntimeError("no csrf token on the page")
    return m.group(1)


def run_student(
    host: str,
    port: int,
    code: str,
    class_id: int,
    assignment_id: int,
    student: Student,
    latencies: list[float],
) -> None:
    """Join, start, answer every question, submit."""
    c = Client(host, port, latencies)
    try:
        _, _, page = c.retrying("GET", "/join")
        status, headers, _ = c.retrying(
            "POST",
            "/join",
            {"csrf_token": _token(page), "code": code, "name": student.name},
            expect=(302,),
        )
        page_url = f"/classes/{class_id}/assignments/{assignment_id}"
        _, _, page = c.retrying("GET", page_url)
        token = _token(page)
        key = _KEY.search(page)
        if not key:
            raise RuntimeError("no start form")
        _, headers, _ = c.retrying(
            "POST",
            f"{page_url}/start",
            {"csrf_token": token, "key": key.group(1)},
            expect=(302,),
        )
        m = _ATTEMPT.search(headers.get("location", ""))
        if not m:
            raise RuntimeError(f"start went to {headers.get('location')}")
        student.attempt_id = int(m.group(1))
        base = f"/quizzes/burst/attempts/{student.attempt_id}"
        answers = RIGHT if student.right else WRONG
        for n, value in enumerate(answers, 1):
            c.retrying("GET", f"{base}/q/{n}")
            c.retrying(
                "POST",
                f"{base}/q/{n}",
                {"csrf_token": token, "answer": value, "action": "save"},
                expect=(302,),
            )
        _, headers, _ = c.retrying(
            "POST", f"{base}/submit", {"csrf_token": token}, expect=(302,)
        )
        if not headers.get("location", "").endswith("/results"):
            raise RuntimeError(f"submit went to {headers.get('location')}")
        student.submitted = True
    except Exception as exc:  # a student's failure is counted, not fatal
        student.error = str(exc)
    finally:
        student.requests = c.requests


def make_class(env: dict[str, str], label: str) -> tuple[str, int, int]:
    """Create a teacher (once), a class and a one-attempt test assignment."""
    from webapp import auth, classroom, create_app
    from webapp.extensions import db
    from webapp.models import Teacher

    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        app = create_app({"AUTO_MIGRATE": True})
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        with app.app_context():
            teacher = db.session.query(Teacher).first()
            if teacher is None:
                teacher = auth.add_teacher(
                    "bench@example.org", uuid.uuid4().hex, "Europe/Berlin"
                )
            klass = classroom.create_class(teacher.id, f"Burst {label}")
            data = classroom.AssignmentInput(
                quiz_id="burst",
                mode="test",
                opens_at=None,
                closes_at=None,
                time_limit=30,
                max_attempts=1,
                grading="highest",
            )
            assignment_id = classroom.create_assignment(teacher.id, klass.id, data)
            return klass.join_code, klass.id, assignment_id
    finally:
        app.extensions["interwar.engine"].dispose()


def burst(
    name: str,
    env: dict[str, str],
    n: int,
    window: float,
    workers: int,
    kill_at: float | None,
) -> Phase:
    """Run one burst against a fresh gunicorn; kill and restart it if asked."""
    code, class_id, assignment_id = make_class(env, name)
    port = free_port()
    proc = spawn_gunicorn("webapp.wsgi:app", port=port, workers=workers, env=env)
    wait_http(f"http://127.0.0.1:{port}/healthz")
    phase = Phase(name)
    phase.students = [Student(f"Student {i:03d}", i % 3 != 2) for i in range(n)]
    lock = threading.Lock()
    started = time.perf_counter()

    def one(i: int) -> None:
        time.sleep(max(0.0, window * i / n - (time.perf_counter() - started)))
        local: list[float] = []
        run_student(
            "127.0.0.1", port, code, class_id, assignment_id, phase.students[i], local
        )
        with lock:
            phase.latencies.extend(local)

    killer = None
    if kill_at is not None:

        def kill_and_restart() -> None:
            nonlocal proc
            time.sleep(kill_at)
            stop_gunicorn(proc, signal.SIGKILL)
            phase.kills += 1
            time.sleep(0.5)
            proc = spawn_gunicorn(
                "webapp.wsgi:app", port=port, workers=workers, env=env
            )

        killer = threading.Thread(target=kill_and_restart)
        killer.start()
    with ThreadPoolExecutor(max_workers=n) as pool:
        list(pool.map(one, range(n)))
    phase.seconds = time.perf_counter() - started
    if killer is not None:
        killer.join()
    stop_gunicorn(proc)
    verify(env, phase, assignment_id)
    return phase


@dataclass
class Verdict:
    """What the database holds compared with what students were told."""

    lost: int = 0
    half_written: int = 0
    duplicates: int = 0


VERDICTS: dict[str, Verdict] = {}


def verify(env: dict[str, str], phase: Phase, assignment_id: int) -> None:
    """Compare success responses with the database."""
    from sqlalchemy import func, select

    from webapp.db import make_engine
    from webapp.models import Attempt, Response

    engine = make_engine(env["INTERWAR_DATABASE_URL"])
    verdict = Verdict()
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    Attempt.id, Attempt.learner_id, Attempt.submitted_at, Attempt.score
                ).where(Attempt.assignment_id == assignment_id)
            ).all()
            attempts = {r.id: r for r in rows}
            graded = dict(
                conn.execute(
                    select(Response.attempt_id, func.count())
                    .where(Response.points.is_not(None))
                    .group_by(Response.attempt_id)
                ).all()
            )
            answered = dict(
                conn.execute(
                    select(Response.attempt_id, func.count()).group_by(
                        Response.attempt_id
                    )
                ).all()
            )
            per_learner: dict[int, int] = {}
            for r in rows:
                per_learner[r.learner_id] = per_learner.get(r.learner_id, 0) + 1
                if r.submitted_at is not None and (
                    r.score is None or graded.get(r.id, 0) != answered.get(r.id, 0)
                ):
                    verdict.half_written += 1
            verdict.duplicates = sum(c - 1 for c in per_learner.values() if c > 1)
            for s in phase.students:
                if not s.submitted:
                    continue
                row = attempts.get(s.attempt_id or -1)
                if (
                    row is None
                    or row.submitted_at is None
                    or row.score is None
                    or graded.get(row.id, 0) != len(RIGHT)
                ):
                    verdict.lost += 1
    finally:
        engine.dispose()
    VERDICTS[phase.name] = verdict


RESULTS: list[dict[str, Any]] = []
DEADLINE = [10.0]  # seconds from the first arrival to the last submit (--deadline)


def report(label: str, phase: Phase) -> bool:
    """Print one phase's figures (and keep them for --json); return True if it is
    clean."""
    v = VERDICTS[phase.name]
    ok = sum(1 for s in phase.students if s.submitted)
    failed = [s for s in phase.students if not s.submitted]
    lat = sorted(phase.latencies)
    p50 = statistics.median(lat) * 1000 if lat else 0.0
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000 if lat else 0.0
    rps = len(lat) / phase.seconds if phase.seconds else 0.0
    print(
        f"{label:<11} {phase.name:<6} students {len(phase.students):>4}  "
        f"submitted {ok:>4}  failed {len(failed):>3}  requests {len(lat):>5}  "
        f"in {phase.seconds:5.1f} s  throughput {rps:6.1f} req/s "
        f"({ok / phase.seconds if phase.seconds else 0:5.1f} submissions/s)  "
        f"p50 {p50:6.1f} ms  p99 {p99:7.1f} ms  kills {phase.kills}  "
        f"lost: {v.lost}  half-written: {v.half_written}  duplicates: {v.duplicates}"
    )
    for s in failed[:5]:
        print(f"    {s.name}: {s.error}")
    clean = v.lost == 0 and v.half_written == 0 and v.duplicates == 0
    in_time = phase.seconds <= DEADLINE[0]
    if phase.name == "steady":
        clean = clean and not failed and in_time
        if not in_time:
            print(
                f"    the last submit came {phase.seconds:.1f} s after the start, "
                f"after the {DEADLINE[0]:g} s deadline"
            )
    RESULTS.append(
        {
            "db": label,
            "phase": phase.name,
            "students": len(phase.students),
            "submitted": ok,
            "failed": len(failed),
            "requests": len(lat),
            "seconds": phase.seconds,
            "rps": rps,
            "submissions_per_s": ok / phase.seconds if phase.seconds else 0.0,
            "p50_ms": p50,
            "p99_ms": p99,
            "kills": phase.kills,
            "deadline_s": DEADLINE[0],
            "in_time": in_time,
            "lost": v.lost,
            "half_written": v.half_written,
            "duplicates": v.duplicates,
            "ok": clean,
        }
    )
    return clean


def _sqlite_env(tmp: Path) -> tuple[dict[str, str], Any]:
    return {"INTERWAR_DATABASE_URL": f"sqlite:///{tmp / 'burst.sqlite'}"}, None


def _pg_env(url: str) -> tuple[dict[str, str], Any]:
    from sqlalchemy import create_engine, make_url, text

    schema = f"burst_{uuid.uuid4().hex[:10]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    parsed = make_url(url)
    query = dict(parsed.query)
    query["options"] = f"-csearch_path={schema}"
    scoped = parsed.set(query=query).render_as_string(hide_password=False)

    def drop() -> None:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()

    return {"INTERWAR_DATABASE_URL": scoped}, drop


def main() -> int:
    """Run the bursts for the chosen databases; exit 1 on any loss."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument(
        "--window",
        type=float,
        default=0.0,
        help="arrival window, s (0: the whole class at once)",
    )
    parser.add_argument(
        "--deadline",
        type=float,
        default=10.0,
        help="every student must have submitted this many s after the start",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--db", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument(
        "--quick", action="store_true", help="a 3-second window (for CI)"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args()
    window = 3.0 if args.quick else args.window
    DEADLINE[0] = args.deadline
    dbs = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    arrive = f"over {window:g} s" if window > 0 else "all at once"
    print(
        f"burst: {args.students} students arriving {arrive}, all submitted within "
        f"{args.deadline:g} s; gunicorn {args.workers} sync workers; each student "
        "joins, opens and starts the assignment, answers 3 questions and submits "
        "(11 requests with the redirects)"
    )
    try:
        clean = _run_all(args, dbs, window)
    finally:
        if args.json:
            figures = {
                "benchmark": "burst",
                "students": args.students,
                "deadline_s": args.deadline,
                "window_s": window,
                "workers": args.workers,
                "phases": RESULTS,
            }
            Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    print("result:", "clean" if clean else "FAILED (see above)")
    return 0 if clean else 1


def _run_all(args: argparse.Namespace, dbs: tuple[str, ...], window: float) -> bool:
    """Run both phases on each database; return True if all were clean."""
    clean = True
    for kind in dbs:
        tmp = Path(tempfile.mkdtemp(prefix="interwar-burst-"))
        content = tmp / "content"
        shutil.copytree(ROOT / "examples" / "sample", content)
        (content / "quizzes" / "burst.yaml").write_text(QUIZ, encoding="utf-8")
        db_env, cleanup = _sqlite_env(tmp) if kind == "sqlite" else _pg_env(args.pg_url)
        env = {
            **db_env,
            "INTERWAR_CONTENT": str(content),
            "INTERWAR_INSTANCE_PATH": str(tmp / "instance"),
            "INTERWAR_SECRET_KEY": uuid.uuid4().hex,
        }
        try:
            steady = burst("steady", env, args.students, window, args.workers, None)
            clean &= report(kind, steady)
            # Mid-burst: 40 % into the arrivals, or 1.5 s into an all-at-once class.
            kill_at = window * 0.4 if window > 0 else 1.5
            killed = burst(
                "kill", env, args.students, window, args.workers, kill_at=kill_at
            )
            clean &= report(kind, killed)
        finally:
            if cleanup is not None:
                cleanup()
            shutil.rmtree(tmp, ignore_errors=True)
    return clean


if __name__ == "__main__":
    sys.exit(main())
