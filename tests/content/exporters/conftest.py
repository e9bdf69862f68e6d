"""The sample content every exporter test starts from, and a quiz builder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from webapp.content.catalog import load_catalog
from webapp.content.domain import Lesson, Quiz

SAMPLE = Path(__file__).parents[3] / "examples" / "sample"


@pytest.fixture(scope="session")
def sample() -> tuple[Quiz, Lesson]:
    """Return the sample quiz (all eight types) and its lesson, loaded for real."""
    catalog = load_catalog(SAMPLE)
    assert catalog.ok, catalog.errors
    return catalog.quizzes["sample"], catalog.lessons["sample"]


def make_quiz(*questions: Any, **settings: Any) -> Quiz:
    """Return a quiz holding `questions` (domain objects)."""
    fields: dict[str, Any] = {"id": "q", "title": "Test quiz", "lesson": None}
    fields.update(settings)
    return Quiz(questions=tuple(questions), **fields)
