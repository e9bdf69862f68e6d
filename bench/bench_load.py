"""Benchmark (not a test): our full load + validate vs the bare C-loader parse.

Generates 1,000 quizzes of 20 mixed questions and a matching lesson in a temporary
content root, then times, 5 runs each:
  (a) yaml.load(CSafeLoader) of the same files (the floor), and
  (b) load_catalog: safe parse with positions, schema validation, cross-file checks,
  and, for information, (c) our YAML layer alone.
Prints the medians and their ratio (goal: at most 2x); --json FILE also writes
them as JSON (for bench/run_all.py).

    python bench/bench_load.py [--quizzes N] [--runs R] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from webapp.content.catalog import load_catalog
from webapp.content.yamlsource import load_bytes

GOAL = 2.0  # load_catalog may take at most this many times the bare parse

LESSON = """schema_version: 1
id: bench
title: Benchmark lesson
summary: A lesson the generated quizzes point to.
minutes: 45
objectives: [Check speed.]
sections:
  - {id: s1, title: One, body: "Some *text*."}
  - {id: s2, title: Two, body: More text.}
sources:
  - {id: src, author: Someone, title: Something}
"""

QUESTIONS = [
    """  - id: q{n}
    type: single_choice
    prompt: When was the Treaty of Rapallo signed? ({n})
    choices:
      - {{text: April 1922, correct: true}}
      - {{text: June 1919, feedback: That is Versailles.}}
      - {{text: August 1939}}
    explanation: Signed on 16 April 1922.
    see: s1
    skill: chronology
""",
    """  - id: q{n}
    type: multiple_choice
    prompt: Which were terms of the treaty? ({n})
    choices:
      - {{text: Claims renounced, correct: true}}
      - {{text: Relations restored, correct: true}}
      - {{text: A military annex}}
    scoring: partial
""",
    """  - {{id: q{n}, type: true_false, prompt: "Rapallo had military clauses ({n}).",
      answer: false, feedback: It had none., see: s2}}
""",
    """  - id: q{n}
    type: short_answer
    prompt: Who signed for Germany? ({n})
    answers: [Walther Rathenau, Rathenau]
    typos: 1
""",
    """  - {{id: q{n}, type: numeric, prompt: "Army cap ({n})?", answer: 100000,
      tolerance: 0, unit: men}}
""",
    """  - id: q{n}
    type: ordering
    prompt: Earliest first. ({n})
    items: [Versailles, Rapallo, Berlin, Pact]
""",
    """  - id: q{n}
    type: matching
    prompt: Match the signatories. ({n})
    pairs: {{Rathenau: Germany, Chicherin: Soviet Russia}}
    extra: [France]
""",
    """  - id: q{n}
    type: cloze
    prompt: Complete the sentence. ({n})
    text: "Signed at {{{{Rapallo}}}} during the {{{{Genoa}}}} Conference."
    stimulus: {{text: No military provisions., by: A historian, source: src}}
""",
]


def generate(root: Path, quizzes: int, per_quiz: int = 20) -> list[Path]:
    """Write the lesson and `quizzes` quiz files; return every file written."""
    (root / "lessons").mkdir()
    (root / "quizzes").mkdir()
    files = [root / "lessons" / "bench.yaml"]
    files[0].write_text(LESSON, encoding="utf-8")
    for i in range(quizzes):
        body = "".join(
            QUESTIONS[(i + n) % len(QUESTIONS)].format(n=n) for n in range(per_quiz)
        )
        text = (
            f"schema_version: 1\nid: quiz-{i:04d}\nlesson: bench\n"
            f"title: Quiz {i}\nquestions:\n{body}"
        )
        path = root / "quizzes" / f"quiz-{i:04d}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def bare_parse(files: list[Path]) -> None:
    """The floor: read and parse every file with the C loader, nothing else."""
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def our_parse(files: list[Path]) -> None:
    """Our YAML layer alone: positions, raw texts and refusals, no schema."""
    for path in files:
        load_bytes(path.read_bytes(), str(path))


def timed(fn: object, runs: int) -> list[float]:
    """Return the wall times of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return times


def _runs(times: list[float]) -> str:
    """Format the individual runs."""
    return " ".join(f"{t:.3f}" for t in times)


def main() -> None:
    """Generate, time and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quizzes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = generate(root, args.quizzes)
        catalog = load_catalog(root)
        assert not catalog.errors, catalog.errors[:5]
        assert catalog.stats.questions == args.quizzes * 20
        size = sum(p.stat().st_size for p in files)
        questions = catalog.stats.questions
        print(f"{len(files)} files, {size / 1e6:.1f} MB, {questions} questions")
        bare = timed(lambda: bare_parse(files), args.runs)
        ours = timed(lambda: load_catalog(root), args.runs)
        parse = timed(lambda: our_parse(files), args.runs)
    bare_median = statistics.median(bare)
    ours_median = statistics.median(ours)
    print(f"bare CSafeLoader parse: median {bare_median:.3f} s  {_runs(bare)}")
    print(f"load_catalog:          median {ours_median:.3f} s  {_runs(ours)}")
    parse_median = statistics.median(parse)
    print(f"our YAML layer alone:  median {parse_median:.3f} s  {_runs(parse)}")
    print(f"ratio: {ours_median / bare_median:.2f}x (goal <= 2x)")
    print(f"YAML layer / bare parse: {parse_median / bare_median:.2f}x")
    if args.json:
        figures = {
            "benchmark": "load",
            "files": len(files),
            "megabytes": round(size / 1e6, 2),
            "questions": questions,
            "runs": args.runs,
            "bare_s": bare_median,
            "ours_s": ours_median,
            "yaml_layer_s": parse_median,
            "ratio": ours_median / bare_median,
            "goal": GOAL,
            "ok": ours_median / bare_median <= GOAL,
        }
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
