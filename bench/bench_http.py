"""Benchmark (not a test): the app under gunicorn against a hello-world Flask floor.

gunicorn with 2 sync workers on 127.0.0.1 serves webapp.wsgi:app (the repository's
content, a fresh SQLite database in a temporary instance folder); wrk drives it
with 16 connections for 10 s, 3 runs per scenario after a short warm-up. Both
servers run side by side and each run of a scenario is paired with a run of the
hello-world floor just before it: this machine's speed drifts by a third over
minutes (the floor more than the app), so a ratio is taken within each pair and
the median of those ratios is reported.

  hello     bench/hello_app.py, the floor, measured in the same run
  reading   GET /lessons/rapallo
  quiz      GET a question page of an attempt started beforehand (its cookie sent)
  submit    POST a valid answer to the JSON API (session cookie + X-CSRFToken);
            the quiz is in practice mode, so the same answer is graded and stored
            again on every request

Prints one table of medians: rps, p50, p99, ratio to hello-world (median of the
paired ratios), goal, any non-2xx responses, and the server's CPU per request
(all gunicorn processes, from /proc), which stays meaningful when other work
shares the machine.
Goals: reading >= 0.7x, quiz >= 0.4x, submit >= 0.25x with p99 < 100 ms.
--json FILE also writes the table as JSON (for bench/run_all.py).

    python bench/bench_http.py [--seconds 10] [--runs 3] [--connections 16]
                               [--json FILE]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import statistics
import sys
import tempfile
import textwrap
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ROOT, WrkResult, gunicorn, median_result, wrk

QUIZ = "rapallo"
READING = "/lessons/rapallo"

# wrk scripts: the cookie, token and body come from the environment.
GET_WITH_COOKIE = """
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
"""
POST_ANSWER = """
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH")
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")
wrk.headers["X-CSRFToken"] = os.getenv("BENCH_TOKEN")
wrk.headers["Content-Type"] = "application/json"
"""


@dataclass(frozen=True)
class Scenario:
    """One measured URL: its name, goal ratio and optional p99 limit."""

    name: str
    goal: float | None
    p99_limit_ms: float | None = None


@dataclass(frozen=True)
class Session:
    """A learner's browser session with an attempt in progress."""

    cookie: str
    token: str
    attempt_id: int
    question_path: str
    answer_path: str
    answer_body: str


def _learner(base: str) -> Session:
    """Start an attempt through the pages and the API, as a browser would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/quizzes/{QUIZ}").read().decode()
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert token, "no csrf meta on the start page"
    req = urllib.request.Request(
        f"{base}/api/v1/quizzes/{QUIZ}/attempts",
        data=b"{}",
        headers={"Content-Type": "application/json", "X-CSRFToken": token.group(1)},
        method="POST",
    )
    attempt = json.load(opener.open(req))
    questions = attempt["questions"]
    # Submit to the last question and load the first, so the page measured is a
    # question form (not its feedback) and stays one.
    target = next(q for q in reversed(questions) if q["type"] == "single_choice")
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return Session(
        cookie=cookie,
        token=token.group(1),
        attempt_id=attempt["id"],
        question_path=f"/quizzes/{QUIZ}/attempts/{attempt['id']}/q/1",
        answer_path=f"/api/v1/attempts/{attempt['id']}/answers/{target['id']}",
        answer_body=json.dumps({"answer": {"value": [target["choices"][0]["value"]]}}),
    )


def _check(base: str, s: Session) -> None:
    """Fail early unless the three app scenarios answer 200 with this session."""
    for path in (READING, s.question_path):
        req = urllib.request.Request(base + path, headers={"Cookie": s.cookie})
        with urllib.request.urlopen(req) as resp:
            assert resp.status == 200, (path, resp.status)
            body = resp.read().decode()
            assert "result--" not in body or path == READING, (
                "question page shows feedback"
            )
    req = urllib.request.Request(
        base + s.answer_path,
        data=s.answer_body.encode(),
        headers={
            "Cookie": s.cookie,
            "X-CSRFToken": s.token,
            "Content-Type": "application/json",
        },
        method="POST",
    )
    with urllib.request.urlopen(req) as resp:
        assert resp.status == 200
        assert json.load(resp)["status"] == "graded"


def _server_cpu_seconds(url: str) -> float:
    """Return the CPU time used so far by the gunicorn serving `url` (all workers).

    The machine may be busy with other work, so throughput alone can mislead;
    server CPU per request does not depend on what else runs.
    """
    bind = url.split("//", 1)[1].split("/", 1)[0]
    ticks = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            if b"gunicorn" not in cmdline or bind.encode() not in cmdline:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process went away
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _run(
    url: str,
    args: argparse.Namespace,
    script: Path | None = None,
    env: dict[str, str] | None = None,
) -> tuple[WrkResult, float]:
    """Run wrk once; return its result and the server CPU ms per request."""
    before = _server_cpu_seconds(url)
    r = wrk(
        url, seconds=args.seconds, connections=args.connections, script=script, env=env
    )
    used = _server_cpu_seconds(url) - before
    cpu = 1000 * used / max(1.0, r.rps * args.seconds)
    print(
        f"    run: {r.rps:8.0f} rps  p50 {r.p50_ms:6.2f} ms  p99 {r.p99_ms:7.2f} ms"
        f"  non-2xx {r.non_2xx}  socket errors {r.errors}"
        f"  server cpu {cpu:.3f} ms/req",
        file=sys.stderr,
    )
    return r, cpu


def main(argv: list[str] | None = None) -> int:
    """Run every scenario and print the table; exit 1 if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--json", metavar="FILE", help="also write the table as JSON")
    args = parser.parse_args(argv)

    runs: dict[str, list[WrkResult]] = {}
    cpu: dict[str, list[float]] = {}
    ratios: dict[str, list[float]] = {}

    with (
        tempfile.TemporaryDirectory(prefix="interwar-bench-") as tmp,
        gunicorn("hello_app:app", cwd=ROOT / "bench") as hello_base,
    ):
        instance = Path(tmp) / "instance"
        instance.mkdir()
        env = {
            "INTERWAR_INSTANCE_PATH": str(instance),
            "INTERWAR_CONTENT": str(ROOT),
            "INTERWAR_SECRET_KEY": "bench-secret-not-for-production",
            "INTERWAR_AUTO_MIGRATE": "true",
        }
        with gunicorn("webapp.wsgi:app", env=env, probe="/healthz") as base:
            session = _learner(base)
            _check(base, session)
            scripts = Path(tmp)
            (scripts / "get.lua").write_text(GET_WITH_COOKIE)
            (scripts / "post.lua").write_text(POST_ANSWER)
            lua_env = {
                "BENCH_COOKIE": session.cookie,
                "BENCH_TOKEN": session.token,
                "BENCH_PATH": session.answer_path,
                "BENCH_BODY": session.answer_body,
            }
            targets: dict[str, tuple[str, Path | None, dict[str, str] | None]] = {
                "hello": (hello_base + "/", None, None),
                "reading": (base + READING, None, None),
                "quiz": (base + session.question_path, scripts / "get.lua", lua_env),
                "submit": (base + session.answer_path, scripts / "post.lua", lua_env),
            }
            warm = argparse.Namespace(**{**vars(args), "seconds": 2})
            print("warm-up", file=sys.stderr)
            for url, script, script_env in targets.values():
                _run(url, warm, script, script_env)
            for i in range(args.runs):
                for name in ("reading", "quiz", "submit"):
                    print(f"round {i + 1}: hello, then {name}", file=sys.stderr)
                    h, h_cpu = _run(targets["hello"][0], args)
                    url, script, script_env = targets[name]
                    r, r_cpu = _run(url, args, script, script_env)
                    runs.setdefault("hello", []).append(h)
                    cpu.setdefault("hello", []).append(h_cpu)
                    runs.setdefault(name, []).append(r)
                    cpu.setdefault(name, []).append(r_cpu)
                    ratios.setdefault(name, []).append(r.rps / h.rps if h.rps else 0.0)

    results = {name: median_result(rs) for name, rs in runs.items()}
    cpu_ms = {name: statistics.median(values) for name, values in cpu.items()}
    ratio_of = {name: statistics.median(values) for name, values in ratios.items()}
    ratio_of["hello"] = 1.0
    scenarios = [
        Scenario("hello", None),
        Scenario("reading", 0.7),
        Scenario("quiz", 0.4),
        Scenario("submit", 0.25, p99_limit_ms=100.0),
    ]
    missed = []
    rows = []
    print(
        textwrap.dedent(
            f"""
            gunicorn 2 sync workers, wrk {args.connections} connections,
            {args.runs} x {args.seconds} s, medians; each ratio is the median of
            {args.runs} runs paired with a hello-world run just before
            """
        ).strip()
    )
    print(
        f"{'scenario':<9} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>6}"
        f" {'goal':>20} {'non-2xx':>8} {'cpu ms/req':>10}  ok"
    )
    for sc in scenarios:
        r = results[sc.name]
        ratio = ratio_of[sc.name]
        goal = "" if sc.goal is None else f">= {sc.goal:.2f}x"
        if sc.p99_limit_ms is not None:
            goal += f", p99<{sc.p99_limit_ms:.0f}"
        ok = (sc.goal is None or ratio >= sc.goal) and (
            sc.p99_limit_ms is None or r.p99_ms < sc.p99_limit_ms
        )
        ok = ok and r.non_2xx == 0 and r.errors == 0
        if not ok:
            missed.append(sc.name)
        rows.append(
            {
                "name": sc.name,
                "rps": r.rps,
                "p50_ms": r.p50_ms,
                "p99_ms": r.p99_ms,
                "ratio": ratio,
                "goal": sc.goal,
                "p99_limit_ms": sc.p99_limit_ms,
                "non_2xx": r.non_2xx,
                "errors": r.errors,
                "cpu_ms_per_request": cpu_ms[sc.name],
                "ok": ok,
            }
        )
        print(
            f"{sc.name:<9} {r.rps:8.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {ratio:6.2f}"
            f" {goal:>20} {r.non_2xx:8d} {cpu_ms[sc.name]:10.3f}"
            f"  {'yes' if ok else 'NO'}"
        )
    if missed:
        print(f"missed: {', '.join(missed)}")
    if args.json:
        figures = {
            "benchmark": "http",
            "workers": 2,
            "connections": args.connections,
            "runs": args.runs,
            "seconds": args.seconds,
            "scenarios": rows,
        }
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
