"""Run every benchmark and print one table of ratios and latencies.

Runs, one after the other, each as its own process with --json:

  bench_load.py   content load: load_catalog vs the bare CSafeLoader parse
  bench_http.py   hello-world floor, reading, quiz page and API submit under wrk
  bench_burst.py  a class joins and submits at once, then the server is SIGKILLed
                  mid-burst; on SQLite and PostgreSQL

then prints one Markdown table and writes it to bench/results/latest.md (ignored
by git). Exits 1 if a goal is missed or a benchmark failed. --quick makes each
benchmark small (about two minutes in all) to check that everything runs; its
figures are not the ones to report.

    python3 bench/run_all.py [--quick] [--db sqlite|postgresql|both] [--pg-url URL]
                             [--only load|http|burst ...] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results" / "latest.md"
NAMES = ("load", "http", "burst")


@dataclass(frozen=True)
class Row:
    """One line of the summary table."""

    benchmark: str
    figure: str
    ratio: str = ""
    p50: str = ""
    p99: str = ""
    goal: str = ""
    ok: bool | None = None


@dataclass
class Outcome:
    """What one benchmark process left: its exit code, figures and wall time."""

    name: str
    code: int
    seconds: float
    figures: dict[str, Any] | None


def _ms(value: float) -> str:
    return f"{value:.1f}"


def commands(args: argparse.Namespace) -> dict[str, list[str]]:
    """Return each benchmark's command line (without --json) for this run."""
    py = sys.executable
    if args.quick:
        load = ["--quizzes", "100", "--runs", "2"]
        http = ["--seconds", "2", "--runs", "1"]
        burst = ["--students", "30", "--quick"]
    else:
        load, http, burst = [], [], []
    burst += ["--db", args.db, "--pg-url", args.pg_url]
    return {
        "load": [py, str(BENCH / "bench_load.py"), *load],
        "http": [py, str(BENCH / "bench_http.py"), *http],
        "burst": [py, str(BENCH / "bench_burst.py"), *burst],
    }


def run(name: str, cmd: list[str], tmp: Path) -> Outcome:
    """Run one benchmark with its output on the terminal; read its JSON."""
    out = tmp / f"{name}.json"
    print(f"\n=== {name}: {' '.join(Path(c).name for c in cmd[1:])}", flush=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)])}
    started = time.monotonic()
    code = subprocess.run([*cmd, "--json", str(out)], cwd=ROOT, env=env).returncode
    seconds = time.monotonic() - started
    figures = json.loads(out.read_text()) if out.exists() else None
    return Outcome(name, code, seconds, figures)


def load_rows(o: Outcome) -> list[Row]:
    """The content-load line."""
    f = o.figures
    if f is None:
        return [Row("content load", f"failed (exit {o.code})", ok=False)]
    return [
        Row(
            "content load",
            f"{f['files']} files, {f['questions']} questions: "
            f"{f['ours_s']:.3f} s vs bare parse {f['bare_s']:.3f} s",
            ratio=f"{f['ratio']:.2f}×",
            goal=f"≤ {f['goal']:g}×",
            ok=bool(f["ok"]),
        )
    ]


def http_rows(o: Outcome) -> list[Row]:
    """One line per HTTP scenario, the floor first."""
    f = o.figures
    if f is None:
        return [Row("HTTP", f"failed (exit {o.code})", ok=False)]
    rows = []
    for s in f["scenarios"]:
        goal = "floor" if s["goal"] is None else f"≥ {s['goal']:g}×"
        if s["p99_limit_ms"] is not None:
            goal += f", p99 < {s['p99_limit_ms']:g} ms"
        figure = f"{s['rps']:,.0f} req/s, {s['cpu_ms_per_request']:.2f} ms CPU/req"
        if s["non_2xx"] or s["errors"]:
            figure += f", non-2xx {s['non_2xx']}, socket errors {s['errors']}"
        rows.append(
            Row(
                f"HTTP {s['name']}",
                figure,
                ratio=f"{s['ratio']:.2f}×",
                p50=_ms(s["p50_ms"]),
                p99=_ms(s["p99_ms"]),
                goal=goal,
                ok=bool(s["ok"]),
            )
        )
    return rows


def burst_rows(o: Outcome) -> list[Row]:
    """One line per database and phase (steady, then SIGKILL)."""
    f = o.figures
    if f is None:
        return [Row("burst", f"failed (exit {o.code})", ok=False)]
    rows = []
    for p in f["phases"]:
        figure = (
            f"{p['submitted']}/{p['students']} submitted in {p['seconds']:.1f} s, "
            f"{p['rps']:.0f} req/s, lost {p['lost']}, "
            f"half-written {p['half_written']}, duplicates {p['duplicates']}"
        )
        if p["kills"]:
            figure += f", SIGKILL ×{p['kills']}"
        if p["phase"] != "kill":
            arrive = (
                f"arriving over {f['window_s']:g} s"
                if f["window_s"]
                else "arriving at once"
            )
            goal = (
                f"{f['students']} {arrive}, all submitted within "
                f"{f.get('deadline_s', 10):g} s, lost 0"
            )
        else:
            goal = "lost 0, half-written 0, duplicates 0"
        rows.append(
            Row(
                f"burst {p['db']} {p['phase']}",
                figure,
                p50=_ms(p["p50_ms"]),
                p99=_ms(p["p99_ms"]),
                goal=goal,
                ok=bool(p["ok"]),
            )
        )
    if not f["phases"] or (o.code != 0 and all(r.ok for r in rows)):
        rows.append(Row("burst", f"incomplete (exit {o.code})", ok=False))
    return rows


def table(rows: list[Row]) -> str:
    """Return the rows as a Markdown table."""
    lines = [
        "| Benchmark | Figure | Ratio | p50 ms | p99 ms | Goal | Met |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for r in rows:
        met = "" if r.ok is None else ("yes" if r.ok else "**no**")
        lines.append(
            f"| {r.benchmark} | {r.figure} | {r.ratio} | {r.p50} | {r.p99} "
            f"| {r.goal} | {met} |"
        )
    return "\n".join(lines)


def machine() -> str:
    """Return a line about the machine, and how busy it was, for the report."""
    cpus = os.cpu_count() or 0
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpus} CPUs {model}, Python {platform.python_version()}".strip()


def load_average() -> float:
    """Return the 1-minute load average (0 where unknown)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return 0.0


def commit() -> str:
    """Return the checked-out commit, marked if the tree has changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (with uncommitted changes)" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmarks, print the table and write it as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: checks it runs"
    )
    parser.add_argument(
        "--db", choices=("sqlite", "postgresql", "both"), default="both"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--only", choices=NAMES, action="append")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    cpus = os.cpu_count() or 1
    before = load_average()
    if before > 0.5 * cpus:
        print(
            f"warning: load average {before:.1f} on {cpus} CPUs: the machine is "
            "busy, so throughput figures will be low and noisy",
            file=sys.stderr,
        )
    started = datetime.now(UTC)
    chosen = args.only or list(NAMES)
    outcomes = {}
    with tempfile.TemporaryDirectory(prefix="interwar-bench-all-") as tmp:
        for name, cmd in commands(args).items():
            if name in chosen:
                outcomes[name] = run(name, cmd, Path(tmp))
    rows: list[Row] = []
    for name, rows_of in (("load", load_rows), ("http", http_rows)):
        if name in outcomes:
            rows += rows_of(outcomes[name])
    if "burst" in outcomes:
        rows += burst_rows(outcomes["burst"])
    summary = table(rows)
    minutes = sum(o.seconds for o in outcomes.values()) / 60
    header = (
        f"# Benchmarks{' (quick: not for reporting)' if args.quick else ''}\n\n"
        f"- {started:%Y-%m-%d %H:%M} UTC, commit {commit()}\n"
        f"- {machine()}\n"
        f"- load average {before:.2f} before, {load_average():.2f} after; "
        f"{minutes:.1f} minutes\n"
        "- ratios are to the bare YAML parse (content load) or to hello-world "
        "Flask under the same gunicorn in the same run (HTTP)\n"
    )
    report = header + "\n" + summary + "\n"
    print("\n" + report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print(f"written to {args.out}")
    failed = any(r.ok is False for r in rows)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
