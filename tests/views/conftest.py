"""Content variants for quiz tests: a test-mode copy of the sample and a pool quiz."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SAMPLE


def _write_variant(root: Path, quiz_id: str, *, mode: str, extra: str = "") -> None:
    text = (SAMPLE / "quizzes" / "sample.yaml").read_text(encoding="utf-8")
    text = text.replace("id: sample\n", f"id: {quiz_id}\n", 1)
    text = text.replace("mode: practice\n", f"mode: {mode}\n{extra}", 1)
    (root / "quizzes" / f"{quiz_id}.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def content_root(content_root: Path) -> Path:
    """Add `sample-test` (test mode, 30 minutes) and `final` (draws 3 from sample)."""
    _write_variant(content_root, "sample-test", mode="test", extra="time_limit: 30\n")
    (content_root / "quizzes" / "final.yaml").write_text(
        "schema_version: 1\n"
        "id: final\n"
        "title: Final quiz\n"
        "mode: test\n"
        "pass_mark: 50\n"
        "pools:\n"
        "  - {quiz: sample, draw: 3}\n"
        "questions: []\n",
        encoding="utf-8",
    )
    return content_root
