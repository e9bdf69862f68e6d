"""The repository's own content meets the counts issue #3 asks of every unit.

Each of the four units (lesson + quiz of the same id) is checked on its own, so a
failure names the unit; the final quiz and the merged timeline are checked once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from webapp.content.catalog import Catalog, load_catalog
from webapp.content.domain import (
    Lesson,
    MultipleChoiceQuestion,
    Question,
    Quiz,
    SingleChoiceQuestion,
    TrueFalseQuestion,
)

REPO = Path(__file__).resolve().parent.parent
UNITS = ("rapallo", "lipetsk-kama", "pact-1939", "lend-lease")
FINAL = "final"

MIN_WORDS = 1200
MIN_OBJECTIVES = 5
MIN_KEY_TERMS = 10
MIN_DISCUSSION = 3
MIN_QUESTIONS = 20
MIN_TYPES = 6
MIN_ANALYSIS_SHARE = 0.30
REQUIRED_SKILLS = ("sourcing", "corroboration", "cause_consequence")


@cache
def catalog() -> Catalog:
    """Load the repository's content once for the whole module."""
    return load_catalog(REPO)


def _unit_files(unit: str) -> tuple[str, str]:
    return (f"lessons/{unit}.yaml", f"quizzes/{unit}.yaml")


def _errors_in(paths: tuple[str, ...]) -> list[str]:
    return [
        str(e) for e in catalog().errors if e.path.replace("\\", "/").endswith(paths)
    ]


def _lesson(unit: str) -> Lesson:
    lesson = catalog().lesson(unit)
    assert lesson is not None, (
        f"lesson '{unit}' did not load: {_errors_in(_unit_files(unit))}"
    )
    return lesson


def _quiz(unit: str) -> Quiz:
    quiz = catalog().quiz(unit)
    assert quiz is not None, (
        f"quiz '{unit}' did not load: {_errors_in(_unit_files(unit))}"
    )
    assert quiz.lesson == unit
    return quiz


def _own_questions(unit: str) -> list[Question]:
    return [q for q in _quiz(unit).questions if q.pool is None]


# ---------------------------------------------------------------- lessons


@pytest.mark.parametrize("unit", UNITS)
def test_unit_files_have_no_content_errors(unit: str) -> None:
    assert _errors_in(_unit_files(unit)) == []


@pytest.mark.parametrize("unit", UNITS)
def test_reading_is_long_enough_and_in_sections(unit: str) -> None:
    lesson = _lesson(unit)
    words = sum(len(section.body.split()) for section in lesson.sections)
    assert words >= MIN_WORDS, f"{unit}: {words} words of reading"
    assert 4 <= len(lesson.sections) <= 7, f"{unit}: {len(lesson.sections)} sections"


@pytest.mark.parametrize("unit", UNITS)
def test_objectives_key_terms_and_timeline(unit: str) -> None:
    lesson = _lesson(unit)
    assert len(lesson.objectives) >= MIN_OBJECTIVES
    assert len(lesson.key_terms) >= MIN_KEY_TERMS
    assert lesson.timeline, f"{unit}: empty timeline"


@pytest.mark.parametrize("unit", UNITS)
def test_sources_are_cited_in_full(unit: str) -> None:
    lesson = _lesson(unit)
    assert lesson.sources, f"{unit}: no sources"
    for source in lesson.sources:
        assert source.author.strip(), f"{unit}: source '{source.id}' has no author"
        assert source.title.strip(), f"{unit}: source '{source.id}' has no title"


@pytest.mark.parametrize("unit", UNITS)
def test_discussion_and_teacher_notes(unit: str) -> None:
    lesson = _lesson(unit)
    assert len(lesson.discussion) >= MIN_DISCUSSION
    assert lesson.teacher_notes.strip(), f"{unit}: no teacher notes"


# ---------------------------------------------------------------- quizzes


@pytest.mark.parametrize("unit", UNITS)
def test_quiz_size_and_variety(unit: str) -> None:
    questions = _own_questions(unit)
    assert len(questions) >= MIN_QUESTIONS, f"{unit}: {len(questions)} questions"
    types = {q.type for q in questions}
    assert len(types) >= MIN_TYPES, f"{unit}: only the types {sorted(types)}"


@pytest.mark.parametrize("unit", UNITS)
def test_every_question_explains_and_points_to_a_section(unit: str) -> None:
    lesson = _lesson(unit)
    for q in _own_questions(unit):
        assert q.explanation.strip(), f"{unit}/{q.id}: no explanation"
        assert q.see, f"{unit}/{q.id}: no see"
        assert lesson.section(q.see) is not None, f"{unit}/{q.id}: see '{q.see}'"


@pytest.mark.parametrize("unit", UNITS)
def test_every_wrong_answer_gets_feedback(unit: str) -> None:
    for q in _own_questions(unit):
        if isinstance(q, SingleChoiceQuestion | MultipleChoiceQuestion):
            for choice in q.choices:
                if not choice.correct:
                    assert (choice.feedback or "").strip(), (
                        f"{unit}/{q.id}: choice '{choice.text}' has no feedback"
                    )
        elif isinstance(q, TrueFalseQuestion):
            assert (q.feedback or "").strip(), f"{unit}/{q.id}: no feedback"


@pytest.mark.parametrize("unit", UNITS)
def test_analysis_share_and_required_skills(unit: str) -> None:
    questions = _own_questions(unit)
    analysis = [q for q in questions if q.is_analysis]
    share = len(analysis) / len(questions)
    assert share >= MIN_ANALYSIS_SHARE, f"{unit}: analysis share {share:.0%}"
    skills = {q.skill for q in questions}
    for skill in REQUIRED_SKILLS:
        assert skill in skills, f"{unit}: no {skill} item"


# ---------------------------------------------------------------- the whole course


def test_final_quiz_draws_from_every_unit() -> None:
    final = catalog().quiz(FINAL)
    assert final is not None, (
        f"quiz '{FINAL}' did not load: {_errors_in((f'quizzes/{FINAL}.yaml',))}"
    )
    assert final.pools, "the final quiz has no pools"
    assert {p.quiz for p in final.pools} == set(UNITS)
    for pool in final.pools:
        assert pool.draw >= 1
    assert final.mode == "test"


def test_merged_timeline_spans_1919_to_1941() -> None:
    years = {event.year for event in catalog().timeline()}
    assert years, "no timeline events"
    assert min(years) <= 1919, f"the timeline starts in {min(years)}"
    assert max(years) >= 1941, f"the timeline ends in {max(years)}"
    units = {event.lesson for event in catalog().timeline()}
    assert set(UNITS) <= units, f"units without timeline events: {set(UNITS) - units}"


def test_repository_content_has_no_errors() -> None:
    assert [str(e) for e in catalog().errors] == []


@pytest.mark.parametrize("unit", UNITS)
def test_content_review_lists_every_question(unit: str) -> None:
    """docs/content-review.md names the evidence for every question's key."""
    review = (REPO / "docs" / "content-review.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`")
        for line in review.splitlines()
        if line.startswith("| ") and line.count("|") >= 4
    }
    missing = [q.id for q in _own_questions(unit) if q.id not in rows]
    assert missing == []
